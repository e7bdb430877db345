using DeepSpike.Data;
using DeepSpike.Generative;

namespace DeepSpike.Simulation;

/// <summary>
/// The distribution of simulated MLphys cells around one indicator's published MLspike kinetics, with the
/// heterogeneity of Speiser et al. 2017, §2.4 ("randomly perturbing parameters"): each cell multiplies τ,
/// τ_on, η, ω, the ΔF/F amplitude A and the SNR by its own factor <c>U(1 − s, 1 + s)</c>,
/// s = <paramref name="RelativeSpread"/>. Traces are in ΔF/F: β = 0 and α = A, as MLspike's
/// <c>F/F0 − 1 = A p</c>; σ = single-spike peak / SNR; spikes are i.i.d. Bernoulli, one trace per cell and rate.
/// </summary>
/// <param name="Indicator">Base kinetics and amplitude (e.g. <see cref="MlspikeIndicator.Gcamp6s"/>).</param>
/// <param name="Snr">Base single-spike signal-to-noise ratio, peak ΔF/F / σ.</param>
/// <param name="RelativeSpread">Half-width s of the uniform multiplicative perturbation, in [0, 1).</param>
/// <param name="BaselineCalcium">Baseline calcium c0 &gt; 0 of every cell, in spike units (not perturbed: the
/// published sets have none, see <see cref="MlphysOptions.InitialBaselineCalcium"/>).</param>
public sealed record MlphysSimulationProtocol(
    MlspikeIndicator Indicator,
    double Snr = 3.5,
    double RelativeSpread = 0.2,
    double BaselineCalcium = 1e-3)
{
    /// <summary>GCaMP6s around Deneux's GENIE calibration, the SCF-Sim SNR (3.5, the middle of 2–5), ±20 %.</summary>
    public static MlphysSimulationProtocol Gcamp6s { get; } = new(MlspikeIndicator.Gcamp6s);

    /// <summary>GCaMP6f around Deneux's GENIE calibration, the SCF-Sim SNR (3.5, the middle of 2–5), ±20 %.</summary>
    public static MlphysSimulationProtocol Gcamp6f { get; } = new(MlspikeIndicator.Gcamp6f);

    /// <summary>Throws if a value is out of range.</summary>
    public MlphysSimulationProtocol Validate()
    {
        ArgumentNullException.ThrowIfNull(Indicator);
        Indicator.Validate();
        if (!(RelativeSpread >= 0 && RelativeSpread < 1)) throw new ArgumentOutOfRangeException(nameof(RelativeSpread), $"relative spread must be in [0, 1), got {RelativeSpread}");
        if (!(Snr > 0 && double.IsFinite(Snr))) throw new ArgumentOutOfRangeException(nameof(Snr), $"SNR must be > 0, got {Snr}");
        if (!(BaselineCalcium > 0 && double.IsFinite(BaselineCalcium)))
            throw new ArgumentOutOfRangeException(nameof(BaselineCalcium), $"baseline calcium c0 must be > 0 (spike units), got {BaselineCalcium}");
        return this;
    }

    /// <summary>
    /// Simulates <paramref name="cells"/> cells, each with one trace per rate in <paramref name="ratesHz"/>,
    /// named <c>cell{NNN}_r{rate}</c>; meta.json gets each trace's <see cref="MlphysModel.Describe"/> values.
    /// Deterministic in <paramref name="seed"/>.
    /// </summary>
    public SimulatedDataset Simulate(int cells, IReadOnlyList<double> ratesHz, int frames, double frameRateHz, int seed)
    {
        Validate();
        if (cells < 1) throw new ArgumentOutOfRangeException(nameof(cells), $"cells must be >= 1, got {cells}");
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), $"frames must be >= 1, got {frames}");
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        foreach (var r in ratesHz)
            if (!(r >= 0 && r < frameRateHz)) throw new ArgumentOutOfRangeException(nameof(ratesHz), $"rates must be in [0, frame rate), got {r}");
        var model = new MlphysModel(new MlphysOptions(Indicator, BaselineCalcium));
        var rng = new Random(seed);
        var builder = new SimulatedDatasetBuilder(model, frames, frameRateHz);
        for (int c = 0; c < cells; c++)
        {
            double Perturb(double value) => value * rng.NextUniform(1 - RelativeSpread, 1 + RelativeSpread);
            var cell = new MlphysParameters(
                TauDecaySeconds: Perturb(Indicator.TauDecaySeconds), TauOnSeconds: Perturb(Indicator.TauOnSeconds),
                Hill: Perturb(Indicator.Hill), Saturation: Perturb(Indicator.Saturation), BaselineCalcium,
                Alpha: Perturb(Indicator.AmplitudeDff), Beta: 0, Sigma: 1, SpikeRateHz: 0);
            double snr = Perturb(Snr);
            double sigma = MlphysModel.SingleSpikeAmplitude(cell, frameRateHz) / snr;
            foreach (var rate in ratesHz)
                builder.Add(c, rate, model.FromPhysical(cell with { Sigma = sigma, SpikeRateHz = rate }, frameRateHz), snr, rng);
        }
        return builder.Build();
    }
}
