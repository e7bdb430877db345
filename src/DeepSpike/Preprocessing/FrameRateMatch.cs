using DeepSpike.Inference;

namespace DeepSpike.Preprocessing;

/// <summary>How traces at one frame rate are brought to another (a model's).</summary>
/// <param name="InputHz">The traces' frame rate.</param>
/// <param name="TargetHz">The rate wanted, e.g. the model's.</param>
/// <param name="Resample">False when the rates agree within <see cref="SpikeInference.FrameRateTolerance"/> (1 %),
/// so the traces are used as they are; true when they must be resampled.</param>
public sealed record FrameRatePlan(double InputHz, double TargetHz, bool Resample)
{
    /// <summary>Input rate over target rate.</summary>
    public double Ratio => InputHz / TargetHz;

    /// <summary>The rate of the traces after the plan is carried out: the target when resampling, else the input's.</summary>
    public double OutputHz => Resample ? TargetHz : InputHz;
}

/// <summary>
/// The frame-rate policy: rates within 1 % are used as they are, rates within a factor of
/// <see cref="DefaultMaxRatio"/> (8) either way are linearly resampled, rates further apart are refused.
/// </summary>
/// <remarks>
/// Why refuse: a model learns transients sampled at its own rate. Linear interpolation from 4 Hz up to
/// 60 Hz cannot recreate rise times shorter than the input's frame, and going down from 500 Hz to 60 Hz
/// by interpolation keeps one sample in eight and aliases the noise. Beyond 8× either way the output
/// would look valid while measuring the resampler, so the caller must choose a model (or a resampling)
/// that fits the recording.
/// </remarks>
public static class FrameRateMatch
{
    /// <summary>The largest ratio between input and target rate (either way) that is resampled rather than refused: 8.</summary>
    public const double DefaultMaxRatio = 8;

    /// <summary>Decides how to bring <paramref name="inputHz"/> to <paramref name="targetHz"/>.</summary>
    /// <param name="inputHz">The traces' frame rate, &gt; 0.</param>
    /// <param name="targetHz">The wanted rate, &gt; 0.</param>
    /// <param name="maxRatio">Largest ratio to resample, ≥ 1.</param>
    /// <exception cref="ArgumentException">A rate is not finite and &gt; 0, <paramref name="maxRatio"/> &lt; 1, or the rates
    /// differ by more than <paramref name="maxRatio"/> either way (the message gives both rates and the ratio).</exception>
    public static FrameRatePlan Plan(double inputHz, double targetHz, double maxRatio = DefaultMaxRatio)
    {
        if (!(inputHz > 0 && double.IsFinite(inputHz)))
            throw new ArgumentOutOfRangeException(nameof(inputHz), inputHz, $"frame rate must be > 0 Hz, got {inputHz}");
        if (!(targetHz > 0 && double.IsFinite(targetHz)))
            throw new ArgumentOutOfRangeException(nameof(targetHz), targetHz, $"target frame rate must be > 0 Hz, got {targetHz}");
        if (!(maxRatio >= 1 && double.IsFinite(maxRatio)))
            throw new ArgumentOutOfRangeException(nameof(maxRatio), maxRatio, $"largest frame-rate ratio must be >= 1, got {maxRatio}");
        double ratio = inputHz / targetHz;
        if (ratio > maxRatio || ratio < 1 / maxRatio)
        {
            string relation = ratio > 1 ? $"{ratio:G3} times" : $"1/{1 / ratio:G3} of";
            throw new ArgumentException(
                $"frame rate {inputHz:G6} Hz is {relation} the target {targetHz:G6} Hz, more than {maxRatio:G3}× apart: resampling that far is refused; " +
                $"use a model trained near {inputHz:G3} Hz, or resample the recording yourself");
        }
        return new FrameRatePlan(inputHz, targetHz, Math.Abs(ratio - 1) > SpikeInference.FrameRateTolerance);
    }
}
