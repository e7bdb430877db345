namespace DeepSpike.Preprocessing;

/// <summary>A run of consecutive frames, e.g. a gap of missing values.</summary>
/// <param name="Start">First frame (0-based).</param>
/// <param name="Length">Number of frames, ≥ 1.</param>
public readonly record struct FrameRange(int Start, int Length)
{
    /// <summary>The last frame of the run (inclusive).</summary>
    public int Last => Start + Length - 1;
}

/// <summary>What <see cref="GapFilling.FillShortGaps"/> did.</summary>
/// <param name="GapsFilled">Number of gaps filled.</param>
/// <param name="FramesFilled">Number of frames filled, summed over those gaps.</param>
/// <param name="UnfilledGaps">Number of gaps left as they were (too long, or no finite value at all).</param>
/// <param name="LongestUnfilled">The longest gap left as it was (the first of equal length), or null when every gap was filled.</param>
public sealed record GapFillReport(int GapsFilled, int FramesFilled, int UnfilledGaps, FrameRange? LongestUnfilled)
{
    /// <summary>True when no missing value remains.</summary>
    public bool Complete => UnfilledGaps == 0;
}

/// <summary>
/// Fills short gaps of missing values (NaN or ±∞: a dropped frame, a motion-corrupted frame blanked by
/// the pipeline) so that filters and networks see a continuous trace, and finds gaps too long to fill.
/// </summary>
public static class GapFilling
{
    /// <summary>The longest gap in frames that <paramref name="maxGapSeconds"/> allows at <paramref name="frameRateHz"/>:
    /// <c>⌊seconds · rate⌋</c> (0.5 s at 60 Hz is 30 frames).</summary>
    public static int MaxGapFrames(double maxGapSeconds, double frameRateHz)
    {
        if (!(maxGapSeconds >= 0 && double.IsFinite(maxGapSeconds)))
            throw new ArgumentOutOfRangeException(nameof(maxGapSeconds), maxGapSeconds, $"longest gap to fill must be >= 0 s, got {maxGapSeconds}");
        if (!(frameRateHz > 0 && double.IsFinite(frameRateHz)))
            throw new ArgumentOutOfRangeException(nameof(frameRateHz), frameRateHz, $"frame rate must be > 0 Hz, got {frameRateHz}");
        return (int)Math.Min(Math.Floor(maxGapSeconds * frameRateHz + 1e-9), int.MaxValue);
    }

    /// <summary>
    /// Fills, in place, every run of non-finite values of at most <paramref name="maxGapFrames"/> frames:
    /// a run inside the trace by linear interpolation between the finite values on either side, a run at
    /// the start or end by repeating the nearest finite value. Longer runs are left untouched and reported.
    /// </summary>
    /// <param name="trace">The trace, modified in place.</param>
    /// <param name="maxGapFrames">Longest run to fill, ≥ 0 (0 fills nothing).</param>
    /// <returns>What was filled and the longest run that was not. A trace with no finite value cannot be filled
    /// at all: its single run is reported as unfilled, whatever its length.</returns>
    public static GapFillReport FillShortGaps(Span<float> trace, int maxGapFrames)
    {
        if (maxGapFrames < 0)
            throw new ArgumentOutOfRangeException(nameof(maxGapFrames), maxGapFrames, $"longest gap to fill must be >= 0 frames, got {maxGapFrames}");
        int filled = 0, framesFilled = 0, unfilled = 0;
        FrameRange? longest = null;
        int t = 0;
        while (t < trace.Length)
        {
            if (float.IsFinite(trace[t])) { t++; continue; }
            int start = t;
            while (t < trace.Length && !float.IsFinite(trace[t])) t++;
            int length = t - start;
            bool hasBefore = start > 0, hasAfter = t < trace.Length;
            if (length > maxGapFrames || !hasBefore && !hasAfter)
            {
                unfilled++;
                if (longest is null || length > longest.Value.Length) longest = new FrameRange(start, length);
                continue;
            }
            float before = hasBefore ? trace[start - 1] : trace[t];
            float after = hasAfter ? trace[t] : before;
            for (int k = 0; k < length; k++)
                trace[start + k] = before + (after - before) * (k + 1) / (length + 1);
            filled++;
            framesFilled += length;
        }
        return new GapFillReport(filled, framesFilled, unfilled, longest);
    }
}
