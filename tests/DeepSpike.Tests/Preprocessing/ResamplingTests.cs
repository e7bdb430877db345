using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Preprocessing;

public sealed class ResamplingTests
{
    [Fact]
    public void Linear_LineUpsampled_StaysOnTheLine()
    {
        var x = Enumerable.Range(0, 10).Select(i => 2f * i + 1).ToArray();
        var y = Resampling.Linear(x, 30, 60);
        Assert.Equal(19, y.Length);
        for (int j = 0; j < y.Length; j++) Assert.Equal(1 + 2 * (j / 2.0), y[j], 5);
    }

    [Fact]
    public void SumCounts_PreservesTotal()
    {
        var rng = new Random(1);
        var counts = Enumerable.Range(0, 1000).Select(_ => (float)rng.NextDouble()).ToArray();
        var down = Resampling.SumCounts(counts, 60, 25, 417);
        Assert.Equal(counts.Sum(), down.Sum(), 2);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-3.0)]
    public void Linear_BadRate_Throws(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampling.Linear([1f, 2f], rate, 60));

    [Fact]
    public void NoiseSigma_WhiteNoise_MatchesStandardDeviation()
    {
        var rng = new Random(3);
        var x = new float[20_000];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(0.5 * DeepSpike.Generative.RandomExtensions.NextGaussian(rng));
        Assert.InRange(TraceStatistics.NoiseSigma(x), 0.48, 0.52);
    }
}
