namespace DeepSpike.Data;

/// <summary>
/// Recognises a column that counts time rather than fluorescence: a time stamp or frame index that pandas, MATLAB
/// or an acquisition system wrote as the first column (<c>time</c>, <c>t_s</c>, <c>frame</c>, pandas' unnamed index
/// <c>Unnamed: 0</c>, …). Read as a trace it would be inferred as one more cell with a very odd signal.
/// </summary>
internal static class ClockColumn
{
    /// <summary>Relative spread of the steps that still counts as a steady clock (float32 time stamps of a long
    /// recording keep ~7 digits; frame-to-frame jitter of real acquisition clocks stays well under this).</summary>
    private const double SteadyStepTolerance = 0.01;

    /// <summary>Fewest values for a steady step alone to mark a clock: a few frames of a rising transient can climb
    /// in near-equal steps, a recording's worth of frames cannot.</summary>
    private const int MinFramesForSteadyStep = 10;

    private static readonly string[] ClockNames =
        ["time", "times", "t", "timestamp", "timestamps", "frame", "frames", "index", "idx", "sample", "seconds", "sec", "s", "ms"];

    /// <summary>
    /// Whether a first column named <paramref name="name"/> with <paramref name="values"/> is a clock: named like
    /// one (see <see cref="IsClockName"/>, or empty as pandas writes its index) and strictly increasing, or, whatever
    /// its name, strictly increasing in steady steps. No fluorescence trace does either over more than a few frames.
    /// </summary>
    /// <returns>The step between values (its median) when the column is a clock, else null.</returns>
    public static double? Step(string name, ReadOnlySpan<float> values)
    {
        if (values.Length < 2) return null;
        var steps = new double[values.Length - 1];
        for (int i = 1; i < values.Length; i++)
        {
            double step = (double)values[i] - values[i - 1];
            if (!(step > 0)) return null; // NaN (a gap) or not increasing
            steps[i - 1] = step;
        }
        Array.Sort(steps);
        double median = steps[steps.Length / 2];
        if (IsClockName(name)) return median;
        if (values.Length < MinFramesForSteadyStep) return null;
        // Rounding of printed time stamps: half a unit of float32 precision at the largest value.
        double rounding = Math.Abs((double)values[^1]) * 1.2e-7;
        double allowed = SteadyStepTolerance * median + rounding;
        return steps[0] >= median - allowed && steps[^1] <= median + allowed ? median : null;
    }

    /// <summary>
    /// Whether <paramref name="name"/> names a time or index column: empty, pandas' <c>Unnamed: 0</c>, or one of
    /// time/t/timestamp/frame/index/idx/sample/seconds (case-insensitive), optionally with a unit suffix such as
    /// <c>_s</c>, <c>_ms</c>, <c> (s)</c> or <c>[s]</c>.
    /// </summary>
    public static bool IsClockName(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n.Length == 0 || n.StartsWith("unnamed:", StringComparison.Ordinal)) return true;
        int cut = n.IndexOfAny(['_', ' ', '(', '[', '/']);
        string stem = cut > 0 ? n[..cut] : n;
        return ClockNames.Contains(stem);
    }
}
