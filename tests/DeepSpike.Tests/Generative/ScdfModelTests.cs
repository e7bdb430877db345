using System.Globalization;
using DeepSpike.Engine;
using DeepSpike.Generative;
using DeepSpike.Models;
using DeepSpike.Simulation;

namespace DeepSpike.Tests.Generative;

public sealed class ScdfModelTests
{
    private const double FrameRate = 60;

    /// <summary>A valid parameter set in the stable regime: single spikes ~8 % occupancy, η = 1.5.</summary>
    private static ScdfParameters Typical(double[]? gamma = null) =>
        new(gamma ?? [0.95], KOn: 0.02, KOff: 0.2, Hill: 1.5, DyeTotal: 1.3, Alpha: 2.0, Beta: 0.1, Sigma: 0.05, SpikeRateHz: 1.2);

    /// <summary>
    /// <c>log p(f | s)</c> of one chunk in double, straight from eq. 3 and the documented chunk start: the dye
    /// held at clamp((f̄_{0..2} − β)/α, 0, 0.9[D]) and the calcium at the level that keeps it in steady state.
    /// </summary>
    private static double DirectLogLikelihood(ScdfParameters p, ReadOnlySpan<float> f, ReadOnlySpan<float> s, out double initialDye)
    {
        double head = (f[0] + f[1] + f[2]) / 3.0;
        double d = Math.Clamp((head - p.Beta) / p.Alpha, 0, 0.9 * p.DyeTotal);
        initialDye = d;
        double c0 = d > 0 ? Math.Pow(p.KOff * d / (p.KOn * (p.DyeTotal - d)), 1 / p.Hill) : 0;
        var history = Enumerable.Repeat(c0, p.Gamma.Length).ToArray();
        double ll = 0;
        for (int t = 0; t < f.Length; t++)
        {
            double c = s[t];
            for (int j = 0; j < history.Length; j++) c += p.Gamma[j] * history[j];
            for (int j = history.Length - 1; j > 0; j--) history[j] = history[j - 1];
            history[0] = c;
            d = d + p.KOn * (c > 0 ? Math.Pow(c, p.Hill) : 0) * (p.DyeTotal - d) - p.KOff * d;
            double r = f[t] - (p.Alpha * d + p.Beta);
            ll += -0.5 * r * r / (p.Sigma * p.Sigma) - Math.Log(p.Sigma) - 0.5 * Math.Log(2 * Math.PI);
        }
        return ll;
    }

    /// <summary>Peak of the noise-free fluorescence above β after n spikes in n consecutive frames.</summary>
    private static double BurstPeak(IGenerativeModel model, GenerativeParameters theta, int n, double beta)
    {
        var s = new float[400];
        for (int t = 10; t < 10 + n; t++) s[t] = 1;
        return model.MeanFluorescence(theta, new Tensor(s, 1, s.Length)).Data.Max() - beta;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FromPhysical_ThenToPhysical_RoundTrips(int order)
    {
        var model = new ScdfModel(new ScdfOptions(ArOrder: order));
        double[] gamma = order == 1 ? [0.95] : [0.95 + 0.5, -0.95 * 0.5];
        var p = Typical(gamma);
        var back = model.ToPhysical(model.FromPhysical(p, FrameRate), FrameRate);
        for (int j = 0; j < order; j++) Assert.Equal(gamma[j], back.Gamma[j], 5);
        Assert.Equal(p.KOn, back.KOn, 1e-5 * p.KOn);
        Assert.Equal(p.KOff, back.KOff, 1e-5);
        Assert.Equal(p.Hill, back.Hill, 5);
        Assert.Equal(p.DyeTotal, back.DyeTotal, 5);
        Assert.Equal(p.Alpha, back.Alpha, 5);
        Assert.Equal(p.Beta, back.Beta, 5);
        Assert.Equal(p.Sigma, back.Sigma, 5);
        Assert.Equal(p.SpikeRateHz, back.SpikeRateHz, 3);
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.1)]
    [InlineData(1.5)]
    public void UnbindingRate_FromTauThenToTau_ReturnsTau(double tauOff) =>
        Assert.Equal(tauOff, ScdfModel.UnbindingRateToTau(ScdfModel.UnbindingRateFromTau(tauOff, FrameRate), FrameRate), 10);

    [Fact]
    public void BindingRateForOccupancy_ConstantUnitCalcium_BindsThatFraction()
    {
        // Calcium held at one spike's increment (γ → 1 keeps c ≈ 1): d → [D] u₁.
        double kOff = 0.2, kOn = ScdfModel.BindingRateForOccupancy(kOff, 0.25);
        var model = new ScdfModel();
        var theta = model.FromPhysical(Typical([0.999999]) with { KOn = kOn, KOff = kOff, Hill = 2.7, DyeTotal = 2, Alpha = 1, Beta = 0 }, FrameRate);
        var s = new float[200]; s[0] = 1;
        var f = model.MeanFluorescence(theta, new Tensor(s, 1, 200)).Data;
        Assert.Equal(2 * 0.25, f[^1], 3);
    }

    public static TheoryData<string, ScdfParameters> BadParameters => new()
    {
        { "DyeTotal", Typical() with { DyeTotal = 0 } },
        { "DyeTotal", Typical() with { DyeTotal = -1.5 } },
        { "DyeTotal", Typical() with { DyeTotal = double.NaN } },
        { "KOn", Typical() with { KOn = 0 } },
        { "KOn", Typical() with { KOn = -0.2 } },
        { "KOff", Typical() with { KOff = 0 } },
        { "KOff", Typical() with { KOff = 1 } },
        { "KOff", Typical() with { KOff = double.NaN } },
        { "Hill", Typical() with { Hill = 0 } },
        { "Hill", Typical() with { Hill = -2 } },
        { "Alpha", Typical() with { Alpha = -1 } },
        { "Sigma", Typical() with { Sigma = 0 } },
        { "Beta", Typical() with { Beta = double.PositiveInfinity } },
        { "SpikeRateHz", Typical() with { SpikeRateHz = -1 } },
        { "gamma", Typical([1.2]) },
        { "gamma", Typical([0.0]) },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public void FromPhysical_OutOfRangeValue_ThrowsNamingIt(string name, ScdfParameters p)
    {
        var model = new ScdfModel();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.FromPhysical(p, FrameRate));
        Assert.Equal(name, e.ParamName);
        double value = name switch
        {
            "DyeTotal" => p.DyeTotal, "KOn" => p.KOn, "KOff" => p.KOff, "Hill" => p.Hill, "Alpha" => p.Alpha,
            "Sigma" => p.Sigma, "Beta" => p.Beta, "SpikeRateHz" => p.SpikeRateHz, _ => p.Gamma[0],
        };
        Assert.Contains($"got {value.ToString(CultureInfo.CurrentCulture)}", e.Message);
    }

    [Fact]
    public void FromPhysical_ComplexAr2Roots_ThrowsNamingDiscriminant()
    {
        var model = new ScdfModel(new ScdfOptions(ArOrder: 2));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.FromPhysical(Typical([1.0, -0.5]), FrameRate));
        Assert.Contains("complex roots", e.Message);
    }

    [Theory]
    [InlineData(nameof(ScdfOptions.ArOrder))]
    [InlineData(nameof(ScdfOptions.InitialTauOffSeconds))]
    [InlineData(nameof(ScdfOptions.InitialSingleSpikeOccupancy))]
    [InlineData(nameof(ScdfOptions.InitialHill))]
    public void Options_OutOfRange_ThrowsNamingIt(string name)
    {
        var bad = name switch
        {
            nameof(ScdfOptions.ArOrder) => new ScdfOptions(ArOrder: 3),
            nameof(ScdfOptions.InitialTauOffSeconds) => new ScdfOptions(InitialTauOffSeconds: 0),
            nameof(ScdfOptions.InitialSingleSpikeOccupancy) => new ScdfOptions(InitialSingleSpikeOccupancy: 1),
            _ => new ScdfOptions(InitialHill: double.NaN),
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ScdfModel(bad));
        Assert.Equal(name, e.ParamName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void LogLikelihood_MatchesDirectDoubleLoop_IncludingChunkStartState(int order)
    {
        var model = new ScdfModel(new ScdfOptions(ArOrder: order));
        double[] gamma = order == 1 ? [0.95] : [0.95 + 0.4, -0.95 * 0.4];
        var theta = model.FromPhysical(Typical(gamma) with { Sigma = 0.1 }, FrameRate);
        var p = model.ToPhysical(theta, FrameRate); // the float-rounded values the ops see
        var rng = new Random(11);
        const int frames = 150, samples = 3, chunks = 2;
        var (f, s) = LikelihoodCases.ChunksAfterBurst(model, theta, rng, frames, samples);

        var ll = model.LogLikelihood(theta, new Tensor(f, chunks, frames), new Tensor(s, samples, chunks, frames));

        Assert.Equal([samples, chunks], ll.Shape);
        double lastInitialDye = 0;
        for (int k = 0; k < samples; k++)
            for (int b = 0; b < chunks; b++)
            {
                double expected = DirectLogLikelihood(p, f.AsSpan(b * frames, frames), s.AsSpan((k * chunks + b) * frames, frames), out lastInitialDye);
                Assert.Equal(expected, ll.Data[k * chunks + b], Math.Max(0.02, 1e-5 * Math.Abs(expected)));
            }
        Assert.True(lastInitialDye > 0.05, $"the second chunk should start with bound dye, got {lastInitialDye}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void LogLikelihood_Gradients_MatchFiniteDifferencesForEveryParameter(int order)
    {
        var model = new ScdfModel(new ScdfOptions(ArOrder: order));
        double[] gamma = order == 1 ? [0.9] : [0.9 + 0.4, -0.9 * 0.4];
        // A strongly nonlinear regime (bursts reach ~40 % occupancy) so every parameter matters.
        var theta = model.FromPhysical(new ScdfParameters(gamma, KOn: 0.08, KOff: 0.3, Hill: 1.6, DyeTotal: 1.2, Alpha: 2, Beta: 0.05, Sigma: 0.3, SpikeRateHz: 1), FrameRate);
        var rng = new Random(5);
        const int frames = 40, samples = 3, chunks = 2;
        var truth = LikelihoodCases.Bernoulli(rng, chunks * frames, 0.15);
        var f = model.Simulate(theta, truth, rng);
        // Below baseline: the chunk-start state is 0 for every nearby θ (it is held constant in θ).
        for (int b = 0; b < chunks; b++) f[b * frames] = f[b * frames + 1] = f[b * frames + 2] = -1f;
        var s = LikelihoodCases.Bernoulli(rng, samples * chunks * frames, 0.15);
        var weights = new float[samples * chunks];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(rng.NextDouble() - 0.5);

        Tensor Ll(GenerativeParameters th) => model.LogLikelihood(th, new Tensor(f, chunks, frames), new Tensor(s, samples, chunks, frames));
        double Loss(GenerativeParameters th)
        {
            var ll = Ll(th);
            double v = 0;
            for (int i = 0; i < weights.Length; i++) v += weights[i] * ll.Data[i];
            return v;
        }

        using (var tape = new Tape())
            tape.Backward(Ops.Sum(Ops.Mul(Ll(theta), new Tensor(weights, samples, chunks))));
        int checkedCount = 0;
        foreach (var (name, tensor) in theta.NamedParameters())
        {
            if (name == BernoulliSpikePrior.ParameterName) continue;
            for (int i = 0; i < tensor.Length; i++)
            {
                // Not smaller: the float log-likelihood's rounding (~1e-5 of Σ r²/σ²) would dominate the difference.
                const float h = 3e-3f;
                var plus = theta.Clone(); plus[name].Data[i] += h;
                var minus = theta.Clone(); minus[name].Data[i] -= h;
                double numeric = (Loss(plus) - Loss(minus)) / ((double)plus[name].Data[i] - minus[name].Data[i]);
                double analytic = tensor.Grad![i];
                Assert.True(Math.Abs(numeric - analytic) <= 2e-2 * Math.Max(1, Math.Abs(numeric)), $"{name}[{i}]: analytic {analytic} vs numeric {numeric}");
                checkedCount++;
            }
        }
        Assert.Equal(7 + order, checkedCount); // roots, kon, koff, hill, [D], α, β, σ
    }

    [Fact]
    public void MeanFluorescence_BurstWithLowOccupancyPerSpike_GrowsSublinearly()
    {
        // η = 1 and one spike's calcium binds 20 % of the dye at steady state: bursts of a few spikes saturate it.
        // (Bursts stay below κ_on c + κ_off = 1, where the explicit update of eq. 3 would overshoot.)
        var model = new ScdfModel();
        double kOff = 0.2;
        var p = Typical() with { KOn = ScdfModel.BindingRateForOccupancy(kOff, 0.2), KOff = kOff, Hill = 1, DyeTotal = 0.5, Beta = 0 };
        var theta = model.FromPhysical(p, FrameRate);
        // The linear reference: the same calcium through SCF (f = αc), whose peak grows ~ n.
        var scf = new ScfModel();
        var linear = scf.FromPhysical(new ScfParameters(p.Gamma, 1, 1, 0, 1, 1), FrameRate);
        double single = BurstPeak(model, theta, 1, 0), singleLinear = BurstPeak(scf, linear, 1, 0);
        double previousRatio = 1;
        foreach (int n in new[] { 2, 4, 8, 16 })
        {
            double ratio = BurstPeak(model, theta, n, 0) / single / (BurstPeak(scf, linear, n, 0) / singleLinear);
            Assert.True(ratio < previousRatio, $"n = {n}: response relative to linear {ratio:F3} should fall below {previousRatio:F3}");
            previousRatio = ratio;
        }
        Assert.True(previousRatio < 0.5, $"16 spikes should give under half the linear response, got {previousRatio:F3}");
        Assert.True(BurstPeak(model, theta, 16, 0) < p.Alpha * p.DyeTotal, "bound dye never exceeds [D]");
    }

    [Fact]
    public void MeanFluorescence_HillAboveOneFewSpikes_Facilitates()
    {
        // η = 2 in the near-linear regime: the dye follows c², so two spikes give nearly four times one.
        var model = new ScdfModel();
        var p = Typical() with { KOn = ScdfModel.BindingRateForOccupancy(0.2, 0.005), KOff = 0.2, Hill = 2, Beta = 0 };
        var theta = model.FromPhysical(p, FrameRate);
        var scf = new ScfModel();
        var linear = scf.FromPhysical(new ScfParameters(p.Gamma, 1, 1, 0, 1, 1), FrameRate);
        double two = BurstPeak(model, theta, 2, 0) / BurstPeak(model, theta, 1, 0);
        double twoLinear = BurstPeak(scf, linear, 2, 0) / BurstPeak(scf, linear, 1, 0);
        Assert.True(two > 1.6 * twoLinear, $"two spikes: {two:F3} × one spike, linear {twoLinear:F3}");
        Assert.True(two < 4.1, $"two spikes: {two:F3} × one spike, at most (2²) for c² and a slightly decaying calcium");
    }

    [Fact]
    public void MeanFluorescence_DyeTotalTimesAlphaFixed_IsUnchanged()
    {
        // d scales with [D] (eq. 3 is homogeneous in d and [D]), so only α[D] is identified.
        var model = new ScdfModel();
        var a = model.FromPhysical(Typical(), FrameRate);
        var b = model.FromPhysical(Typical() with { DyeTotal = Typical().DyeTotal * 4, Alpha = Typical().Alpha / 4 }, FrameRate);
        var s = LikelihoodCases.Bernoulli(new Random(2), 300, 0.1);
        var fa = model.MeanFluorescence(a, new Tensor(s, 1, 300)).Data;
        var fb = model.MeanFluorescence(b, new Tensor(s, 1, 300)).Data;
        for (int t = 0; t < fa.Length; t++) Assert.Equal(fa[t], fb[t], 4);
    }

    [Fact]
    public void SingleSpikeAmplitude_MatchesPeakOfMeanFluorescence()
    {
        var model = new ScdfModel();
        var p = Typical();
        double peak = BurstPeak(model, model.FromPhysical(p, FrameRate), 1, p.Beta);
        Assert.Equal(peak, ScdfModel.SingleSpikeAmplitude(p), 1e-4);
    }

    [Fact]
    public void InitialParameters_SimulatedTrace_RecoverNoiseBaselineAndAmplitudeRoughly()
    {
        var model = new ScdfModel();
        var p = new ScdfParameters([CalciumKernel.FromTau(0.7, FrameRate)], ScdfModel.BindingRateForOccupancy(0.15, 0.1), 0.15, 1, 1, 10, 0.5, 0.25, 1);
        var truth = model.FromPhysical(p, FrameRate);
        var rng = new Random(4);
        var s = LikelihoodCases.Bernoulli(rng, 10_000, 1 / FrameRate);
        var estimate = model.ToPhysical(model.InitialParameters(model.Simulate(truth, s, rng), FrameRate), FrameRate);
        Assert.InRange(estimate.Sigma, 0.25 * 0.85, 0.25 * 1.15);
        Assert.InRange(estimate.Beta, 0.5 - 0.5, 0.5 + 0.5);
        double amplitude = ScdfModel.SingleSpikeAmplitude(p);
        Assert.InRange(ScdfModel.SingleSpikeAmplitude(estimate), amplitude / 1.5, amplitude * 1.5);
        double empiricalRate = s.Sum() / (s.Length / FrameRate);
        Assert.InRange(estimate.SpikeRateHz, empiricalRate / 1.5, empiricalRate * 1.5);
        // The calcium decay is measured past the dye's rise, not from the smoothed lags 1-2.
        Assert.InRange(CalciumKernel.ToTau(estimate.Gamma[0], FrameRate), 0.7 / 1.25, 0.7 * 1.25);
        Assert.Equal(1, estimate.DyeTotal, 5);
        // The default kinetics: near-linear single spikes, stable for bursts of dozens of spikes at 60 Hz.
        Assert.Equal(0.1, estimate.KOn / (estimate.KOn + estimate.KOff), 4);
        Assert.True(estimate.KOn * 30 + estimate.KOff < 1);
    }

    [Fact]
    public void Describe_ReportsPhysicalUnits()
    {
        var model = new ScdfModel();
        var p = Typical([CalciumKernel.FromTau(0.8, FrameRate)]) with { KOff = ScdfModel.UnbindingRateFromTau(0.12, FrameRate) };
        var d = model.Describe(model.FromPhysical(p, FrameRate), FrameRate);
        Assert.Equal(0.8, d["tau_decay_s"], 4);
        Assert.Equal(0.12, d["tau_off_s"], 4);
        Assert.Equal(p.KOn, d["kon"], 1e-5 * p.KOn);
        Assert.Equal(p.KOff, d["koff"], 5);
        Assert.Equal(p.Hill, d["hill"], 5);
        Assert.Equal(p.DyeTotal, d["dye_total"], 5);
        Assert.Equal(p.Alpha, d["alpha"], 5);
        Assert.Equal(p.Beta, d["beta"], 5);
        Assert.Equal(p.Sigma, d["sigma"], 5);
        Assert.Equal(p.SpikeRateHz, d["spike_rate_hz"], 3);
        Assert.Equal(ScdfModel.SingleSpikeAmplitude(p) / p.Sigma, d["snr"], 1e-3 * d["snr"]);
    }

    [Fact]
    public void ModelRegistry_Scdf_CreatesScdfModel()
    {
        Assert.Contains("scdf", ModelRegistry.GenerativeNames);
        var model = ModelRegistry.CreateGenerative("scdf");
        Assert.IsType<ScdfModel>(model);
        Assert.Equal("scdf", model.Name);
    }

    [Fact]
    public void ScdfSimulationProtocol_SameSeed_IsDeterministicAndMetaMatchesDraws()
    {
        var a = ScdfSimulationProtocol.Paper.Simulate(3, [0.5, 1], 2000, FrameRate, seed: 8);
        var b = ScdfSimulationProtocol.Paper.Simulate(3, [0.5, 1], 2000, FrameRate, seed: 8);
        Assert.Equal(6, a.Calcium.Count);
        Assert.Equal("scdf", a.Meta.Generative);
        for (int i = 0; i < 6; i++) Assert.Equal(a.Calcium.Traces[i], b.Calcium.Traces[i]);
        foreach (var trace in a.Meta.Traces!)
        {
            var q = trace.Parameters;
            Assert.InRange(q["tau_decay_s"], 0.7 * 0.8 - 1e-6, 0.7 * 1.2 + 1e-6);
            Assert.InRange(q["tau_off_s"], 0.1 * 0.8 - 1e-6, 0.1 * 1.2 + 1e-6);
            Assert.InRange(q["hill"], 1.5 * 0.8 - 1e-6, 1.5 * 1.2 + 1e-6);
            Assert.InRange(q["snr"], 3.5 * 0.8, 3.5 * 1.2);
            // The drawn SNR is the model's single-spike amplitude over σ.
            var p = new ScdfParameters([q["gamma1"]], q["kon"], q["koff"], q["hill"], q["dye_total"], q["alpha"], q["beta"], q["sigma"], q["spike_rate_hz"]);
            Assert.Equal(q["snr"], ScdfModel.SingleSpikeAmplitude(p) / p.Sigma, 1e-3 * q["snr"]);
        }
        // Traces of one cell share its parameters.
        Assert.Equal(a.Meta.Traces![0].Parameters["kon"], a.Meta.Traces[1].Parameters["kon"]);
    }
}
