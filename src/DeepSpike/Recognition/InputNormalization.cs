using DeepSpike.Preprocessing;

namespace DeepSpike.Recognition;

/// <summary>
/// Per-trace input scaling for recognition networks: <c>(f − median f) / σ_noise</c>, with σ_noise from
/// <see cref="TraceStatistics.NoiseSigma"/>. The network then sees every cell in units of its own noise,
/// whatever the recording's units (ΔF/F or raw), and the same rule applies at training and inference.
/// </summary>
public static class InputNormalization
{
    /// <summary>Returns the normalised copy of <paramref name="trace"/>.</summary>
    /// <exception cref="ArgumentException">The trace is shorter than 2 frames, has NaN/∞, or is constant (no noise to scale by).</exception>
    public static float[] Apply(ReadOnlySpan<float> trace)
    {
        if (trace.Length < 2) throw new ArgumentException($"trace has {trace.Length} frame(s); at least 2 are needed");
        for (int t = 0; t < trace.Length; t++)
            if (!float.IsFinite(trace[t])) throw new ArgumentException($"trace has a non-finite value ({trace[t]}) at frame {t}");
        double sigma = TraceStatistics.NoiseSigma(trace);
        if (!(sigma > 0))
        {
            // Quantised or very smooth traces can have a zero median difference: fall back to the spread.
            sigma = (TraceStatistics.Percentile(trace, 84) - TraceStatistics.Percentile(trace, 16)) / 2;
            if (!(sigma > 0)) throw new ArgumentException("trace is constant: nothing to infer spikes from");
        }
        float median = (float)TraceStatistics.Percentile(trace, 50), scale = (float)(1 / sigma);
        var result = new float[trace.Length];
        for (int t = 0; t < trace.Length; t++) result[t] = (trace[t] - median) * scale;
        return result;
    }
}
