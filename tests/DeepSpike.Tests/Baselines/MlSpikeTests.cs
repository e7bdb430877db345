using DeepSpike.Baselines;
using DeepSpike.Evaluation;

namespace DeepSpike.Tests.Baselines;

public sealed class MlSpikeTests
{
    private const double FrameRateHz = 60, BinMs = 16.6;

    /// <summary>Raw fluorescence: baseline 100 drifting by 1 per √s, one spike = 10 % ΔF/F, σ = 2.5 (SNR 4).</summary>
    private static readonly MlSpikeParameters Raw = new(FrameRateHz, TauDecaySeconds: 1.0, Amplitude: 0.1, NoiseSigma: 2.5,
        SpikeRateHz: 1.0, DriftPerSqrtSecond: 1.0, Effect: BaselineEffect.Multiplicative);

    /// <summary>ΔF/F: one spike = 1, σ = 0.3, a slower and sparser cell.</summary>
    private static readonly MlSpikeParameters DeltaF = new(FrameRateHz, TauDecaySeconds: 1.5, Amplitude: 1.0, NoiseSigma: 0.3,
        SpikeRateHz: 0.6, DriftPerSqrtSecond: 0.01, Effect: BaselineEffect.Additive);

    /// <summary>A fast indicator at lower SNR (2.5).</summary>
    private static readonly MlSpikeParameters Fast = new(FrameRateHz, TauDecaySeconds: 0.4, Amplitude: 1.0, NoiseSigma: 0.4,
        SpikeRateHz: 1.0, DriftPerSqrtSecond: 0.01, Effect: BaselineEffect.Additive);

    /// <summary>GCaMP6-like supralinear indicator (MLspike's polynomial), raw fluorescence, SNR 5.</summary>
    private static readonly MlSpikeParameters Gcamp = new(FrameRateHz, TauDecaySeconds: 1.5, Amplitude: 0.1, NoiseSigma: 2,
        SpikeRateHz: 0.8, DriftPerSqrtSecond: 1.0, Effect: BaselineEffect.Multiplicative, Nonlinearity: new IndicatorNonlinearity(Polynomial: [0.73, -0.05]));

    private static (float[] F, float[] Spikes) Simulate(MlSpikeParameters p, int seed, int frames = 10_000) =>
        MlSpikeReference.Simulate(p, frames, seed, p.Effect == BaselineEffect.Multiplicative ? 100 : 0);

    private static double Correlation(float[] estimate, float[] truth) =>
        SpikeMetrics.Pearson(SpikeMetrics.Bin(estimate, FrameRateHz, BinMs), SpikeMetrics.Bin(truth, FrameRateHz, BinMs));

    public static TheoryData<string, int> Cells() => new()
    {
        { nameof(Raw), 1 },
        { nameof(DeltaF), 2 },
        { nameof(Fast), 3 },
        { nameof(Gcamp), 4 },
    };

    private static MlSpikeParameters Cell(string name) => name switch
    {
        nameof(Raw) => Raw,
        nameof(DeltaF) => DeltaF,
        nameof(Gcamp) => Gcamp,
        _ => Fast,
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void Infer_OwnSimulation_ExpectedSpikesAndMapCorrelateWithTruth(string cell, int seed)
    {
        var p = Cell(cell);
        var (f, spikes) = Simulate(p, seed);
        var result = MlSpike.Infer(f, FrameRateHz, new MlSpikeOptions(Nonlinearity: p.Nonlinearity, ComputeMap: true));
        double marginal = Correlation(result.ExpectedSpikes, spikes);
        double map = Correlation([.. result.Map!.Spikes.Select(n => (float)n)], spikes);
        // Chance level is ~0; these cells are at SNR 2.5–4 and the model is the one simulated.
        double expected = p == Fast ? 0.75 : 0.85;
        Assert.True(marginal > expected, $"posterior mean vs truth r = {marginal:F3}");
        Assert.True(map > expected - 0.05, $"MAP vs truth r = {map:F3}");
        Assert.Equal(p.Effect, result.Parameters.Effect);
        Assert.InRange(result.ExpectedSpikes.Sum(), 0.9 * spikes.Sum(), 1.1 * spikes.Sum());
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Calibrate_OwnSimulation_RecoversAmplitudeAndDecay(string cell, int seed)
    {
        var p = Cell(cell);
        var (f, _) = Simulate(p, seed + 10);
        var calibrated = MlSpikeCalibration.Calibrate(f, FrameRateHz, new MlSpikeOptions(Nonlinearity: p.Nonlinearity)).Parameters;
        // Linear indicator: A within 8 %, τ within 15 %, what 5000 calibration frames (~50–90 spikes) pin down after
        // the grid extrapolation. With the supralinear GCaMP polynomial the estimates trade A against τ (over ten
        // seeds A was 1–17 % high and τ 7–22 % low) and the spectral σ is 20–35 % high (bursts put power in the
        // noise band), so the bounds are wider there.
        bool linear = p.Nonlinearity is null;
        Assert.InRange(calibrated.Amplitude / p.Amplitude, linear ? 0.92 : 0.9, linear ? 1.08 : 1.25);
        Assert.InRange(calibrated.TauDecaySeconds / p.TauDecaySeconds, linear ? 0.85 : 0.7, linear ? 1.15 : 1.1);
        Assert.InRange(calibrated.NoiseSigma / p.NoiseSigma, 0.9, linear ? 1.1 : 1.4);
        Assert.InRange(calibrated.SpikeRateHz / p.SpikeRateHz, 0.8, 1.25);
    }

    [Fact]
    public void Infer_SparseLowSnrScfCell_FindsFewLargeSpikesNotManySmallOnes()
    {
        // An SCF-Sim cell (SNR 2.4, 0.6 Hz) whose cumulant start says ~8 Hz of small spikes: with λ held there, the
        // likelihood preferred A ≈ 0.3 and 1100 spikes; tying λ to A during the search finds the ~100 true ones.
        var data = Simulation.ScfSimulationProtocol.Paper.Simulate(cells: 4, ratesHz: [0.6, 1.1], frames: 10_000, frameRateHz: FrameRateHz, seed: 3);
        var (f, spikes) = (data.Calcium.Traces[6], data.Spikes.Traces[6]);
        var result = MlSpike.Infer(f, FrameRateHz);
        Assert.InRange(result.ExpectedSpikes.Sum(), 0.8 * spikes.Sum(), 1.2 * spikes.Sum());
        Assert.True(Correlation(result.ExpectedSpikes, spikes) > 0.75);
    }

    [Fact]
    public void Run_KnownModel_ExpectedSpikesCorrelateWithTruth()
    {
        var (f, spikes) = Simulate(DeltaF, 4, 6000);
        var grid = new MlSpikeGrid(81, 10, 12, -0.6, 0.6);
        var result = MlSpike.Run(f, DeltaF, grid);
        Assert.True(Correlation(result.ExpectedSpikes, spikes) > 0.9);
        Assert.All(result.SpikeProbability, v => Assert.InRange(v, 0f, 1f));
        for (int t = 0; t < f.Length; t++) Assert.True(result.SpikeProbability[t] <= result.ExpectedSpikes[t] + 1e-5f);
    }

    [Fact]
    public void Infer_GivenParameters_KeepsThem()
    {
        var (f, _) = Simulate(DeltaF, 5, 3000);
        var options = new MlSpikeOptions(Effect: BaselineEffect.Additive, TauDecaySeconds: 1.2, Amplitude: 0.8, NoiseSigma: 0.35, SpikeRateHz: 0.5);
        var p = MlSpike.Infer(f, FrameRateHz, options).Parameters;
        Assert.Equal((1.2, 0.8, 0.35, 0.5), (p.TauDecaySeconds, p.Amplitude, p.NoiseSigma, p.SpikeRateHz));
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
    public void Infer_BadTrace_ThrowsArgumentExceptionSayingWhy(float[] y, string expected)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => MlSpike.Infer(y, FrameRateHz));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [MemberData(nameof(BadTraces))]
    public void Run_BadTrace_ThrowsLikeTheOtherBaselines(float[] y, string expected)
    {
        if (expected == "at least 32") return; // a known model needs no minimum length
        var e = Assert.ThrowsAny<ArgumentException>(() => MlSpike.Run(y, DeltaF, new MlSpikeGrid(11, 5, 4, -1, 1)));
        Assert.Contains(expected, e.Message);
    }

    public static TheoryData<MlSpikeOptions, string> BadOptions() => new()
    {
        { new MlSpikeOptions(DriftPerSqrtSecond: -0.1), "drift" },
        { new MlSpikeOptions(TauDecaySeconds: 0), "decay time constant" },
        { new MlSpikeOptions(Amplitude: double.NaN), "spike amplitude" },
        { new MlSpikeOptions(NoiseSigma: -1), "noise sigma" },
        { new MlSpikeOptions(SpikeRateHz: 0), "spike rate" },
        { new MlSpikeOptions(TauRangeSeconds: (2, 1)), "tau range" },
        { new MlSpikeOptions(AmplitudeRangeSigmas: (0, 10)), "amplitude range" },
        { new MlSpikeOptions(Resolution: new MlSpikeResolution(CalciumLevels: 1)), "calcium levels" },
        { new MlSpikeOptions(Resolution: new MlSpikeResolution(CalibrationCalciumLevels: 81)), "fewer than" },
        { new MlSpikeOptions(Resolution: new MlSpikeResolution(MaxSpikesPerFrame: 0)), "maximum spikes per frame" },
        { new MlSpikeOptions(Resolution: new MlSpikeResolution(CalciumSpacing: 0.5)), "spacing" },
        { new MlSpikeOptions(Resolution: new MlSpikeResolution(MinBaselineLevels: 1)), "baseline levels" },
        { new MlSpikeOptions(Nonlinearity: new IndicatorNonlinearity(Saturation: -1)), "saturation" },
        { new MlSpikeOptions(Nonlinearity: new IndicatorNonlinearity(Saturation: 0.1, Polynomial: [0.7])), "not both" },
        { new MlSpikeOptions(Nonlinearity: new IndicatorNonlinearity(Hill: 0)), "Hill" },
        { new MlSpikeOptions(CalibrationFrames: 10), "calibration frames" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Infer_BadOptions_ThrowsNamingTheValue(MlSpikeOptions options, string expected)
    {
        var (f, _) = Simulate(DeltaF, 1, 200);
        var e = Assert.ThrowsAny<ArgumentException>(() => MlSpike.Infer(f, FrameRateHz, options));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Infer_PositiveRawTrace_IsMultiplicative_DeltaFTrace_IsAdditive()
    {
        var raw = Simulate(Raw, 7, 2000).F;
        var deltaF = Simulate(DeltaF, 7, 2000).F;
        Assert.Equal(BaselineEffect.Multiplicative, MlSpikeCalibration.Calibrate(raw, FrameRateHz).Parameters.Effect);
        Assert.Equal(BaselineEffect.Additive, MlSpikeCalibration.Calibrate(deltaF, FrameRateHz).Parameters.Effect);
    }

    [Theory]
    [InlineData(0.0, 1.0, 0.0, 1.0)]
    [InlineData(0.5, 1.0, 0.0, 1.0 / 1.5)]
    [InlineData(0.0, 2.0, 1.0, 3.0)]
    public void IndicatorNonlinearity_Apply_IsMlSpikesFormula(double saturation, double hill, double offset, double expectedAtOne)
    {
        var p = new IndicatorNonlinearity(saturation, hill, offset);
        Assert.Equal(expectedAtOne, p.Apply(1), 12);
        Assert.Equal(0, p.Apply(0), 12);
    }

    [Fact]
    public void IndicatorNonlinearity_Polynomial_OneSpikeIsOneAndCurves()
    {
        // GCaMP-like supralinearity: p(c) = (1 − 0.73 + 0.05) c + 0.73 c² − 0.05 c³.
        var p = new IndicatorNonlinearity(Polynomial: [0.73, -0.05]);
        Assert.Equal(1, p.Apply(1), 12);
        Assert.Equal(0.32 * 2 + 0.73 * 4 - 0.05 * 8, p.Apply(2), 12);
        Assert.True(IndicatorNonlinearity.Linear.IsLinear);
        Assert.False(p.IsLinear);
    }

    [Fact]
    public void Stretches_LongTrace_EvenlySpreadFromStartToEnd_ShortTraceWhole()
    {
        var y = Enumerable.Range(0, 10_000).Select(i => (float)i).ToArray();
        var stretches = MlSpikeCalibration.Stretches(y, 5000);
        Assert.Equal(MlSpikeCalibration.StretchCount, stretches.Length);
        Assert.All(stretches, s => Assert.Equal(5000 / MlSpikeCalibration.StretchCount, s.Length));
        Assert.Equal(0, stretches[0][0]);
        Assert.Equal(9999, stretches[^1][^1]);
        for (int k = 1; k < stretches.Length; k++) Assert.True(stretches[k][0] > stretches[k - 1][^1]);
        Assert.Equal(y, Assert.Single(MlSpikeCalibration.Stretches(y, 10_000)));
    }
}
