using DeepSpike.Baselines;
using DeepSpike.Generative;
using DeepSpike.Simulation;

namespace DeepSpike.Tests.Baselines;

public sealed class OasisDeconvolveTests
{
    /// <summary>High-SNR cells (single-spike SNR 5–8), 1 Hz at 60 Hz.</summary>
    private static readonly ScfSimulationProtocol Easy = new((0.5, 1.0), (5, 8));

    internal static SimulatedDataset Simulate(int arOrder, int frames, int seed, ScfSimulationProtocol? protocol = null) =>
        (protocol ?? Easy).Simulate(cells: 1, ratesHz: [1.0], frames, frameRateHz: 60, seed, arOrder);

    private static double ResidualSumOfSquares(float[] y, DeconvolutionResult r)
    {
        double rss = 0;
        for (int t = 0; t < y.Length; t++)
        {
            double e = y[t] - r.Baseline - r.Calcium[t];
            rss += e * e;
        }
        return rss;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(2, 4)]
    public void Deconvolve_NoiseConstrained_ResidualIsNoiseVarianceTimesFrames(int order, int seed)
    {
        var y = Simulate(order, 3000, seed).Calcium.Traces[0];
        var r = Oasis.Deconvolve(y, new OasisOptions(ArOrder: order));
        double threshold = r.NoiseSigma * r.NoiseSigma * y.Length;
        Assert.Equal(1.0, ResidualSumOfSquares(y, r) / threshold, 3);
        Assert.True(r.Lambda > 0);
        // b is optimal for the returned λ: the residual has mean 0.
        Assert.Equal(0, y.Select((v, t) => v - r.Baseline - r.Calcium[t]).Average(), 3);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    public void Deconvolve_NoiseConstrained_IsTheExactSolutionAtTheReturnedParameters(int order, int seed)
    {
        var y = Simulate(order, 3000, seed).Calcium.Traces[0];
        var r = Oasis.Deconvolve(y, new OasisOptions(ArOrder: order));
        // A fresh solve from scratch at (γ, λ, b) — no warm starts — gives the same calcium.
        var fresh = Oasis.Solve(y, r.Ar, r.Lambda, r.Baseline);
        for (int t = 0; t < y.Length; t++) Assert.Equal(fresh.Calcium[t], r.Calcium[t], 4);
        for (int t = 0; t < y.Length; t++) Assert.Equal(fresh.Spikes[t], r.Spikes[t], 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Deconvolve_GivenLambda_BaselineMakesTheResidualMeanZero(int order)
    {
        var y = Simulate(order, 2000, 5).Calcium.Traces[0];
        var r = Oasis.Deconvolve(y, new OasisOptions(ArOrder: order, Lambda: 0.5));
        Assert.Equal(0.5, r.Lambda);
        Assert.True(double.IsNaN(r.NoiseSigma));
        Assert.Equal(0, y.Select((v, t) => v - r.Baseline - r.Calcium[t]).Average(), 6);
        var fresh = Oasis.Solve(y, r.Ar, 0.5, r.Baseline);
        for (int t = 0; t < y.Length; t++) Assert.Equal(fresh.Calcium[t], r.Calcium[t], 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Deconvolve_GivenBaseline_LambdaMeetsTheNoiseConstraint(int order)
    {
        var y = Simulate(order, 2000, 6).Calcium.Traces[0];
        var r = Oasis.Deconvolve(y, new OasisOptions(ArOrder: order, Baseline: 0));
        Assert.Equal(0, r.Baseline);
        Assert.Equal(1.0, ResidualSumOfSquares(y, r) / (r.NoiseSigma * r.NoiseSigma * y.Length), 3);
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(1, 12)]
    [InlineData(2, 13)]
    [InlineData(2, 14)]
    public void Deconvolve_EasySimulatedTrace_SpikesCorrelateWithTruth(int order, int seed)
    {
        var data = Simulate(order, 10_000, seed);
        var r = Oasis.Deconvolve(data.Calcium.Traces[0], new OasisOptions(ArOrder: order));
        double correlation = Pearson(r.Spikes, data.Spikes.Traces[0]);
        Assert.True(correlation > 0.8, $"correlation with the true spikes {correlation:F3}");
    }

    [Fact]
    public void Deconvolve_PureNoise_ReturnsNoSpikes()
    {
        var rng = new Random(3);
        var y = Enumerable.Range(0, 4000).Select(_ => (float)(2 + 0.5 * rng.NextGaussian())).ToArray();
        // With σ a little above the noise, a flat line at the mean already fits to within σ²T.
        var r = Oasis.Deconvolve(y, new OasisOptions(NoiseSigma: 0.6, Ar: [0.9]));
        Assert.All(r.Calcium, c => Assert.Equal(0, c));
        Assert.Equal(y.Average(), r.Baseline, 4);
    }

    /// <summary>
    /// With b free, a tiny σ is still reachable: lowering b lets a large decaying calcium level absorb the
    /// noise. The search must follow it down to λ ≈ 0 and still meet the constraint.
    /// </summary>
    [Fact]
    public void Deconvolve_TinyNoise_MeetsTheConstraintWithLambdaNearZero()
    {
        var y = Simulate(1, 2000, 8).Calcium.Traces[0];
        var r = Oasis.Deconvolve(y, new OasisOptions(NoiseSigma: 1e-2));
        Assert.InRange(r.Lambda, 0, 1e-2);
        Assert.Equal(1.0, ResidualSumOfSquares(y, r) / (1e-4 * y.Length), 2);
    }

    public static TheoryData<float[], string> BadTraces() => new()
    {
        { [], "empty" },
        { [1, 2, float.NaN, 4], "NaN at frame 2" },
        { Enumerable.Repeat(3f, 100).ToArray(), "constant" },
        { Enumerable.Range(0, 100).Select(i => i == 50 ? float.PositiveInfinity : i % 7).Select(v => (float)v).ToArray(), "at frame 50" },
        { [1, 2, 3, 2, 1], "at least 32" },
    };

    [Theory]
    [MemberData(nameof(BadTraces))]
    public void Deconvolve_BadTrace_ThrowsArgumentExceptionSayingWhy(float[] y, string expected)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Oasis.Deconvolve(y));
        Assert.Contains(expected, e.Message);
    }

    public static TheoryData<OasisOptions, string> BadOptions() => new()
    {
        { new OasisOptions(ArOrder: 3), "AR order must be 1 or 2" },
        { new OasisOptions(Ar: [1.2]), "(0, 1)" },
        { new OasisOptions(ArOrder: 2, Ar: [1.0, -0.5]), "complex" },
        { new OasisOptions(ArOrder: 2, Ar: [0.9]), "1 AR coefficients" },
        { new OasisOptions(NoiseSigma: 0), "noise sigma" },
        { new OasisOptions(NoiseSigma: double.NaN), "noise sigma" },
        { new OasisOptions(Lambda: -1), "lambda" },
        { new OasisOptions(MinSpikeSize: -0.1), "minimum spike size" },
        { new OasisOptions(ArShrinkage: 0), "shrinkage" },
        { new OasisOptions(Baseline: double.PositiveInfinity), "baseline" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Deconvolve_BadOptions_ThrowsNamingTheValue(OasisOptions options, string expected)
    {
        var y = Simulate(1, 200, 1).Calcium.Traces[0];
        var e = Assert.ThrowsAny<ArgumentException>(() => Oasis.Deconvolve(y, options));
        Assert.Contains(expected, e.Message);
    }

    internal static double Pearson(float[] a, float[] b)
    {
        double ma = a.Average(v => (double)v), mb = b.Average(v => (double)v), ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
