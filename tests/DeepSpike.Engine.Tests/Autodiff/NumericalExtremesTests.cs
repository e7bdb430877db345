namespace DeepSpike.Engine.Tests.Autodiff;

public class NumericalExtremesTests
{
    /// <summary>ln(1 + e^−|x|) in double loses nothing for |x| ≤ 700 once written as a series for tiny e^−|x|.</summary>
    private static double Log1pExp(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return e < 1e-10 ? e - e * e / 2 : Math.Log(1 + e);
    }

    [Theory]
    [InlineData(-100f)]
    [InlineData(-40f)]
    [InlineData(-20f)]
    [InlineData(-5f)]
    [InlineData(0f)]
    [InlineData(3f)]
    [InlineData(20f)]
    [InlineData(100f)]
    public void Softplus_WideRange_FiniteAndRelativelyAccurate(float x)
    {
        var y = Ops.Softplus(new Tensor([x], 1)).Item();
        double expected = Math.Max(x, 0) + Log1pExp(x);
        Assert.True(float.IsFinite(y), $"softplus({x}) = {y}");
        // Relative accuracy also where softplus(x) ≈ e^x is tiny (below float's normal range at −100).
        double tolerance = x <= -100 ? 1e-45 : 1e-6 * expected;
        Assert.Equal(expected, y, tolerance);
    }

    [Theory]
    [InlineData(-100f)]
    [InlineData(-20f)]
    [InlineData(0f)]
    [InlineData(20f)]
    [InlineData(40f)]
    [InlineData(100f)]
    public void LogSigmoid_WideRange_FiniteAndRelativelyAccurate(float x)
    {
        var y = Ops.LogSigmoid(new Tensor([x], 1)).Item();
        double expected = Math.Min(x, 0) - Log1pExp(x);
        Assert.True(float.IsFinite(y), $"logsigmoid({x}) = {y}");
        double tolerance = x >= 100 ? 1e-45 : 1e-6 * Math.Abs(expected);
        Assert.Equal(expected, y, tolerance);
    }

    [Theory]
    [InlineData(-100f)]
    [InlineData(100f)]
    public void SoftplusLogSigmoidSigmoid_Extremes_GradientsFiniteAndCorrect(float x)
    {
        var t = Tensor.Parameter([x], 1);
        double sigma = 1 / (1 + Math.Exp(-(double)x));
        foreach (var (op, expected) in new (Func<Tensor, Tensor>, double)[]
                 {
                     (Ops.Softplus, sigma),
                     (Ops.LogSigmoid, 1 - sigma),
                     (Ops.Sigmoid, sigma * (1 - sigma)),
                 })
        {
            t.ZeroGrad();
            using var tape = new Tape();
            var y = op(t);
            Assert.True(float.IsFinite(y.Item()));
            tape.Backward(y);
            Assert.True(float.IsFinite(t.Grad![0]));
            Assert.Equal(expected, t.Grad[0], 1e-7);
        }
    }

    [Fact]
    public void BernoulliLogProb_ExtremeLogits_FiniteAndCorrect()
    {
        // ln σ(100) ≈ 0, ln(1 − σ(100)) = −100, ln σ(−100) = −100, ln(1 − σ(−100)) ≈ 0
        var logits = new Tensor([100f, 100f, -100f, -100f], 4);
        var samples = new Tensor([1f, 0f, 1f, 0f], 1, 4);
        var y = Ops.BernoulliLogProb(logits, samples).Item();
        Assert.Equal(-200.0, y, 1e-3);
    }
}
