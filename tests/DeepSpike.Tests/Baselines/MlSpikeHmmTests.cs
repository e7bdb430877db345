using DeepSpike.Baselines;
using DeepSpike.Generative;

namespace DeepSpike.Tests.Baselines;

public sealed class MlSpikeHmmTests
{
    /// <summary>A tiny problem: 5 calcium × 3 baseline levels, up to 2 spikes, σ large enough that no probability
    /// falls under the engine's floors (so its answers should match the untruncated references).</summary>
    private static MlSpikeParameters Tiny(BaselineEffect effect, IndicatorNonlinearity? nonlinearity = null) =>
        new(FrameRateHz: 10, TauDecaySeconds: -0.1 / Math.Log(0.7), Amplitude: effect == BaselineEffect.Multiplicative ? 0.5 : 0.6,
            NoiseSigma: 0.4, SpikeRateHz: 1, DriftPerSqrtSecond: 0.5 * 0.2 * Math.Sqrt(10), Effect: effect, Nonlinearity: nonlinearity);

    private static readonly MlSpikeGrid TinyGrid = new(CalciumLevels: 5, CalciumMax: 2, BaselineLevels: 3, BaselineMin: 0.8, BaselineMax: 1.2, MaxSpikesPerFrame: 2);

    private static float[] TinyTrace(MlSpikeParameters p, int frames, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, frames).Select(_ => (float)(p.MeanFluorescence(2 * rng.NextDouble(), 0.8 + 0.4 * rng.NextDouble()) + 0.2 * (rng.NextDouble() - 0.5))).ToArray();
    }

    public static TheoryData<BaselineEffect, bool> Effects() => new()
    {
        { BaselineEffect.Multiplicative, false },
        { BaselineEffect.Additive, false },
        { BaselineEffect.Multiplicative, true },
    };

    [Theory]
    [MemberData(nameof(Effects))]
    public void Smooth_TinyProblem_MarginalsMatchExactEnumeration(BaselineEffect effect, bool saturating)
    {
        var p = Tiny(effect, saturating ? new IndicatorNonlinearity(Saturation: 0.3) : null);
        var y = TinyTrace(p, 4, 1);
        var exact = MlSpikeReference.Enumerate(MlSpikeReference.Build(p, TinyGrid), y, TinyGrid);
        var result = MlSpike.Run(y, p, TinyGrid);
        for (int t = 0; t < y.Length; t++)
        {
            Assert.Equal(exact.Expected[t], result.ExpectedSpikes[t], 4);
            Assert.Equal(exact.AnySpike[t], result.SpikeProbability[t], 4);
            Assert.Equal(exact.Calcium[t], result.Calcium[t], 4);
            Assert.Equal(exact.Baseline[t], result.Baseline[t], 4);
        }
        Assert.Equal(exact.LogLikelihood, result.LogLikelihood, 4);
        Assert.Equal(exact.LogLikelihood, MlSpike.LogLikelihood(y, p, TinyGrid), 4);
    }

    [Theory]
    [InlineData(BaselineEffect.Multiplicative, 50)]
    [InlineData(BaselineEffect.Additive, 61)]
    public void Smooth_LongerTrace_MatchesDenseForwardBackward(BaselineEffect effect, int frames)
    {
        // Long enough for several checkpoint stretches (⌈√T⌉ frames each) and a last, shorter one.
        var p = Tiny(effect);
        var y = TinyTrace(p, frames, 2);
        var dense = MlSpikeReference.ForwardBackward(MlSpikeReference.Build(p, TinyGrid), y);
        var result = MlSpike.Run(y, p, TinyGrid);
        for (int t = 0; t < frames; t++) Assert.Equal(dense.Expected[t], result.ExpectedSpikes[t], 4);
        Assert.Equal(dense.LogLikelihood, result.LogLikelihood, 3);
    }

    [Theory]
    [InlineData(BaselineEffect.Multiplicative, 3)]
    [InlineData(BaselineEffect.Additive, 4)]
    [InlineData(BaselineEffect.Additive, 5)]
    public void MostProbablePath_FineCalciumGrid_MatchesBruteForceOverSpikeTrains(BaselineEffect effect, int seed)
    {
        // Fine calcium levels keep the interpolated cost-to-go close to exact; the brute force tries every start,
        // spike train and baseline path in continuous calcium.
        var p = Tiny(effect);
        var grid = TinyGrid with { CalciumLevels = 201 };
        var rng = new Random(seed);
        float[] y = [.. Enumerable.Range(0, 4).Select(t => (float)(p.MeanFluorescence(t == 1 ? 1.2 : 0.3, 1.0) + 0.1 * rng.NextGaussian()))];
        var brute = MlSpikeReference.BruteForceMap(p, grid, MlSpikeReference.Build(p, grid), y);
        var map = MlSpike.MostProbablePath(y, p, grid);
        Assert.Equal(brute.Spikes, map.Spikes);
        Assert.InRange(brute.LogJoint - map.LogJoint, -1e-4, 1e-3);
    }

    [Theory]
    [InlineData(0.004)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void BaselineKernel_HasTheRandomWalksVarianceAndSumsToOne(double spread)
    {
        var w = MlSpikeHmm.BaselineKernel(spread, 40);
        int half = w.Length / 2;
        double sum = w.Sum(), mean = 0, variance = 0;
        for (int d = -half; d <= half; d++)
        {
            mean += d * w[d + half];
            variance += d * d * w[d + half];
            Assert.Equal(w[d + half], w[half - d], 15);
        }
        Assert.Equal(1, sum, 12);
        Assert.Equal(0, mean, 12);
        Assert.Equal(spread * spread, variance, 9);
    }

    [Fact]
    public void BaselineKernel_NoDriftOrOneLevel_StaysPut()
    {
        Assert.Equal([1.0], MlSpikeHmm.BaselineKernel(0, 10));
        Assert.Equal([1.0], MlSpikeHmm.BaselineKernel(0.5, 0));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void Bracket_InterpolatesExactlyBetweenNeighbouringLevels(double spacing)
    {
        var grid = new MlSpikeGrid(37, 10, 1, 0, 0, 3, spacing);
        var rng = new Random(3);
        for (int trial = 0; trial < 1000; trial++)
        {
            double x = trial == 0 ? 10 : trial == 1 ? 0 : 10 * rng.NextDouble();
            var (k, w) = grid.Bracket(x);
            Assert.InRange(w, 0, 1 - 1e-15);
            double back = k == grid.CalciumLevels - 1 ? grid.Calcium(k) : (1 - w) * grid.Calcium(k) + w * grid.Calcium(k + 1);
            Assert.Equal(x, back, 12);
        }
    }

    [Fact]
    public void Smooth_OutlierFarFromEveryLevel_StaysFinite()
    {
        var p = Tiny(BaselineEffect.Additive) with { NoiseSigma = 0.01 };
        float[] y = [1.0f, 1.1f, 1e4f, 1.0f, 0.9f, 1.0f];
        var result = MlSpike.Run(y, p, TinyGrid);
        Assert.All(result.ExpectedSpikes, v => Assert.True(float.IsFinite(v) && v >= 0 && v <= TinyGrid.MaxSpikesPerFrame));
        Assert.True(double.IsFinite(result.LogLikelihood));
    }

    [Fact]
    public void ExpNonPositive_MatchesMathExpAboveTheCutoff_ZeroBelow()
    {
        var x = Enumerable.Range(0, 20_001).Select(i => -30f * i / 20_000).Append(float.NegativeInfinity).ToArray();
        var y = (float[])x.Clone();
        MlSpikeKernels.ExpNonPositive(y, -23f);
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] < -23f) Assert.Equal(0f, y[i]);
            else Assert.Equal(1.0, y[i] / Math.Exp(x[i]), 6);
        }
    }
}
