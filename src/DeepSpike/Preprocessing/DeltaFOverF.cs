namespace DeepSpike.Preprocessing;

/// <summary>Relative fluorescence change: <c>ΔF/F(t) = (F(t) − F₀(t)) / F₀(t)</c>, a fraction (0.1 = 10 %).</summary>
public static class DeltaFOverF
{
    /// <summary>Writes ΔF/F of <paramref name="fluorescence"/> over <paramref name="baseline"/> into <paramref name="destination"/>
    /// (which may alias <paramref name="fluorescence"/>).</summary>
    /// <param name="fluorescence">F, e.g. after neuropil subtraction.</param>
    /// <param name="baseline">F₀, e.g. from <see cref="RunningPercentile"/>; every value must be finite and &gt; 0,
    /// since ΔF/F is undefined (or flips sign) where the baseline is not positive.</param>
    /// <param name="destination">As long as F.</param>
    /// <exception cref="ArgumentException">Lengths differ, or a baseline value is not finite and &gt; 0 (the frame is named).</exception>
    public static void Compute(ReadOnlySpan<float> fluorescence, ReadOnlySpan<float> baseline, Span<float> destination)
    {
        if (baseline.Length != fluorescence.Length)
            throw new ArgumentException($"baseline has {baseline.Length} frames but the fluorescence has {fluorescence.Length}", nameof(baseline));
        if (destination.Length != fluorescence.Length)
            throw new ArgumentException($"destination has {destination.Length} frames but the fluorescence has {fluorescence.Length}", nameof(destination));
        for (int t = 0; t < baseline.Length; t++)
        {
            if (!(baseline[t] > 0 && float.IsFinite(baseline[t])))
                throw new ArgumentException($"baseline must be > 0 for ΔF/F to be defined, got {baseline[t]} at frame {t}", nameof(baseline));
        }
        for (int t = 0; t < fluorescence.Length; t++)
            destination[t] = (fluorescence[t] - baseline[t]) / baseline[t];
    }

    /// <summary>ΔF/F as a new array; see <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</summary>
    public static float[] Compute(ReadOnlySpan<float> fluorescence, ReadOnlySpan<float> baseline)
    {
        var result = new float[fluorescence.Length];
        Compute(fluorescence, baseline, result);
        return result;
    }
}
