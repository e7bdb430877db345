using DeepSpike.Engine.Tests.Reference;
using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

public class ReduceGradientTests
{
    private static readonly int[] Shape3 = [3, 4, 5];

    [Fact]
    public void Sum_All_GradientMatchesFiniteDifferences()
    {
        var x = Rand.Param(new Random(21), Shape3, name: "x");
        GradCheck.Assert(() => Ops.Sum(x), x);
    }

    [Fact]
    public void Mean_All_GradientMatchesFiniteDifferences()
    {
        var x = Rand.Param(new Random(22), Shape3, name: "x");
        GradCheck.Assert(() => Ops.Mean(x), x);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void SumAxis_ThreeDimensional_GradientMatchesFiniteDifferences(int axis)
    {
        var x = Rand.Param(new Random(23), Shape3, name: "x");
        GradCheck.Assert(() => Ops.Sum(x, axis), x);
    }

    [Theory]
    [InlineData(0, new[] { 4, 5 })]
    [InlineData(1, new[] { 3, 5 })]
    [InlineData(-1, new[] { 3, 4 })]
    public void SumAxis_ThreeDimensional_MatchesScalarLoop(int axis, int[] expectedShape)
    {
        var x = Rand.Param(new Random(24), Shape3);
        var y = Ops.Sum(x, axis);
        Assert.Equal(expectedShape, y.Shape);
        int a = axis < 0 ? 3 + axis : axis;
        var expected = new double[y.Length];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 5; k++)
                {
                    int[] idx = [i, j, k];
                    int[] rest = [.. idx[..a], .. idx[(a + 1)..]];
                    expected[rest[0] * expectedShape[1] + rest[1]] += x.Data[(i * 4 + j) * 5 + k];
                }
        for (int i = 0; i < y.Length; i++) Assert.Equal(expected[i], y.Data[i], 1e-5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(-3)]
    public void LogSumExp_Axis_GradientMatchesFiniteDifferences(int axis)
    {
        var x = Rand.Param(new Random(25), Shape3, -3f, 3f, "x");
        GradCheck.Assert(() => Ops.LogSumExp(x, axis), x);
    }

    [Fact]
    public void LogSumExp_OneDimensional_GradientMatchesFiniteDifferences()
    {
        var x = Rand.Param(new Random(26), [6], -3f, 3f, "x");
        GradCheck.Assert(() => Ops.LogSumExp(x, 0), x);
    }

    [Fact]
    public void LogSumExp_LargeValues_MatchesDoubleReferenceWithoutOverflow()
    {
        // exp(1000) overflows even double; the max shift must be applied.
        float[] v = [1000f, 1000.5f, 999f, -1000f, 88f, 89f, 90f, 91f];
        var x = new Tensor(v, 2, 4);
        var y = Ops.LogSumExp(x, -1);
        Assert.Equal(Naive.LogSumExp(v[..4].Select(f => (double)f)), y.Data[0], 1e-3);
        Assert.Equal(Naive.LogSumExp(v[4..].Select(f => (double)f)), y.Data[1], 1e-4);
    }

    [Fact]
    public void LogSumExp_AllNegativeInfinityRow_GivesNegativeInfinityAndZeroGradient()
    {
        var x = Tensor.Parameter([float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, 0.5f, -1f, float.NegativeInfinity], 2, 3);
        using var tape = new Tape();
        var y = Ops.LogSumExp(x, 1);
        tape.Backward(y, [1f, 1f]);
        Assert.Equal(float.NegativeInfinity, y.Data[0]);
        Assert.Equal(Naive.LogSumExp([0.5, -1.0]), y.Data[1], 1e-6);
        Assert.Equal([0f, 0f, 0f], x.Grad![..3]);
        // softmax of the finite row; the −∞ entry gets exactly 0
        Assert.Equal(1 / (1 + Math.Exp(-1.5)), x.Grad[3], 1e-6);
        Assert.Equal(0f, x.Grad[5]);
    }
}
