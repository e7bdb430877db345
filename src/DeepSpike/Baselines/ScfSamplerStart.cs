namespace DeepSpike.Baselines;

/// <summary>A starting point for <see cref="ScfGibbsSampler"/>: estimated θ and a spike train.</summary>
/// <param name="Parameters">θ estimated from the trace.</param>
/// <param name="InitialSpikes">0/1 per frame: OASIS's deconvolved spikes above half the amplitude.</param>
public sealed record ScfSamplerStart(ScfSamplerParameters Parameters, float[] InitialSpikes)
{
    /// <summary>Bounds on the estimated amplitude in units of σ: below, spikes are invisible; above, implausible.</summary>
    private const double MinAmplitudeSigmas = 0.5, MaxAmplitudeSigmas = 50, FallbackAmplitudeSigmas = 3;

    /// <summary>Bounds on the estimated spike probability per frame.</summary>
    private const double MinSpikeProbability = 1e-4, MaxSpikeProbability = 0.5;

    /// <summary>
    /// Estimates θ from the trace with OASIS's estimators and the cumulants of the kernel-inverted trace.
    /// </summary>
    /// <remarks>
    /// σ is OASIS's spectral estimate and γ its autocovariance estimate (without shrinkage). Two statistics that
    /// the white noise does not enter give A and ρ without knowing β: the lag-1 autocovariance of f,
    /// <c>γ A²ρ(1−ρ)/(1−γ²)</c>, and the third cumulant of <c>x_t = f_t − γ f_{t−1} = (1−γ)β + A s_t + e_t − γ e_{t−1}</c>,
    /// <c>A³ρ(1−ρ)(1−2ρ)</c> (the noise is symmetric). Then <c>β = mean f − Aρ/(1−γ)</c> and
    /// <c>m_0 = max(0, mean(f_0..f_2) − β)</c>. Estimates outside plausible ranges are clamped.
    /// </remarks>
    /// <exception cref="ArgumentException">Empty, short (&lt; <see cref="OasisEstimation.MinFrames"/>), non-finite or constant trace.</exception>
    public static ScfSamplerStart Estimate(ReadOnlySpan<float> fluorescence)
    {
        var y = TraceValidation.ToCheckedDoubles(fluorescence, OasisEstimation.MinFrames);
        double sigma = OasisEstimation.NoiseSigma(y, NoiseAveraging.Mean);
        double gamma = OasisEstimation.ArCoefficients(y, 1, sigma, 10, 1)[0];
        int n = y.Length;

        double meanF = VectorMath.Sum(y) / n;
        // Signal variance from lag 1 of the autocovariance, where the white noise does not enter:
        // acov(1) = γ Var(A c) = γ A²ρ(1−ρ) / (1 − γ²).
        double lag1 = 0;
        for (int t = 1; t < n; t++) lag1 += (y[t] - meanF) * (y[t - 1] - meanF);
        lag1 /= n;
        double signal = lag1 * (1 - gamma * gamma) / gamma; // A²ρ(1−ρ)
        double mean = 0;
        for (int t = 1; t < n; t++) mean += y[t] - gamma * y[t - 1];
        mean /= n - 1;
        double k3 = 0;
        for (int t = 1; t < n; t++)
        {
            double d = y[t] - gamma * y[t - 1] - mean;
            k3 += d * d * d;
        }
        k3 /= n - 1;
        double amplitude = FallbackAmplitudeSigmas * sigma, rho = MinSpikeProbability;
        if (signal > 0 && k3 > 0)
        {
            // A(1 − 2ρ) = κ₃ / (A²ρ(1−ρ)); a few fixed-point steps from ρ = 0.
            for (int i = 0; i < 5; i++)
            {
                amplitude = k3 / signal / (1 - 2 * rho);
                double x = signal / (amplitude * amplitude); // ρ(1 − ρ)
                rho = x >= 0.25 ? MaxSpikeProbability : (1 - Math.Sqrt(1 - 4 * x)) / 2;
                rho = Math.Min(rho, 0.45);
            }
        }
        amplitude = Math.Clamp(amplitude, MinAmplitudeSigmas * sigma, MaxAmplitudeSigmas * sigma);
        rho = Math.Clamp(signal > 0 ? signal / (amplitude * amplitude) : MinSpikeProbability, MinSpikeProbability, MaxSpikeProbability);

        double baseline = meanF - amplitude * rho / (1 - gamma);
        double head = (y[0] + y[Math.Min(1, n - 1)] + y[Math.Min(2, n - 1)]) / 3;
        double initial = Math.Max(0, head - baseline);

        var deconvolved = Oasis.Deconvolve(fluorescence, new OasisOptions(ArOrder: 1, Ar: [gamma], NoiseSigma: sigma));
        var spikes = new float[n];
        for (int t = 0; t < n; t++) spikes[t] = deconvolved.Spikes[t] > amplitude / 2 ? 1 : 0;
        return new ScfSamplerStart(new ScfSamplerParameters(gamma, amplitude, baseline, sigma, rho, initial), spikes);
    }
}
