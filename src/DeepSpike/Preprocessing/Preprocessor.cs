using DeepSpike.Data;
using DeepSpike.Engine;

namespace DeepSpike.Preprocessing;

/// <summary>
/// Turns recorded fluorescence into the ΔF/F traces models take, one trace at a time:
/// fill short gaps → subtract neuropil (<c>F − r·F_neu</c>) → running-percentile baseline F₀ →
/// ΔF/F = (F − F₀)/F₀ → CASCADE noise level → resample to the target frame rate. Traces that cannot be
/// used are skipped with a warning naming them; see <see cref="PreprocessingOptions"/> for the defaults and
/// the bad-input policy.
/// </summary>
/// <example>
/// <code>
/// var recording = Recording.Load("suite2p/plane0");
/// var result = Preprocessor.Run(recording, new PreprocessingOptions { TargetFrameRateHz = model.FrameRateHz });
/// foreach (string warning in result.Warnings) Console.Error.WriteLine($"warning: {warning}");
/// </code>
/// </example>
public static class Preprocessor
{
    /// <summary>Preprocesses every trace of <paramref name="recording"/> (in parallel over traces).</summary>
    /// <param name="recording">Fluorescence with a known frame rate, and optionally neuropil.</param>
    /// <param name="options">Settings; null for <see cref="PreprocessingOptions.Default"/>.</param>
    /// <returns>The kept ΔF/F traces and one report per input trace.</returns>
    /// <exception cref="ArgumentException">The options are invalid (<see cref="PreprocessingOptions.Validate"/>), neuropil is
    /// given for ΔF/F input, or the frame rate is too far from the target (<see cref="FrameRateMatch.Plan"/>).</exception>
    public static PreprocessingResult Run(Recording recording, PreprocessingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recording);
        options ??= PreprocessingOptions.Default;
        options.Validate();
        TraceSet fluorescence = recording.Fluorescence;
        double rate = recording.FrameRateHz;
        if (recording.Neuropil is not null && options.Input == InputKind.DeltaFOverF)
            throw new ArgumentException("neuropil traces were given but the input is already ΔF/F; neuropil is subtracted from raw fluorescence only");
        FrameRatePlan plan = options.TargetFrameRateHz is double target
            ? FrameRateMatch.Plan(rate, target, options.MaxFrameRateRatio)
            : new FrameRatePlan(rate, rate, Resample: false);

        var outputs = new float[]?[fluorescence.Count];
        var reports = new TraceReport[fluorescence.Count];
        Parallel.For(0, fluorescence.Count, Parallelism.Options, i =>
        {
            var trace = new TraceJob(fluorescence.Names[i], fluorescence.Traces[i], recording.Neuropil?.Traces[i], rate, options);
            (outputs[i], reports[i]) = trace.Run();
            if (outputs[i] is float[] output && plan.Resample)
                outputs[i] = Resampling.Linear(output, rate, plan.TargetHz);
        });

        var names = new List<string>(fluorescence.Count);
        var kept = new List<float[]>(fluorescence.Count);
        for (int i = 0; i < outputs.Length; i++)
        {
            if (outputs[i] is not float[] output) continue;
            names.Add(fluorescence.Names[i]);
            kept.Add(output);
        }
        return new PreprocessingResult(new TraceSet(names, kept, plan.OutputHz), reports, plan);
    }

    /// <summary>Preprocesses <paramref name="fluorescence"/>, with <paramref name="neuropil"/> traces of the same names
    /// and lengths if given; see <see cref="Run(Recording, PreprocessingOptions?)"/>.</summary>
    /// <exception cref="ArgumentException">As there, and: the frame rate is unknown, or the neuropil does not match.</exception>
    public static PreprocessingResult Run(TraceSet fluorescence, PreprocessingOptions? options = null, TraceSet? neuropil = null) =>
        Run(new Recording(fluorescence, neuropil, "traces given in memory"), options);

    /// <summary>One trace through the chain; a null output means skipped.</summary>
    private sealed class TraceJob(string name, float[] input, float[]? neuropilInput, double frameRateHz, PreprocessingOptions options)
    {
        private readonly List<string> _warnings = [];
        private TraceOutcome _outcome = TraceOutcome.Kept;
        private int _framesFilled;
        private double _baselineMedian = double.NaN, _baselineMin = double.NaN;

        public (float[]? Output, TraceReport Report) Run()
        {
            float[]? output = Process();
            // The noise level is measured before resampling: interpolation would smooth the noise it measures.
            double noiseLevel = output is null ? double.NaN : NoiseLevel.Cascade(output, frameRateHz);
            return (output, new TraceReport(name, _outcome, noiseLevel, _baselineMedian, _baselineMin, _framesFilled, _warnings));
        }

        private float[]? Process()
        {
            if (input.Length == 0) return Skip(TraceOutcome.SkippedMissingData, "has no frames");
            int maxGap = GapFilling.MaxGapFrames(options.MaxGapSeconds, frameRateHz);
            float[] f = (float[])input.Clone();
            if (!FillGaps(f, maxGap, "")) return null;
            if (IsConstant(f)) return Skip(TraceOutcome.SkippedConstant, $"is constant ({f[0]:G6} in every frame): it holds no signal");
            if (options.Input == InputKind.DeltaFOverF) return f;

            if (neuropilInput is not null && options.NeuropilFactor > 0)
            {
                float[] neuropil = (float[])neuropilInput.Clone();
                if (!FillGaps(neuropil, maxGap, "neuropil ")) return null;
                NeuropilCorrection.Subtract(f, neuropil, options.NeuropilFactor, f);
                if (IsConstant(f))
                    return Skip(TraceOutcome.SkippedConstant, $"is constant after neuropil subtraction (r = {options.NeuropilFactor:G3}): it holds no signal");
            }

            int window = RunningPercentile.WindowFrames(options.BaselineWindowSeconds, frameRateHz);
            float[] baseline = RunningPercentile.Compute(f, window, options.BaselinePercentile);
            int lowest = IndexOfMin(baseline);
            _baselineMin = baseline[lowest];
            _baselineMedian = TraceStatistics.Percentile(baseline, 50);
            double sigma = TraceStatistics.NoiseSigma(f);
            double floor = options.MinBaselineToNoise * sigma;
            if (!(_baselineMin > floor && _baselineMin > 0))
            {
                string why = _baselineMin <= 0
                    ? $"baseline F₀ falls to {_baselineMin:G4} at frame {lowest}, ≤ 0, so ΔF/F is undefined" +
                      (neuropilInput is null ? "; if the traces are already ΔF/F, say so (input kind ΔF/F)" : $"; the neuropil factor r = {options.NeuropilFactor:G3} may be too large for this cell")
                    : $"baseline F₀ falls to {_baselineMin:G4} at frame {lowest}, within {options.MinBaselineToNoise:G3} noise σ ({sigma:G4}) of zero, so ΔF/F would be dominated by noise";
                return Skip(TraceOutcome.SkippedBaseline, why);
            }
            DeltaFOverF.Compute(f, baseline, f);
            return f;
        }

        private bool FillGaps(float[] trace, int maxGapFrames, string what)
        {
            GapFillReport gaps = GapFilling.FillShortGaps(trace, maxGapFrames);
            if (what.Length == 0) _framesFilled = gaps.FramesFilled;
            if (gaps.LongestUnfilled is FrameRange longest)
            {
                string problem = longest.Length == trace.Length
                    ? $"{what}has no finite value"
                    : $"{what}has {gaps.UnfilledGaps} gap(s) of missing values longer than {options.MaxGapSeconds:G3} s ({maxGapFrames} frames); " +
                      $"the longest is frames {longest.Start}–{longest.Last} ({longest.Length} frames, {longest.Length / frameRateHz:G3} s)";
                Skip(TraceOutcome.SkippedMissingData, problem);
                return false;
            }
            if (gaps.GapsFilled > 0)
                _warnings.Add($"trace '{name}': {what}{gaps.FramesFilled} missing frame(s) in {gaps.GapsFilled} gap(s) filled by linear interpolation");
            return true;
        }

        private float[]? Skip(TraceOutcome outcome, string problem)
        {
            _outcome = outcome;
            _warnings.Add($"trace '{name}' skipped: {problem}");
            return null;
        }

        private static bool IsConstant(ReadOnlySpan<float> f)
        {
            foreach (float v in f)
                if (v != f[0]) return false;
            return true;
        }

        private static int IndexOfMin(ReadOnlySpan<float> values)
        {
            int best = 0;
            for (int t = 1; t < values.Length; t++)
                if (values[t] < values[best]) best = t;
            return best;
        }
    }
}
