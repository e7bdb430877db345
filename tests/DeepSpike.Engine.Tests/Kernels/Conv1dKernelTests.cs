using DeepSpike.Engine.Kernels;
using DeepSpike.Engine.Tests.Reference;
using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Kernels;

/// <summary>
/// The register-blocked Conv1d kernels against the original simple kernel (<see cref="ReferenceConv1dKernel"/>),
/// at every vector width this machine supports, over random shapes that hit the tile edges, the padding,
/// channel and tap remainders, and sequences shorter than the receptive field.
/// </summary>
public class Conv1dKernelTests
{
    /// <summary>Names of the vector widths this machine supports (SimdWidth is internal, so theories take the name).</summary>
    public static TheoryData<string> Widths()
    {
        var data = new TheoryData<string>();
        foreach (var w in Enum.GetValues<SimdWidth>())
            if (SimdWidths.IsSupported(w)) data.Add(w.ToString());
        return data;
    }

    private sealed record Shape(int Cin, int Cout, int Frames, int Kernel, int Dilation)
    {
        public override string ToString() => $"cin={Cin} cout={Cout} frames={Frames} kernel={Kernel} dilation={Dilation}";
    }

    /// <summary>Random shapes; frames straddle the 4-vector tile widths (4, 32, 64) and the receptive field.</summary>
    private static IEnumerable<Shape> RandomShapes(int seed, int count)
    {
        int[] kernels = [1, 3, 5, 7, 9, 11, 13, 31];
        int[] frames = [1, 2, 3, 5, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200, 257];
        var rng = new Random(seed);
        for (int n = 0; n < count; n++)
            yield return new Shape(rng.Next(1, 10), rng.Next(1, 10), frames[rng.Next(frames.Length)],
                kernels[rng.Next(kernels.Length)], rng.Next(1, 6));
    }

    /// <summary>Fixed shapes: the DS-F layers, several weight-gradient chunks, and scratch larger than the stack buffer.</summary>
    private static readonly Shape[] FixedShapes =
    [
        new(1, 20, 1000, 31, 1),
        new(20, 20, 1000, 11, 1),
        new(20, 20, 2600, 5, 4),
        new(20, 1, 1000, 1, 1),
        new(24, 20, 330, 31, 8),
        new(3, 2, 40, 31, 8),
    ];

    private static IEnumerable<Shape> AllShapes() => FixedShapes.Concat(RandomShapes(seed: 101, count: 120));

    private static void AssertClose(float[] expected, float[] actual, double tolerance, Shape shape, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            if (!(err <= tolerance))
                throw new Xunit.Sdk.XunitException($"{what} [{shape}] element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Forward_RandomShapes_MatchesReferenceKernel(string widthName)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        var rng = new Random(1);
        foreach (var s in AllShapes())
        {
            var x = Rand.Uniform(rng, s.Cin * s.Frames);
            var w = Rand.Uniform(rng, s.Cout * s.Cin * s.Kernel);
            var y0 = Rand.Uniform(rng, s.Cout * s.Frames);
            float[] expected = (float[])y0.Clone(), actual = (float[])y0.Clone();
            ReferenceConv1dKernel.Forward(x, w, expected, s.Cin, s.Cout, s.Frames, s.Kernel, s.Dilation);
            Conv1dKernel.ForwardAt(x, w, actual, s.Cin, s.Cout, s.Frames, s.Kernel, s.Dilation, width);
            AssertClose(expected, actual, 1e-6 * s.Cin * s.Kernel + 1e-5, s, "forward");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void BackwardInput_RandomShapes_MatchesReferenceKernel(string widthName)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        var rng = new Random(2);
        foreach (var s in AllShapes())
        {
            var dy = Rand.Uniform(rng, s.Cout * s.Frames);
            var w = Rand.Uniform(rng, s.Cout * s.Cin * s.Kernel);
            var dx0 = Rand.Uniform(rng, s.Cin * s.Frames);
            float[] expected = (float[])dx0.Clone(), actual = (float[])dx0.Clone();
            ReferenceConv1dKernel.BackwardInput(dy, w, expected, s.Cin, s.Cout, s.Frames, s.Kernel, s.Dilation);
            Conv1dKernel.BackwardInputAt(dy, w, actual, s.Cin, s.Cout, s.Frames, s.Kernel, s.Dilation, width);
            AssertClose(expected, actual, 1e-6 * s.Cout * s.Kernel + 1e-5, s, "backward input");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void BackwardWeight_RandomShapes_MatchesReferenceKernel(string widthName)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        var rng = new Random(3);
        foreach (var s in AllShapes())
        {
            var dy = Rand.Uniform(rng, s.Cout * s.Frames);
            var x = Rand.Uniform(rng, s.Cin * s.Frames);
            var dw0 = Rand.Uniform(rng, s.Cout * s.Cin * s.Kernel);
            float[] expected = (float[])dw0.Clone(), actual = (float[])dw0.Clone();
            ReferenceConv1dKernel.BackwardWeight(dy, x, expected, s.Cin, s.Cout, s.Frames, s.Kernel, s.Dilation);
            Conv1dKernel.BackwardWeightAt(dy, x, actual, s.Cin, s.Cout, s.Frames, s.Kernel, s.Dilation, width);
            AssertClose(expected, actual, 1e-6 * s.Frames + 1e-5, s, "backward weight");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Forward_AnyWidth_MatchesTripleLoopInDouble(string widthName)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        var rng = new Random(4);
        foreach (var s in RandomShapes(seed: 5, count: 30))
        {
            var x = Rand.Uniform(rng, s.Cin * s.Frames);
            var w = Rand.Uniform(rng, s.Cout * s.Cin * s.Kernel);
            var y = new float[s.Cout * s.Frames];
            Conv1dKernel.ForwardAt(x, w, y, s.Cin, s.Cout, s.Frames, s.Kernel, s.Dilation, width);
            var expected = Naive.Conv1d(x, w, null, 1, s.Cin, s.Cout, s.Frames, s.Kernel, s.Dilation);
            AssertClose(expected.Select(v => (float)v).ToArray(), y, 1e-6 * s.Cin * s.Kernel + 1e-5, s, "forward vs triple loop");
        }
    }

    [Fact]
    public void BackwardWeight_ChannelBlockSlices_EqualWholeCall()
    {
        // Ops parallelises over blocks of output channels by slicing dy and dw rows; that must equal one call.
        var rng = new Random(6);
        const int cin = 3, cout = 7, frames = 90, kernel = 5, dilation = 2;
        var dy = Rand.Uniform(rng, cout * frames);
        var x = Rand.Uniform(rng, cin * frames);
        var whole = new float[cout * cin * kernel];
        var sliced = new float[cout * cin * kernel];
        Conv1dKernel.BackwardWeight(dy, x, whole, cin, cout, frames, kernel, dilation);
        for (int o0 = 0; o0 < cout; o0 += 4)
        {
            int count = Math.Min(4, cout - o0);
            Conv1dKernel.BackwardWeight(dy.AsSpan(o0 * frames, count * frames), x, sliced.AsSpan(o0 * cin * kernel, count * cin * kernel),
                cin, count, frames, kernel, dilation);
        }
        Assert.Equal(whole, sliced);
    }

    [Theory]
    [InlineData("x", 4, 2, "x has")]
    [InlineData("y", 4, 2, "y has")]
    [InlineData("w", 4, 2, "w has")]
    [InlineData("none", 4, 2, "kernel size")]
    [InlineData("none", 3, 0, "dilation")]
    public void Forward_BadArguments_ThrowsNamingTheProblem(string shortSpan, int kernel, int dilation, string expected)
    {
        const int cin = 2, cout = 3, frames = 10;
        int k = kernel % 2 == 0 ? 3 : kernel;
        var x = new float[cin * frames - (shortSpan == "x" ? 1 : 0)];
        var y = new float[cout * frames - (shortSpan == "y" ? 1 : 0)];
        var w = new float[cout * cin * k - (shortSpan == "w" ? 1 : 0)];
        if (shortSpan != "none") { kernel = k; dilation = 1; }
        var e = Assert.Throws<ArgumentException>(() => Conv1dKernel.Forward(x, w, y, cin, cout, frames, kernel, dilation));
        Assert.Contains(expected, e.Message);
    }
}
