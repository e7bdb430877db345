using DeepSpike.Baselines;
using DeepSpike.Data;
using DeepSpike.Evaluation;
using DeepSpike.Generative;

namespace DeepSpike.Tests.Baselines;

public sealed class ScfGibbsSamplerTests
{
    private static readonly ScfSamplerParameters Theta = new(Gamma: 0.8, Amplitude: 1.0, Baseline: 0.2, NoiseSigma: 0.5, SpikeProbability: 0.2, InitialCalcium: 0.3);

    private static float[] Simulate(ScfSamplerParameters p, int frames, int seed)
    {
        var rng = new Random(seed);
        var y = new float[frames];
        double c = 0;
        for (int t = 0; t < frames; t++)
        {
            c = p.Gamma * c + (rng.NextDouble() < p.SpikeProbability ? 1 : 0);
            y[t] = (float)(p.Baseline + p.Amplitude * c + p.InitialCalcium * Math.Pow(p.Gamma, t) + p.NoiseSigma * rng.NextGaussian());
        }
        return y;
    }

    /// <summary>Posterior marginals P(s_t = 1 | f, θ) by summing over all 2^T spike trains.</summary>
    private static double[] ExactMarginals(float[] y, ScfSamplerParameters p)
    {
        int n = y.Length;
        var logWeights = new double[1 << n];
        for (int mask = 0; mask < 1 << n; mask++)
        {
            double c = 0, logp = 0;
            for (int t = 0; t < n; t++)
            {
                int s = (mask >> t) & 1;
                c = p.Gamma * c + s;
                double mean = p.Baseline + p.Amplitude * c + p.InitialCalcium * Math.Pow(p.Gamma, t);
                double r = y[t] - mean;
                logp += -0.5 * r * r / (p.NoiseSigma * p.NoiseSigma) + Math.Log(s == 1 ? p.SpikeProbability : 1 - p.SpikeProbability);
            }
            logWeights[mask] = logp;
        }
        double max = logWeights.Max(), total = 0;
        var marginals = new double[n];
        for (int mask = 0; mask < 1 << n; mask++)
        {
            double w = Math.Exp(logWeights[mask] - max);
            total += w;
            for (int t = 0; t < n; t++) if (((mask >> t) & 1) == 1) marginals[t] += w;
        }
        return marginals.Select(m => m / total).ToArray();
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Run_TwelveFrames_MarginalsMatchExactEnumeration(int seed, bool shiftMoves)
    {
        var y = Simulate(Theta, 12, seed);
        var exact = ExactMarginals(y, Theta);
        var result = ScfGibbsSampler.Run(y, Theta, new McmcOptions(Sweeps: 200_000, BurnIn: 1000, SampleParameters: false, ShiftMoves: shiftMoves), seed);
        // Monte-Carlo error of a Rao–Blackwellised average over 2·10^5 correlated sweeps is ~10^-3.
        for (int t = 0; t < y.Length; t++)
            Assert.True(Math.Abs(exact[t] - result.SpikeProbability[t]) < 0.01, $"frame {t}: exact {exact[t]:F4}, sampler {result.SpikeProbability[t]:F4}");
    }

    [Fact]
    public void Run_SpikeCount_MatchesExactPosteriorMean()
    {
        var y = Simulate(Theta, 12, 5);
        double exactMean = ExactMarginals(y, Theta).Sum();
        var result = ScfGibbsSampler.Run(y, Theta, new McmcOptions(Sweeps: 200_000, BurnIn: 1000, SampleParameters: false), 5);
        Assert.Equal(exactMean, result.SpikeCountMean, 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Run_EasySimulatedTraceWithEstimatedParameters_ProbabilitiesCorrelateWithTruth(int seed)
    {
        var data = OasisDeconvolveTests.Simulate(1, 5000, seed);
        var y = data.Calcium.Traces[0];
        var start = ScfSamplerStart.Estimate(y);
        var result = ScfGibbsSampler.Run(y, start.Parameters, new McmcOptions(Sweeps: 300, BurnIn: 100), seed, start.InitialSpikes);
        double r = SpikeMetrics.Evaluate(
            new TraceSet(["x"], [result.SpikeProbability], 60), new TraceSet(["x"], [data.Spikes.Traces[0]], 60), 40).Mean;
        Assert.True(r > 0.8, $"correlation at 40 ms bins {r:F3}");
    }

    [Fact]
    public void Run_SampleParameters_PosteriorMeansNearTruth()
    {
        var truth = new ScfSamplerParameters(Gamma: 0.97, Amplitude: 1.0, Baseline: 0.5, NoiseSigma: 0.2, SpikeProbability: 0.02);
        var y = Simulate(truth, 6000, 9);
        // Start away from the truth: the conditionals must pull A, β, σ and ρ back.
        var start = truth with { Amplitude = 1.4, Baseline = 0.3, NoiseSigma = 0.3, SpikeProbability = 0.01 };
        var result = ScfGibbsSampler.Run(y, start, new McmcOptions(Sweeps: 400, BurnIn: 200), 9);
        Assert.InRange(result.Parameters.Amplitude, 0.9, 1.1);
        Assert.InRange(result.Parameters.Baseline, 0.45, 0.55);
        Assert.InRange(result.Parameters.NoiseSigma, 0.19, 0.21);
        Assert.InRange(result.Parameters.SpikeProbability, 0.015, 0.025);
    }

    [Fact]
    public void Run_SameSeed_SameOutput_OtherSeed_Differs()
    {
        var y = Simulate(Theta, 300, 1);
        var options = new McmcOptions(Sweeps: 50, BurnIn: 10);
        var a = ScfGibbsSampler.Run(y, Theta, options, 7).SpikeProbability;
        Assert.Equal(a, ScfGibbsSampler.Run(y, Theta, options, 7).SpikeProbability);
        Assert.NotEqual(a, ScfGibbsSampler.Run(y, Theta, options, 8).SpikeProbability);
    }

    [Fact]
    public void Estimate_EasySimulatedTrace_ParametersNearTruth()
    {
        var data = OasisDeconvolveTests.Simulate(1, 20_000, 4);
        var truth = data.Meta.Traces![0].Parameters;
        var p = ScfSamplerStart.Estimate(data.Calcium.Traces[0]).Parameters;
        Assert.InRange(p.Gamma - truth["gamma1"], -0.01, 0.01);
        Assert.InRange(p.Amplitude / (truth["alpha"] * truth["delta"]), 0.8, 1.2);
        Assert.InRange(p.NoiseSigma / truth["sigma"], 0.9, 1.15);
        Assert.InRange(p.SpikeProbability * 60, 0.5, 1.5);
        Assert.InRange(p.Baseline, -0.2, 0.2);
    }

    public static TheoryData<ScfSamplerParameters, string> BadParameters() => new()
    {
        { Theta with { Gamma = 1 }, "AR(1) coefficient" },
        { Theta with { Amplitude = 0 }, "amplitude" },
        { Theta with { NoiseSigma = -1 }, "noise sigma" },
        { Theta with { SpikeProbability = 0 }, "spike probability" },
        { Theta with { Baseline = double.NaN }, "baseline" },
        { Theta with { InitialCalcium = -1 }, "initial calcium" },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public void Run_BadParameters_ThrowsNamingTheValue(ScfSamplerParameters parameters, string expected)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => ScfGibbsSampler.Run(Simulate(Theta, 20, 1), parameters));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Run_BadOptionsOrStart_Throws()
    {
        var y = Simulate(Theta, 20, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScfGibbsSampler.Run(y, Theta, new McmcOptions(Sweeps: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScfGibbsSampler.Run(y, Theta, new McmcOptions(BurnIn: -1)));
        Assert.Contains("19 frames", Assert.Throws<ArgumentException>(() => ScfGibbsSampler.Run(y, Theta, initialSpikes: new float[19])).Message);
        Assert.Contains("NaN at frame 3", Assert.Throws<ArgumentException>(() => ScfGibbsSampler.Run([1, 2, 3, float.NaN], Theta)).Message);
    }
}
