using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Preprocessing;

public sealed class DeltaFOverFTests
{
    [Fact]
    public void Compute_KnownBaseline_RelativeChange()
    {
        float[] f = [100f, 150f, 90f, 240f];
        float[] f0 = [100f, 100f, 100f, 120f];

        Assert.Equal([0f, 0.5f, -0.1f, 1f], DeltaFOverF.Compute(f, f0));
    }

    [Fact]
    public void Compute_SparseTransientsOnConstantBaseline_RunningFifthPercentileRecoversThem()
    {
        // F = F₀ (1 + s) with F₀ = 200 and s ≥ 0 nonzero in under 5 % of every window: the 5th percentile is F₀ exactly.
        const float Baseline = 200f;
        var s = new float[6000];
        for (int spike = 100; spike < s.Length; spike += 400)
            for (int k = 0; k < 60; k++) s[spike + k] += 0.8f * MathF.Exp(-k / 20f);
        float[] f = s.Select(x => Baseline * (1 + x)).ToArray();

        float[] f0 = RunningPercentile.Compute(f, RunningPercentile.WindowFrames(100, 30), 5);
        float[] dff = DeltaFOverF.Compute(f, f0);

        Assert.All(f0, v => Assert.Equal(Baseline, v));
        for (int t = 0; t < s.Length; t++) Assert.Equal(s[t], dff[t], 1e-5f);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-3f)]
    [InlineData(float.NaN)]
    public void Compute_BaselineNotPositive_ThrowsNamingFrame(float bad)
    {
        var error = Assert.Throws<ArgumentException>(() => DeltaFOverF.Compute([1f, 2f, 3f], [1f, bad, 1f]));
        Assert.Contains("frame 1", error.Message);
    }

    [Fact]
    public void Compute_LengthsDiffer_Throws() =>
        Assert.Throws<ArgumentException>(() => DeltaFOverF.Compute([1f, 2f], [1f]));
}
