using DeepSpike.Data;

namespace DeepSpike.Preprocessing;

/// <summary>What happened to one trace.</summary>
public enum TraceOutcome
{
    /// <summary>Preprocessed and in the output.</summary>
    Kept = 0,

    /// <summary>Skipped: a run of missing values longer than the gap limit, no finite value, or no frames.</summary>
    SkippedMissingData = 1,

    /// <summary>Skipped: every value is the same.</summary>
    SkippedConstant = 2,

    /// <summary>Skipped: the baseline F₀ is ≤ 0 or within the noise of 0, so ΔF/F is undefined.</summary>
    SkippedBaseline = 3,
}

/// <summary>The preprocessing report for one trace.</summary>
/// <param name="Name">The trace's name.</param>
/// <param name="Outcome">Kept, or why it was skipped.</param>
/// <param name="NoiseLevel">CASCADE noise level ν of the ΔF/F trace at the recording's frame rate (before any
/// resampling), in % · Hz^(−1/2) (<see cref="Preprocessing.NoiseLevel.Cascade"/>); NaN when skipped.</param>
/// <param name="BaselineMedian">Median over frames of the baseline F₀ (raw input; NaN for ΔF/F input or when no baseline was computed).</param>
/// <param name="BaselineMin">Smallest F₀ over frames, the value the near-zero test uses (NaN as for <paramref name="BaselineMedian"/>).</param>
/// <param name="FramesInterpolated">Frames filled by the gap policy (fluorescence only).</param>
/// <param name="Warnings">Messages for the user, each starting with <c>trace 'name':</c>: why it was skipped,
/// or what was repaired.</param>
public sealed record TraceReport(
    string Name,
    TraceOutcome Outcome,
    double NoiseLevel,
    double BaselineMedian,
    double BaselineMin,
    int FramesInterpolated,
    IReadOnlyList<string> Warnings)
{
    /// <summary>True when the trace is in the output.</summary>
    public bool Kept => Outcome == TraceOutcome.Kept;
}

/// <summary>Output of <see cref="Preprocessor.Run(Recording, PreprocessingOptions?)"/>.</summary>
/// <param name="Traces">ΔF/F of the kept traces, in input order, at <see cref="FrameRatePlan.OutputHz"/>;
/// empty when every trace was skipped.</param>
/// <param name="Reports">One report per input trace, in input order, kept or not.</param>
/// <param name="FrameRate">The recording's rate, the output rate and whether the traces were resampled.</param>
public sealed record PreprocessingResult(TraceSet Traces, IReadOnlyList<TraceReport> Reports, FrameRatePlan FrameRate)
{
    /// <summary>All warnings, trace by trace in input order.</summary>
    public IEnumerable<string> Warnings => Reports.SelectMany(r => r.Warnings);

    /// <summary>The reports of skipped traces.</summary>
    public IEnumerable<TraceReport> Skipped => Reports.Where(r => !r.Kept);
}
