using System.Globalization;
using DeepSpike.Data;
using DeepSpike.Generative;

namespace DeepSpike.Simulation;

/// <summary>
/// The distribution of simulated SCDF cells (Speiser et al. 2017, §2.4: "initial parameters obtained by
/// fitting the models to real data, heterogeneity by randomly perturbing parameters"): each cell multiplies
/// every value of a base set by its own factor <c>U(1 − s, 1 + s)</c>, s = <paramref name="RelativeSpread"/>.
/// Calcium is AR(1) (or AR(2) with a 50 ms rise), baseline β = 0, the gain α is set so that one spike's peak
/// is <c>A ~ 1 ± s</c> and σ = A / SNR, spikes are i.i.d. Bernoulli, one trace per cell and firing rate.
/// </summary>
/// <param name="TauDecaySeconds">Base calcium decay time constant, in s.</param>
/// <param name="TauOffSeconds">Base dye relaxation (unbinding) time constant, in s; κ_off = 1 − e^{−1/(τ_off·rate)}.</param>
/// <param name="SingleSpikeOccupancy">Base steady-state bound fraction under one spike's calcium,
/// κ_on/(κ_on + κ_off), in (0, 1): sets where bursts saturate.</param>
/// <param name="Hill">Base Hill coefficient η (&gt; 1 facilitates small bursts).</param>
/// <param name="Snr">Base single-spike signal-to-noise ratio, peak amplitude / σ.</param>
/// <param name="RelativeSpread">Half-width s of the uniform multiplicative perturbation, in [0, 1).</param>
public sealed record ScdfSimulationProtocol(
    double TauDecaySeconds,
    double TauOffSeconds,
    double SingleSpikeOccupancy,
    double Hill,
    double Snr,
    double RelativeSpread = 0.2)
{
    /// <summary>
    /// The paper-like set: the SCF-Sim decay (0.7 s, the middle of 0.5–1 s) and SNR (3.5, the middle of 2–5),
    /// a fast dye (τ_off = 0.1 s), 10 % occupancy per spike and η = 1.5 — single spikes near-linear, pairs
    /// facilitated, bursts of ~10 saturated — each perturbed by ±20 %.
    /// </summary>
    public static ScdfSimulationProtocol Paper { get; } = new(0.7, 0.1, 0.1, 1.5, 3.5);

    /// <summary>A GCaMP6-like set: slower decay (1 s), slower dye (0.15 s), steeper Hill (2.3), ±40 %.</summary>
    public static ScdfSimulationProtocol Gcamp6Like { get; } = new(1.0, 0.15, 0.05, 2.3, 4, 0.4);

    /// <summary>Throws if a value is out of range.</summary>
    public ScdfSimulationProtocol Validate()
    {
        if (!(RelativeSpread >= 0 && RelativeSpread < 1)) throw new ArgumentOutOfRangeException(nameof(RelativeSpread), $"relative spread must be in [0, 1), got {RelativeSpread}");
        if (!(TauDecaySeconds > 0)) throw new ArgumentOutOfRangeException(nameof(TauDecaySeconds), $"decay time constant must be > 0 s, got {TauDecaySeconds}");
        if (!(TauOffSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(TauOffSeconds), $"unbinding time constant must be > 0 s, got {TauOffSeconds}");
        if (!(SingleSpikeOccupancy > 0 && SingleSpikeOccupancy * (1 + RelativeSpread) < 1))
            throw new ArgumentOutOfRangeException(nameof(SingleSpikeOccupancy), $"single-spike occupancy must be in (0, 1) after a {RelativeSpread:P0} perturbation, got {SingleSpikeOccupancy}");
        if (!(Hill > 0)) throw new ArgumentOutOfRangeException(nameof(Hill), $"Hill coefficient must be > 0, got {Hill}");
        if (!(Snr > 0)) throw new ArgumentOutOfRangeException(nameof(Snr), $"SNR must be > 0, got {Snr}");
        return this;
    }

    /// <summary>
    /// Simulates <paramref name="cells"/> cells, each with one trace per rate in <paramref name="ratesHz"/>,
    /// named <c>cell{NNN}_r{rate}</c>; meta.json gets each trace's <see cref="ScdfModel.Describe"/> values.
    /// Deterministic in <paramref name="seed"/>.
    /// </summary>
    public SimulatedDataset Simulate(int cells, IReadOnlyList<double> ratesHz, int frames, double frameRateHz, int seed, int arOrder = 1)
    {
        Validate();
        if (cells < 1) throw new ArgumentOutOfRangeException(nameof(cells), $"cells must be >= 1, got {cells}");
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), $"frames must be >= 1, got {frames}");
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        foreach (var r in ratesHz)
            if (!(r >= 0 && r < frameRateHz)) throw new ArgumentOutOfRangeException(nameof(ratesHz), $"rates must be in [0, frame rate), got {r}");
        var model = new ScdfModel(new ScdfOptions(ArOrder: arOrder));
        var rng = new Random(seed);
        var builder = new SimulatedDatasetBuilder(model, frames, frameRateHz);
        for (int c = 0; c < cells; c++)
        {
            double Perturb(double value) => value * rng.NextUniform(1 - RelativeSpread, 1 + RelativeSpread);
            double gammaDecay = CalciumKernel.FromTau(Perturb(TauDecaySeconds), frameRateHz);
            double gammaRise = CalciumKernel.FromTau(0.05, frameRateHz);
            double[] gamma = arOrder == 1 ? [gammaDecay] : [gammaDecay + gammaRise, -gammaDecay * gammaRise];
            double kOff = ScdfModel.UnbindingRateFromTau(Perturb(TauOffSeconds), frameRateHz);
            double kOn = ScdfModel.BindingRateForOccupancy(kOff, Perturb(SingleSpikeOccupancy));
            double hill = Perturb(Hill), dyeTotal = Perturb(1), amplitude = Perturb(1), snr = Perturb(Snr);
            var unitGain = new ScdfParameters(gamma, kOn, kOff, hill, dyeTotal, Alpha: 1, Beta: 0, Sigma: 1, SpikeRateHz: 0);
            double alpha = amplitude / ScdfModel.SingleSpikeAmplitude(unitGain);
            foreach (var rate in ratesHz)
            {
                var p = unitGain with { Alpha = alpha, Sigma = amplitude / snr, SpikeRateHz = rate };
                builder.Add(c, rate, model.FromPhysical(p, frameRateHz), snr, rng);
            }
        }
        return builder.Build();
    }
}
