namespace DeepSpike.Preprocessing;

/// <summary>
/// Settings of <see cref="Preprocessor"/>, with the defaults used when a setting is not given. Durations
/// are in seconds and converted to frames at each recording's own frame rate, so one setting suits 7 Hz
/// and 500 Hz data alike.
/// </summary>
/// <remarks>
/// Bad-input policy (each trace is judged on its own; a skipped trace gets a warning naming it and is left
/// out of the output, the others go on):
/// <list type="bullet">
/// <item>Missing values (NaN, ±∞; empty CSV cells inside a trace): runs up to <see cref="MaxGapSeconds"/> are filled
/// (<see cref="GapFilling.FillShortGaps"/>: linear interpolation inside the trace, nearest value at its ends);
/// a longer run skips the trace. Neuropil traces follow the same rule.</item>
/// <item>A constant trace (every value equal, before or after neuropil subtraction) is skipped: it holds no signal,
/// and ΔF/F and the noise level are undefined or zero.</item>
/// <item>Raw fluorescence whose baseline F₀ is not above <see cref="MinBaselineToNoise"/> × the trace's noise σ
/// (<see cref="TraceStatistics.NoiseSigma"/>) at some frame (≤ 0 in any case) is skipped: ΔF/F is undefined there or
/// pure noise. Typical causes: neuropil factor too large for a dim cell, or input that is already ΔF/F.</item>
/// <item>Frame rate: with <see cref="TargetFrameRateHz"/> set, the whole set is resampled to it when the rates differ
/// by more than 1 %, and refused (an exception, nothing processed) when they differ by more than
/// <see cref="MaxFrameRateRatio"/> either way (<see cref="FrameRateMatch"/>).</item>
/// </list>
/// </remarks>
public sealed record PreprocessingOptions
{
    /// <summary>Default <see cref="BaselinePercentile"/>: 5 (the 5th percentile, as in the DeepSpike paper).</summary>
    public const double DefaultBaselinePercentile = 5;

    /// <summary>Default <see cref="BaselineWindowSeconds"/>: 100 s, i.e. the paper's 6000 frames at 60 Hz.</summary>
    public const double DefaultBaselineWindowSeconds = 100;

    /// <summary>Default <see cref="MaxGapSeconds"/>: 0.5 s, about one GCaMP6f decay time, so that an interpolated
    /// gap cannot hide more than one transient's tail.</summary>
    public const double DefaultMaxGapSeconds = 0.5;

    /// <summary>Default <see cref="MinBaselineToNoise"/>: 1, i.e. F₀ must exceed the per-frame noise σ (ΔF/F noise below 100 %).</summary>
    public const double DefaultMinBaselineToNoise = 1;

    /// <summary>The defaults.</summary>
    public static PreprocessingOptions Default { get; } = new();

    /// <summary>Whether the input is raw fluorescence (the default) or already ΔF/F.</summary>
    public InputKind Input { get; init; } = InputKind.RawFluorescence;

    /// <summary>Neuropil coefficient r in <c>F − r · F_neu</c>, in [0, 1]; used only when neuropil traces are given.
    /// Default <see cref="NeuropilCorrection.DefaultFactor"/> (0.7); 0 ignores the neuropil.</summary>
    public double NeuropilFactor { get; init; } = NeuropilCorrection.DefaultFactor;

    /// <summary>Percentile q of the running baseline, in [0, 100]. Default 5.</summary>
    public double BaselinePercentile { get; init; } = DefaultBaselinePercentile;

    /// <summary>Length of the running baseline window in seconds, &gt; 0. Default 100 s (6000 frames at 60 Hz, 3000 at 30 Hz).</summary>
    public double BaselineWindowSeconds { get; init; } = DefaultBaselineWindowSeconds;

    /// <summary>Longest run of missing values that is filled, in seconds, ≥ 0 (0 fills none). Default 0.5 s.</summary>
    public double MaxGapSeconds { get; init; } = DefaultMaxGapSeconds;

    /// <summary>Smallest allowed ratio of the lowest baseline value to the trace's noise σ, ≥ 0. Default 1.</summary>
    public double MinBaselineToNoise { get; init; } = DefaultMinBaselineToNoise;

    /// <summary>Frame rate in Hz to resample the output to (e.g. the model's), or null (the default) to keep the recording's.</summary>
    public double? TargetFrameRateHz { get; init; }

    /// <summary>Largest ratio between the recording's and the target frame rate, either way, that is resampled
    /// rather than refused, ≥ 1. Default <see cref="FrameRateMatch.DefaultMaxRatio"/> (8).</summary>
    public double MaxFrameRateRatio { get; init; } = FrameRateMatch.DefaultMaxRatio;

    /// <summary>Throws if any setting is out of range; the message names the setting, its range and the value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range or not finite.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Input))
            throw new ArgumentOutOfRangeException(nameof(Input), Input, $"input kind must be RawFluorescence or DeltaFOverF, got {Input}");
        NeuropilCorrection.CheckFactor(NeuropilFactor);
        Check(BaselinePercentile >= 0 && BaselinePercentile <= 100, nameof(BaselinePercentile), BaselinePercentile, "baseline percentile must be in [0, 100]");
        Check(BaselineWindowSeconds > 0 && double.IsFinite(BaselineWindowSeconds), nameof(BaselineWindowSeconds), BaselineWindowSeconds, "baseline window must be > 0 s");
        Check(MaxGapSeconds >= 0 && double.IsFinite(MaxGapSeconds), nameof(MaxGapSeconds), MaxGapSeconds, "longest gap to fill must be >= 0 s");
        Check(MinBaselineToNoise >= 0 && double.IsFinite(MinBaselineToNoise), nameof(MinBaselineToNoise), MinBaselineToNoise, "minimum baseline-to-noise ratio must be >= 0");
        if (TargetFrameRateHz is double target)
            Check(target > 0 && double.IsFinite(target), nameof(TargetFrameRateHz), target, "target frame rate must be > 0 Hz");
        Check(MaxFrameRateRatio >= 1 && double.IsFinite(MaxFrameRateRatio), nameof(MaxFrameRateRatio), MaxFrameRateRatio, "largest frame-rate ratio must be >= 1");
    }

    private static void Check(bool ok, string name, double value, string rule)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{rule}, got {value}");
    }
}
