using DeepSpike.Engine.Optim;

namespace DeepSpike.Engine.Tests.Optim;

public class GradientClippingTests
{
    private static Tensor WithGradient(params float[] gradient)
    {
        var t = Tensor.Parameter(new float[gradient.Length], gradient.Length);
        gradient.CopyTo(t.GradSpan());
        return t;
    }

    [Fact]
    public void ClipGlobalNorm_AboveThreshold_ReturnsNormAndRescalesToThreshold()
    {
        // ‖(3, 4, 12)‖ = 13
        var a = WithGradient(3f, 4f);
        var b = WithGradient(12f);
        var noGrad = Tensor.Parameter([5f], 1);
        float norm = GradientClipping.ClipGlobalNorm([a, b, noGrad], 6.5f);
        Assert.Equal(13f, norm, 1e-6f);
        Assert.Equal([1.5f, 2f], a.Grad!);
        Assert.Equal([6f], b.Grad!);
        Assert.Null(noGrad.Grad);
        Assert.Equal(6.5f, GradientClipping.GlobalNorm([a, b]), 1e-6f);
    }

    [Fact]
    public void ClipGlobalNorm_BelowThreshold_LeavesGradientsUnchanged()
    {
        var a = WithGradient(3f, 4f);
        float norm = GradientClipping.ClipGlobalNorm([a], 5.5f);
        Assert.Equal(5f, norm, 1e-6f);
        Assert.Equal([3f, 4f], a.Grad!);
    }

    [Fact]
    public void GlobalNorm_RandomGradients_MatchesDoubleSum()
    {
        var rng = new Random(91);
        var tensors = Enumerable.Range(1, 4).Select(n => WithGradient(TestKit.Rand.Uniform(rng, 37 * n, -3f, 3f))).ToArray();
        double expected = Math.Sqrt(tensors.Sum(t => t.Grad!.Sum(g => (double)g * g)));
        Assert.Equal(expected, GradientClipping.GlobalNorm(tensors), 1e-5 * expected);
    }

    [Fact]
    public void ClipGlobalNorm_HugeGradients_NormFiniteAndRescaledNotZeroed()
    {
        // Σ g² = 2e40 overflows float; the rescaled gradient must still point the same way.
        var a = WithGradient(1e20f, -1e20f);
        float norm = GradientClipping.ClipGlobalNorm([a], 1f);
        Assert.Equal(Math.Sqrt(2) * 1e20, norm, 1e14);
        Assert.Equal(1 / Math.Sqrt(2), a.Grad![0], 1e-6);
        Assert.Equal(-1 / Math.Sqrt(2), a.Grad[1], 1e-6);
    }

    [Fact]
    public void ClipGlobalNorm_NaNGradient_ReturnsNaNAndLeavesGradients()
    {
        var a = WithGradient(float.NaN, 1f);
        float norm = GradientClipping.ClipGlobalNorm([a], 1f);
        Assert.True(float.IsNaN(norm));
        Assert.Equal(1f, a.Grad![1]);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void ClipGlobalNorm_InvalidThreshold_Throws(float maxNorm)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGlobalNorm([WithGradient(1f)], maxNorm));
        Assert.Contains("got", e.Message);
    }
}
