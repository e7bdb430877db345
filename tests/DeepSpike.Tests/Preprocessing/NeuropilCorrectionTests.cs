using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Preprocessing;

public sealed class NeuropilCorrectionTests
{
    [Theory]
    [InlineData(0.7)]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Subtract_RandomTraces_MatchesScalarLoop(double factor)
    {
        var rng = new Random(3);
        var f = Enumerable.Range(0, 1001).Select(_ => (float)(500 + 100 * rng.NextDouble())).ToArray();
        var neuropil = Enumerable.Range(0, 1001).Select(_ => (float)(300 + 50 * rng.NextDouble())).ToArray();

        float[] corrected = NeuropilCorrection.Subtract(f, neuropil, factor);

        for (int t = 0; t < f.Length; t++) Assert.Equal(f[t] - (float)factor * neuropil[t], corrected[t], 1e-3f);
    }

    [Fact]
    public void DefaultFactor_IsSuite2psPointSeven() => Assert.Equal(0.7, NeuropilCorrection.DefaultFactor);

    [Fact]
    public void Subtract_NaNInNeuropil_NaNAtThatFrame()
    {
        float[] corrected = NeuropilCorrection.Subtract([10f, 10f], [1f, float.NaN], 0.7);
        Assert.Equal(9.3f, corrected[0], 1e-5f);
        Assert.True(float.IsNaN(corrected[1]));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Subtract_FactorOutsideZeroToOne_Throws(double factor) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NeuropilCorrection.Subtract([1f], [1f], factor));

    [Fact]
    public void Subtract_LengthsDiffer_Throws() =>
        Assert.Throws<ArgumentException>(() => NeuropilCorrection.Subtract([1f, 2f], [1f], 0.7));
}
