using DeepSpike.Data;
using DeepSpike.Generative;
using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Preprocessing;

public sealed class PreprocessorTests
{
    private const double RateHz = 30;

    /// <summary>Sparse transients s(t) ≥ 0 (decay 0.5 s) on a quiet background: nonzero in ~15 % of frames.</summary>
    private static float[] Transients(int frames, int seed)
    {
        var rng = new Random(seed);
        var s = new float[frames];
        for (int start = rng.Next(50, 200); start < frames; start += rng.Next(300, 500))
            for (int k = 0; k < 60 && start + k < frames; k++) s[start + k] += (float)(0.5 + rng.NextDouble()) * MathF.Exp(-k / 15f);
        return s;
    }

    private static float[] Noise(int frames, double sigma, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, frames).Select(_ => (float)(sigma * rng.NextGaussian())).ToArray();
    }

    private static TraceSet Set(double rateHz, params (string Name, float[] Trace)[] traces) =>
        new(traces.Select(t => t.Name).ToArray(), traces.Select(t => t.Trace).ToArray(), rateHz);

    [Theory]
    [InlineData(30.0)]
    [InlineData(7.5)]
    public void Run_RawTrace_EqualsComposedStagesWithWindowScaledByRate(double rateHz)
    {
        float[] f = Transients(4000, 1).Zip(Noise(4000, 0.05, 2), (s, e) => 300 * (1 + s + e)).ToArray();

        PreprocessingResult result = Preprocessor.Run(Set(rateHz, ("cell", f)));

        int window = (int)Math.Round(PreprocessingOptions.DefaultBaselineWindowSeconds * rateHz);
        float[] baseline = RunningPercentile.Compute(f, window, PreprocessingOptions.DefaultBaselinePercentile);
        float[] expected = DeltaFOverF.Compute(f, baseline);
        Assert.Equal(expected, result.Traces["cell"]);
        TraceReport report = Assert.Single(result.Reports);
        Assert.True(report.Kept);
        Assert.Equal(NoiseLevel.Cascade(expected, rateHz), report.NoiseLevel);
        Assert.Equal(baseline.Min(), report.BaselineMin);
        Assert.Empty(report.Warnings);
        Assert.Equal(rateHz, result.Traces.FrameRateHz);
    }

    [Fact]
    public void Run_WithNeuropil_SubtractsPointSevenTimesNeuropilBeforeDeltaFOverF()
    {
        // F = C + 0.7 N with cell C = 200 (1 + s) and a neuropil N that wanders; after subtraction ΔF/F is s.
        float[] s = Transients(6000, 3);
        float[] neuropil = Enumerable.Range(0, s.Length).Select(t => 150 + 40 * MathF.Sin(t / 97f)).ToArray();
        float[] f = s.Select((x, t) => 200 * (1 + x) + 0.7f * neuropil[t]).ToArray();

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("roi0", f)), neuropil: Set(RateHz, ("roi0", neuropil)));

        float[] dff = result.Traces["roi0"];
        for (int t = 0; t < s.Length; t++) Assert.Equal(s[t], dff[t], 1e-4f);
        Assert.Equal(200, result.Reports[0].BaselineMedian, 3);
    }

    [Fact]
    public void Run_NeuropilFactorZero_NeuropilIgnored()
    {
        float[] f = Transients(3000, 4).Select(x => 100 * (1 + x)).ToArray();
        float[] neuropil = Enumerable.Repeat(50f, f.Length).ToArray();

        PreprocessingResult with = Preprocessor.Run(Set(RateHz, ("a", f)), new PreprocessingOptions { NeuropilFactor = 0 }, Set(RateHz, ("a", neuropil)));

        Assert.Equal(Preprocessor.Run(Set(RateHz, ("a", f))).Traces["a"], with.Traces["a"]);
    }

    [Fact]
    public void Run_ShortNaNGap_InterpolatedWithWarningNamingTrace()
    {
        float[] f = Transients(3000, 5).Select(x => 100 * (1 + x)).ToArray();
        for (int t = 1000; t < 1010; t++) f[t] = float.NaN; // 10 frames = 0.33 s at 30 Hz, under the 0.5 s limit

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("cell7", f)));

        TraceReport report = Assert.Single(result.Reports);
        Assert.True(report.Kept);
        Assert.Equal(10, report.FramesInterpolated);
        Assert.All(result.Traces["cell7"], v => Assert.True(float.IsFinite(v)));
        string warning = Assert.Single(report.Warnings);
        Assert.StartsWith("trace 'cell7': 10 missing frame(s) in 1 gap(s) filled", warning);
        Assert.True(float.IsNaN(f[1000])); // the input is not modified
    }

    [Fact]
    public void Run_LongNaNGap_TraceSkippedWithWarningNamingIt_OthersKept()
    {
        float[] good = Transients(3000, 6).Select(x => 100 * (1 + x)).ToArray();
        float[] gappy = (float[])good.Clone();
        for (int t = 1000; t < 1100; t++) gappy[t] = float.NaN; // 100 frames = 3.3 s

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("good", good), ("gappy", gappy)));

        Assert.Equal(["good"], result.Traces.Names);
        TraceReport skipped = Assert.Single(result.Skipped);
        Assert.Equal(TraceOutcome.SkippedMissingData, skipped.Outcome);
        Assert.True(double.IsNaN(skipped.NoiseLevel));
        string warning = Assert.Single(result.Warnings);
        Assert.StartsWith("trace 'gappy' skipped:", warning);
        Assert.Contains("frames 1000–1099 (100 frames, 3.33 s)", warning);
    }

    [Fact]
    public void Run_LongerGapAllowedByOption_Interpolated()
    {
        float[] f = Transients(3000, 6).Select(x => 100 * (1 + x)).ToArray();
        for (int t = 1000; t < 1100; t++) f[t] = float.NaN;

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("a", f)), new PreprocessingOptions { MaxGapSeconds = 4 });

        Assert.True(result.Reports[0].Kept);
        Assert.Equal(100, result.Reports[0].FramesInterpolated);
    }

    [Fact]
    public void Run_LongGapInNeuropil_TraceSkipped()
    {
        float[] f = Transients(3000, 7).Select(x => 100 * (1 + x)).ToArray();
        float[] neuropil = Enumerable.Repeat(20f, f.Length).ToArray();
        for (int t = 0; t < 200; t++) neuropil[t] = float.NaN;

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("a", f)), neuropil: Set(RateHz, ("a", neuropil)));

        Assert.Equal(TraceOutcome.SkippedMissingData, result.Reports[0].Outcome);
        Assert.Contains("trace 'a' skipped: neuropil has 1 gap(s)", Assert.Single(result.Warnings));
    }

    [Fact]
    public void Run_AllNaNAndEmptyTraces_Skipped()
    {
        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("nan", [float.NaN, float.NaN]), ("empty", [])));

        Assert.Empty(result.Traces.Names);
        Assert.All(result.Reports, r => Assert.Equal(TraceOutcome.SkippedMissingData, r.Outcome));
        Assert.Equal(["trace 'nan' skipped: has no finite value", "trace 'empty' skipped: has no frames"], result.Warnings);
    }

    [Theory]
    [InlineData(InputKind.RawFluorescence)]
    [InlineData(InputKind.DeltaFOverF)]
    public void Run_ConstantTrace_SkippedWithWarningNamingIt(InputKind kind)
    {
        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("flat", Enumerable.Repeat(42f, 500).ToArray())), new PreprocessingOptions { Input = kind });

        Assert.Equal(TraceOutcome.SkippedConstant, result.Reports[0].Outcome);
        Assert.Equal("trace 'flat' skipped: is constant (42 in every frame): it holds no signal", Assert.Single(result.Warnings));
    }

    [Fact]
    public void Run_ConstantAfterNeuropilSubtraction_Skipped()
    {
        float[] neuropil = Noise(500, 1, 8).Select(x => 100 + x).ToArray();
        float[] f = neuropil.Select(x => 0.5f * x + 10).ToArray();

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("a", f)), new PreprocessingOptions { NeuropilFactor = 0.5 }, Set(RateHz, ("a", neuropil)));

        Assert.Equal(TraceOutcome.SkippedConstant, result.Reports[0].Outcome);
        Assert.Contains("after neuropil subtraction", result.Reports[0].Warnings[0]);
    }

    [Fact]
    public void Run_NegativeBaseline_SkippedWithHintAboutDeltaFOverFInput()
    {
        // Already ΔF/F (around 0) but declared raw: F₀ ≈ −0.08.
        float[] dff = Transients(3000, 9).Zip(Noise(3000, 0.05, 10), (s, e) => s + e).ToArray();

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("dff", dff)));

        TraceReport report = result.Reports[0];
        Assert.Equal(TraceOutcome.SkippedBaseline, report.Outcome);
        Assert.True(report.BaselineMin < 0);
        string warning = Assert.Single(report.Warnings);
        Assert.StartsWith("trace 'dff' skipped: baseline F₀ falls to", warning);
        Assert.Contains("≤ 0, so ΔF/F is undefined; if the traces are already ΔF/F", warning);
    }

    [Fact]
    public void Run_NegativeBaselineAfterNeuropil_SkippedWithHintAboutFactor()
    {
        float[] neuropil = Enumerable.Repeat(300f, 2000).ToArray();
        float[] f = Transients(2000, 11).Zip(Noise(2000, 2, 12), (s, e) => 150 * (1 + s) + e).ToArray();

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("dim", f)), neuropil: Set(RateHz, ("dim", neuropil)));

        Assert.Equal(TraceOutcome.SkippedBaseline, result.Reports[0].Outcome);
        Assert.Contains("neuropil factor r = 0.7 may be too large", result.Reports[0].Warnings[0]);
    }

    [Fact]
    public void Run_BaselineWithinNoiseOfZero_Skipped()
    {
        // F₀ ≈ 3.8 − 1.645 · 2 ≈ 0.5 but the per-frame noise σ is 2: ΔF/F would be noise several times over.
        float[] f = Noise(3000, 2, 13).Select(e => 3.8f + e).ToArray();

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("faint", f)));

        TraceReport report = result.Reports[0];
        Assert.Equal(TraceOutcome.SkippedBaseline, report.Outcome);
        Assert.InRange(report.BaselineMin, 0, 2);
        Assert.Contains("within 1 noise σ", report.Warnings[0]);

        PreprocessingResult lenient = Preprocessor.Run(Set(RateHz, ("faint", f)), new PreprocessingOptions { MinBaselineToNoise = 0 });
        Assert.True(lenient.Reports[0].Kept);
    }

    [Fact]
    public void Run_DeltaFOverFInput_NotRecomputedButNoiseLevelReported()
    {
        float[] dff = Transients(3000, 14).Zip(Noise(3000, 0.05, 15), (s, e) => s + e).ToArray();

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("x", dff)), new PreprocessingOptions { Input = InputKind.DeltaFOverF });

        Assert.Equal(dff, result.Traces["x"]);
        TraceReport report = result.Reports[0];
        Assert.True(double.IsNaN(report.BaselineMedian));
        Assert.Equal(NoiseLevel.Cascade(dff, RateHz), report.NoiseLevel);
    }

    [Fact]
    public void Run_DeltaFOverFInputWithNeuropil_Throws()
    {
        TraceSet traces = Set(RateHz, ("x", [1f, 2f]));
        var error = Assert.Throws<ArgumentException>(() => Preprocessor.Run(traces, new PreprocessingOptions { Input = InputKind.DeltaFOverF }, traces));
        Assert.Contains("already ΔF/F", error.Message);
    }

    [Fact]
    public void Run_TargetRateWithinEightTimes_ResampledAfterDeltaFOverF()
    {
        float[] f = Transients(3000, 16).Select(x => 100 * (1 + x)).ToArray();
        var options = new PreprocessingOptions { TargetFrameRateHz = 60 };

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("a", f)), options);

        float[] atRecordingRate = Preprocessor.Run(Set(RateHz, ("a", f))).Traces["a"];
        Assert.True(result.FrameRate.Resample);
        Assert.Equal(60, result.Traces.FrameRateHz);
        Assert.Equal(Resampling.Linear(atRecordingRate, RateHz, 60), result.Traces["a"]);
        Assert.Equal(NoiseLevel.Cascade(atRecordingRate, RateHz), result.Reports[0].NoiseLevel); // measured before resampling
    }

    [Fact]
    public void Run_TargetRateWithinTolerance_NotResampled()
    {
        float[] f = Transients(1000, 17).Select(x => 100 * (1 + x)).ToArray();

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, ("a", f)), new PreprocessingOptions { TargetFrameRateHz = 30.1 });

        Assert.False(result.FrameRate.Resample);
        Assert.Equal(RateHz, result.Traces.FrameRateHz);
        Assert.Equal(f.Length, result.Traces["a"].Length);
    }

    [Theory]
    [InlineData(500.0)]
    [InlineData(3.0)]
    public void Run_TargetRateMoreThanEightTimesAway_Refused(double recordingHz)
    {
        float[] f = Transients(1000, 18).Select(x => 100 * (1 + x)).ToArray();

        var error = Assert.Throws<ArgumentException>(() => Preprocessor.Run(Set(recordingHz, ("a", f)), new PreprocessingOptions { TargetFrameRateHz = 30 }));

        Assert.Contains($"frame rate {recordingHz} Hz", error.Message);
        Assert.Contains("refused", error.Message);
    }

    [Fact]
    public void Run_UnknownFrameRate_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Preprocessor.Run(new TraceSet(["a"], [[1f, 2f]])));
        Assert.Contains("frame rate", error.Message);
    }

    [Fact]
    public void Run_ManyTraces_ReportsInInputOrder()
    {
        var traces = Enumerable.Range(0, 20).Select(i => ($"c{i}", Transients(2000, 100 + i).Select(x => 100 * (1 + x)).ToArray())).ToArray();
        traces[7].Item2[0] = float.NaN;
        for (int t = 0; t < 100; t++) traces[13].Item2[t] = float.NaN;

        PreprocessingResult result = Preprocessor.Run(Set(RateHz, traces));

        Assert.Equal(traces.Select(t => t.Item1), result.Reports.Select(r => r.Name));
        Assert.Equal(traces.Select(t => t.Item1).Where(n => n != "c13"), result.Traces.Names);
        Assert.Equal(1, result.Reports[7].FramesInterpolated);
    }

    public static TheoryData<PreprocessingOptions> BadOptions => new()
    {
        new PreprocessingOptions { NeuropilFactor = 1.2 },
        new PreprocessingOptions { NeuropilFactor = double.NaN },
        new PreprocessingOptions { BaselinePercentile = 101 },
        new PreprocessingOptions { BaselineWindowSeconds = 0 },
        new PreprocessingOptions { MaxGapSeconds = -1 },
        new PreprocessingOptions { MaxGapSeconds = double.PositiveInfinity },
        new PreprocessingOptions { MinBaselineToNoise = -1 },
        new PreprocessingOptions { TargetFrameRateHz = 0 },
        new PreprocessingOptions { MaxFrameRateRatio = 0.5 },
        new PreprocessingOptions { Input = (InputKind)7 },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_OutOfRange_ThrowsNamingValue(PreprocessingOptions options)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Contains("got", error.Message);
    }

    [Fact]
    public void Default_DocumentedValues()
    {
        PreprocessingOptions d = PreprocessingOptions.Default;
        Assert.Equal(
            (InputKind.RawFluorescence, 0.7, 5.0, 100.0, 0.5, 1.0, (double?)null, 8.0),
            (d.Input, d.NeuropilFactor, d.BaselinePercentile, d.BaselineWindowSeconds, d.MaxGapSeconds, d.MinBaselineToNoise, d.TargetFrameRateHz, d.MaxFrameRateRatio));
        d.Validate();
    }
}
