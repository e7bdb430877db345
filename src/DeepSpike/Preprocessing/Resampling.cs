namespace DeepSpike.Preprocessing;

/// <summary>Changing a trace's frame rate.</summary>
public static class Resampling
{
    /// <summary>
    /// Linear interpolation of <paramref name="trace"/> (frame i at time i / fromHz) onto the grid
    /// j / toHz, for every j whose time lies within the trace.
    /// </summary>
    public static float[] Linear(ReadOnlySpan<float> trace, double fromHz, double toHz)
    {
        Check(fromHz, toHz);
        if (trace.Length == 0) return [];
        int n = (int)Math.Floor((trace.Length - 1) * toHz / fromHz) + 1;
        var result = new float[n];
        for (int j = 0; j < n; j++)
        {
            double pos = j * fromHz / toHz;
            int i = Math.Min((int)pos, trace.Length - 1);
            double frac = pos - i;
            result[j] = i + 1 < trace.Length ? (float)(trace[i] + frac * (trace[i + 1] - trace[i])) : trace[i];
        }
        return result;
    }

    /// <summary>
    /// Sums per-frame event counts at <paramref name="fromHz"/> into frames at <paramref name="toHz"/>:
    /// output frame i collects the input frames whose time j / fromHz falls in <c>[(i − ½)/toHz, (i + ½)/toHz)</c>,
    /// so the total count is preserved. The inverse of <see cref="Linear"/> for spike counts.
    /// </summary>
    public static float[] SumCounts(ReadOnlySpan<float> counts, double fromHz, double toHz, int outputLength)
    {
        Check(fromHz, toHz);
        var result = new float[outputLength];
        if (outputLength == 0) return result;
        for (int j = 0; j < counts.Length; j++)
        {
            int i = (int)Math.Floor(j * toHz / fromHz + 0.5);
            result[Math.Clamp(i, 0, outputLength - 1)] += counts[j];
        }
        return result;
    }

    private static void Check(double fromHz, double toHz)
    {
        if (!(fromHz > 0)) throw new ArgumentOutOfRangeException(nameof(fromHz), $"frame rate must be > 0, got {fromHz}");
        if (!(toHz > 0)) throw new ArgumentOutOfRangeException(nameof(toHz), $"frame rate must be > 0, got {toHz}");
    }
}
