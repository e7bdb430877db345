using DeepSpike.Data;
using DeepSpike.Generative;

namespace DeepSpike.Simulation;

/// <summary>
/// The distribution of simulated SCF cells (Speiser et al. 2017, §2.4; issue 2): AR(1) calcium with
/// τ_decay ~ U(τ_lo, τ_hi) s, α and δ = 1 ± 10 % (uniform), single-spike SNR αδ/σ ~ U(snr_lo, snr_hi),
/// baseline β = 0, i.i.d. Bernoulli spikes, one trace per cell and firing rate.
/// </summary>
/// <param name="TauDecayRangeSeconds">Range of the decay time constant.</param>
/// <param name="SnrRange">Range of the single-spike signal-to-noise ratio.</param>
/// <param name="RelativeSpread">Half-width of the uniform perturbation of α and δ around 1.</param>
public sealed record ScfSimulationProtocol(
    (double Lo, double Hi) TauDecayRangeSeconds,
    (double Lo, double Hi) SnrRange,
    double RelativeSpread = 0.1)
{
    /// <summary>The paper's SCF-Sim distribution as stated in issue 2.</summary>
    public static ScfSimulationProtocol Paper { get; } = new((0.5, 1.0), (2, 5));

    /// <summary>A broader GCaMP6-like distribution (fast 6f to slow 6s decays, wide SNR) for the built-in model.</summary>
    public static ScfSimulationProtocol Gcamp6Like { get; } = new((0.3, 2.0), (1.5, 8), 0.2);

    /// <summary>
    /// Simulates <paramref name="cells"/> cells, each with one trace per rate in <paramref name="ratesHz"/>,
    /// named <c>cell{NNN}_r{rate}</c>. Deterministic in <paramref name="seed"/>.
    /// </summary>
    public SimulatedDataset Simulate(int cells, IReadOnlyList<double> ratesHz, int frames, double frameRateHz, int seed, int arOrder = 1)
    {
        if (cells < 1) throw new ArgumentOutOfRangeException(nameof(cells), $"cells must be >= 1, got {cells}");
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), $"frames must be >= 1, got {frames}");
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        foreach (var r in ratesHz)
            if (!(r >= 0 && r < frameRateHz)) throw new ArgumentOutOfRangeException(nameof(ratesHz), $"rates must be in [0, frame rate), got {r}");
        var model = new ScfModel(new ScfOptions(ArOrder: arOrder));
        var rng = new Random(seed);
        var builder = new SimulatedDatasetBuilder(model, frames, frameRateHz);
        for (int c = 0; c < cells; c++)
        {
            double tau = rng.NextUniform(TauDecayRangeSeconds.Lo, TauDecayRangeSeconds.Hi);
            double alpha = rng.NextUniform(1 - RelativeSpread, 1 + RelativeSpread);
            double delta = rng.NextUniform(1 - RelativeSpread, 1 + RelativeSpread);
            double snr = rng.NextUniform(SnrRange.Lo, SnrRange.Hi);
            double gammaDecay = CalciumKernel.FromTau(tau, frameRateHz);
            // AR(2): a 50 ms rise; the roots' product and sum give the coefficients.
            double gammaRise = CalciumKernel.FromTau(0.05, frameRateHz);
            double[] gamma = arOrder == 1 ? [gammaDecay] : [gammaDecay + gammaRise, -gammaDecay * gammaRise];
            foreach (var rate in ratesHz)
            {
                var p = new ScfParameters(gamma, alpha, delta, 0, alpha * delta / snr, rate);
                builder.Add(c, rate, model.FromPhysical(p, frameRateHz), snr, rng);
            }
        }
        return builder.Build();
    }
}

/// <summary>A simulated dataset: fluorescence, the true spikes and the true parameters.</summary>
public sealed record SimulatedDataset(TraceSet Calcium, TraceSet Spikes, DatasetMeta Meta)
{
    /// <summary>Writes <c>calcium.csv</c>, <c>spikes.csv</c> and <c>meta.json</c> into <paramref name="folder"/>.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        TraceCsv.Write(Path.Combine(folder, Dataset.CalciumFileName), Calcium);
        TraceCsv.Write(Path.Combine(folder, Dataset.SpikesFileName), Spikes);
        Meta.Write(Path.Combine(folder, Dataset.MetaFileName));
    }
}
