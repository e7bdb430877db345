namespace DeepSpike.Preprocessing;

/// <summary>Robust SCF-model quantities estimated from one trace, used to initialise per-cell parameters.</summary>
/// <param name="Baseline">Fluorescence with no calcium, β.</param>
/// <param name="NoiseSigma">Standard deviation of the measurement noise, σ.</param>
/// <param name="SpikeAmplitude">Fluorescence jump per spike, αδ.</param>
/// <param name="SpikeRateHz">Firing rate implied by the amplitude and the mean signal.</param>
public sealed record ScfEstimate(double Baseline, double NoiseSigma, double SpikeAmplitude, double SpikeRateHz);

/// <summary>Robust statistics of fluorescence traces.</summary>
public static class TraceStatistics
{
    /// <summary>Consistency factor: the median absolute value of a standard normal is 0.6745.</summary>
    private const double MadToSigma = 1.0 / 0.6744897501960817;

    /// <summary>
    /// Noise σ from first differences: <c>median|f_t − f_{t−1}| / (0.6745 √2)</c>. Spikes are sparse and
    /// calcium is slow, so the differences are dominated by the white measurement noise.
    /// </summary>
    public static double NoiseSigma(ReadOnlySpan<float> f)
    {
        if (f.Length < 2) return double.NaN;
        var pool = System.Buffers.ArrayPool<float>.Shared;
        var d = pool.Rent(f.Length - 1);
        try
        {
            for (int t = 1; t < f.Length; t++) d[t - 1] = MathF.Abs(f[t] - f[t - 1]);
            return OrderStatistics.Percentile(d.AsSpan(0, f.Length - 1), 50) * MadToSigma / Math.Sqrt(2);
        }
        finally { pool.Return(d); }
    }

    /// <summary>The q-th percentile (0–100, linear interpolation) of the values; the input is not modified.</summary>
    public static double Percentile(ReadOnlySpan<float> values, double q) => OrderStatistics.Percentile(values, q);

    /// <summary>
    /// AR(1) decay coefficient from the autocovariance: for calcium <c>c_t = γ c_{t−1} + δ s_t</c> seen through
    /// white noise, <c>acov(k) = Var(c) γ^k</c> for k ≥ 1, so <c>γ = acov(2) / acov(1)</c> — the noise drops out.
    /// Returns NaN when the ratio is not in (0, 1) (no decaying signal).
    /// </summary>
    public static double DecayFromAutocovariance(ReadOnlySpan<float> f)
    {
        if (f.Length < 10) return double.NaN;
        double mean = 0;
        foreach (var v in f) mean += v;
        mean /= f.Length;
        double c1 = 0, c2 = 0;
        for (int t = 2; t < f.Length; t++)
        {
            double x = f[t] - mean;
            c1 += x * (f[t - 1] - mean);
            c2 += x * (f[t - 2] - mean);
        }
        double gamma = c2 / c1;
        return c1 > 0 && gamma > 0 && gamma < 1 ? gamma : double.NaN;
    }

    /// <summary>
    /// Moment estimates for the SCF model with an assumed decay: with <c>x_t = f_t − γ f_{t−1} − (1−γ)β
    /// = A s_t + e_t − γ e_{t−1}</c>, a Bernoulli s gives <c>E x = Aρ</c> and
    /// <c>E x² = A²ρ + σ²(1+γ²)</c>, hence <c>A = (E x² − σ²(1+γ²)) / E x</c>. The baseline is the 2nd
    /// percentile of a 9-frame moving average, lifted by the averaged noise's own 2nd percentile. Results are clamped to plausible ranges.
    /// </summary>
    public static ScfEstimate EstimateScf(ReadOnlySpan<float> f, double frameRateHz, double tauDecaySeconds)
    {
        double sigma = NoiseSigma(f);
        if (!(sigma > 0)) sigma = Math.Max(1e-6, StdDev(f));
        double gamma = Math.Exp(-1.0 / (tauDecaySeconds * frameRateHz));
        // Calcium is never negative, so the lower envelope of the trace, lifted by the noise's own low
        // quantile, is the baseline. A short moving average first shrinks the noise (and that lift).
        const int window = 9;
        var smooth = new float[Math.Max(f.Length - window + 1, 1)];
        for (int t = 0; t + window <= f.Length; t++)
        {
            float s = 0;
            for (int j = 0; j < window; j++) s += f[t + j];
            smooth[t] = s / window;
        }
        double baseline = f.Length >= window
            ? Math.Min(Percentile(smooth, 2) + 2.054 * sigma / Math.Sqrt(window), Percentile(f, 50))
            : Percentile(f, 50);
        double m1 = 0, m2 = 0;
        int n = f.Length - 1;
        for (int t = 1; t < f.Length; t++)
        {
            double x = f[t] - gamma * f[t - 1] - (1 - gamma) * baseline;
            m1 += x; m2 += x * x;
        }
        m1 /= Math.Max(n, 1); m2 /= Math.Max(n, 1);
        double noiseVar = sigma * sigma * (1 + gamma * gamma);
        double amplitude = m1 > 0 ? (m2 - noiseVar) / m1 : double.NaN;
        amplitude = double.IsFinite(amplitude) ? Math.Clamp(amplitude, 1.0 * sigma, 30 * sigma) : 3 * sigma;
        double rate = Math.Clamp(Math.Max(m1, 0) / amplitude * frameRateHz, 0.05, 10);
        return new ScfEstimate(baseline, sigma, amplitude, rate);
    }

    private static double StdDev(ReadOnlySpan<float> f)
    {
        double mean = 0, ss = 0;
        foreach (var v in f) mean += v;
        mean /= Math.Max(f.Length, 1);
        foreach (var v in f) ss += (v - mean) * (v - mean);
        return Math.Sqrt(ss / Math.Max(f.Length - 1, 1));
    }
}
