using DeepSpike.Generative;
using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Preprocessing;

public sealed class NoiseLevelTests
{
    [Fact]
    public void Cascade_HandComputedTrace_MatchesFormula()
    {
        // |differences| = 0.1, 0.05, 0.15, 0.1 → median 0.1; ν = 100 · 0.1 / √4 = 5.
        Assert.Equal(5.0, NoiseLevel.Cascade([0f, 0.1f, 0.05f, 0.2f, 0.1f], 4), 5);
    }

    [Fact]
    public void Cascade_DifferencesTouchingNaN_Ignored()
    {
        // Finite |differences|: 0.1, 0.1, 0.05 → median 0.1; ν = 100 · 0.1 / √25 = 2.
        Assert.Equal(2.0, NoiseLevel.Cascade([0f, 0.1f, float.NaN, 0.2f, 0.1f, 0.15f], 25), 5);
    }

    [Fact]
    public void Cascade_WhiteNoise_MatchesGaussianMedianOfDifferences()
    {
        // For white noise of σ, Δ ~ N(0, 2σ²) and median|Δ| = 0.6745 · √2 · σ.
        const double Sigma = 0.05, RateHz = 30;
        var rng = new Random(11);
        var trace = new float[50_000];
        for (int t = 0; t < trace.Length; t++) trace[t] = (float)(Sigma * rng.NextGaussian());

        double expected = 100 * 0.6744897501960817 * Math.Sqrt(2) * Sigma / Math.Sqrt(RateHz);
        Assert.Equal(expected, NoiseLevel.Cascade(trace, RateHz), expected * 0.02);
    }

    [Fact]
    public void Cascade_FewerThanTwoFrames_NaN()
    {
        Assert.True(double.IsNaN(NoiseLevel.Cascade([1f], 30)));
        Assert.True(double.IsNaN(NoiseLevel.Cascade([1f, float.NaN], 30)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-30.0)]
    [InlineData(double.NaN)]
    public void Cascade_BadFrameRate_Throws(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseLevel.Cascade([0f, 1f], rate));
}
