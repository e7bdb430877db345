using DeepSpike.Engine.Tests.Reference;
using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

public class LinearOpsGradientTests
{
    [Theory]
    [InlineData(3, 4, 5)]
    [InlineData(1, 7, 1)]
    [InlineData(5, 1, 3)]
    public void MatMul_Shapes_GradientMatchesFiniteDifferences(int m, int k, int n)
    {
        var rng = new Random(41);
        var a = Rand.Param(rng, [m, k], name: "a");
        var b = Rand.Param(rng, [k, n], name: "b");
        GradCheck.Assert(() => Ops.MatMul(a, b), a, b);
    }

    [Theory]
    [InlineData(3, 4, 5)]
    [InlineData(17, 33, 9)]
    public void MatMul_Random_MatchesScalarLoop(int m, int k, int n)
    {
        var rng = new Random(42);
        var a = Rand.Param(rng, [m, k]);
        var b = Rand.Param(rng, [k, n]);
        var expected = Naive.MatMul(a.Data, b.Data, m, k, n);
        var y = Ops.MatMul(a, b);
        Assert.Equal([m, n], y.Shape);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y.Data[i], 1e-4);
    }

    public static TheoryData<int, int, int, bool> ConvCases()
    {
        var data = new TheoryData<int, int, int, bool>();
        foreach (int kernel in new[] { 1, 3, 5, 7 })
            foreach (int dilation in new[] { 1, 2, 3 })
                foreach (bool bias in new[] { false, true })
                {
                    data.Add(kernel, dilation, 11, bias);
                    // Fewer frames than the receptive field: some taps never touch the sequence.
                    int span = dilation * (kernel - 1) + 1;
                    if (span > 4) data.Add(kernel, dilation, span / 2, bias);
                }
        return data;
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv1d_KernelDilationFramesBias_GradientMatchesFiniteDifferences(int kernel, int dilation, int frames, bool withBias)
    {
        var rng = new Random(43 + kernel * 10 + dilation);
        const int batch = 2, cin = 3, cout = 2;
        var x = Rand.Param(rng, [batch, cin, frames], name: "x");
        var w = Rand.Param(rng, [cout, cin, kernel], name: "w");
        var b = withBias ? Rand.Param(rng, [cout], name: "bias") : null;
        Tensor[] inputs = b is null ? [x, w] : [x, w, b];
        GradCheck.Assert(() => Ops.Conv1d(x, w, b, dilation), inputs);
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv1d_KernelDilationFramesBias_MatchesTripleLoop(int kernel, int dilation, int frames, bool withBias)
    {
        var rng = new Random(44);
        const int batch = 3, cin = 4, cout = 5;
        var x = Rand.Param(rng, [batch, cin, frames]);
        var w = Rand.Param(rng, [cout, cin, kernel]);
        var b = withBias ? Rand.Param(rng, [cout]) : null;
        var expected = Naive.Conv1d(x.Data, w.Data, b?.Data, batch, cin, cout, frames, kernel, dilation);
        var y = Ops.Conv1d(x, w, b, dilation);
        Assert.Equal([batch, cout, frames], y.Shape);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y.Data[i], 1e-4);
    }
}
