namespace DeepSpike.Preprocessing;

/// <summary>
/// The standardised noise level of a ΔF/F trace as CASCADE defines it (Rupprecht et al. 2021, Nature
/// Neuroscience 24:1324): <c>ν = 100 · median_t |ΔF/F(t+1) − ΔF/F(t)| / √(frame rate in Hz)</c>, in
/// % · Hz^(−1/2). It is comparable across frame rates for white noise, and CASCADE picks a model by it
/// (its models span ν ≈ 1–9).
/// </summary>
public static class NoiseLevel
{
    /// <summary>
    /// CASCADE's noise level ν of <paramref name="deltaFOverF"/> (ΔF/F as a fraction, not in %).
    /// </summary>
    /// <param name="deltaFOverF">The trace.</param>
    /// <param name="frameRateHz">Its frame rate, &gt; 0.</param>
    /// <returns>ν ≥ 0; differences involving NaN are ignored (NumPy's <c>nanmedian</c>, as CASCADE does);
    /// NaN when fewer than two consecutive finite frames exist.</returns>
    /// <remarks>For white Gaussian noise of standard deviation σ, median|Δ| = 0.954 σ, so ν ≈ 95.4 σ / √rate.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The frame rate is not finite and &gt; 0.</exception>
    public static double Cascade(ReadOnlySpan<float> deltaFOverF, double frameRateHz)
    {
        if (!(frameRateHz > 0 && double.IsFinite(frameRateHz)))
            throw new ArgumentOutOfRangeException(nameof(frameRateHz), frameRateHz, $"frame rate must be > 0 Hz, got {frameRateHz}");
        if (deltaFOverF.Length < 2) return double.NaN;
        var pool = System.Buffers.ArrayPool<float>.Shared;
        float[] differences = pool.Rent(deltaFOverF.Length - 1);
        try
        {
            int n = 0;
            for (int t = 1; t < deltaFOverF.Length; t++)
            {
                float d = MathF.Abs(deltaFOverF[t] - deltaFOverF[t - 1]);
                if (float.IsFinite(d)) differences[n++] = d;
            }
            return n == 0 ? double.NaN : 100 * OrderStatistics.Percentile(differences.AsSpan(0, n), 50) / Math.Sqrt(frameRateHz);
        }
        finally { pool.Return(differences); }
    }
}
