namespace DeepSpike.Engine.Tests.TestKit;

/// <summary>The checker must reject a wrong backward, or every passing gradient test means nothing.</summary>
public class GradCheckTests
{
    /// <summary>y = x³ whose backward claims 3x² · <paramref name="gradientScale"/>.</summary>
    private static Tensor Cube(Tensor x, float gradientScale)
    {
        var y = Tensor.Zeros(x.Shape);
        for (int i = 0; i < x.Length; i++) y.Data[i] = x.Data[i] * x.Data[i] * x.Data[i];
        Tape.Record(y, () =>
        {
            var g = x.GradSpan();
            for (int i = 0; i < g.Length; i++) g[i] += gradientScale * 3 * x.Data[i] * x.Data[i] * y.Grad![i];
        }, x);
        return y;
    }

    [Fact]
    public void Run_CorrectBackward_NoFailures()
    {
        var x = Rand.Param(new Random(1), [10], -2f, 2f);
        var result = GradCheck.Run(() => Cube(x, 1f), [x]);
        Assert.Equal(10, result.Checked);
        Assert.Empty(result.Failures);
    }

    [Theory]
    [InlineData(1.05f)]
    [InlineData(0.95f)]
    [InlineData(-1f)]
    public void Run_BackwardOffByFivePercentOrMore_ReportsEveryLargeElement(float gradientScale)
    {
        var x = Rand.SignedParam(new Random(2), [10], 0.5f, 2f);
        var result = GradCheck.Run(() => Cube(x, gradientScale), [x]);
        Assert.Equal(10, result.Failures.Count);
        Assert.Contains("analytic", result.Describe());
    }

    [Fact]
    public void Run_SkippedElements_AreNotCompared()
    {
        var x = Rand.SignedParam(new Random(3), [10], 0.5f, 2f);
        var result = GradCheck.Run(() => Cube(x, 2f), [x], skip: (_, j) => j < 4);
        Assert.Equal(6, result.Checked);
        Assert.Equal(6, result.Failures.Count);
    }
}
