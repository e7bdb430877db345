using DeepSpike.Generative;

namespace DeepSpike.Baselines;

/// <summary>How the baseline <c>B_t</c> enters the MLspike measurement (<c>tps_mlspikes</c> option <c>drift.effect</c>).</summary>
public enum BaselineEffect
{
    /// <summary><c>F_t = B_t (1 + A p(c_t)) + e_t</c>: A is a fraction of the baseline (ΔF/F per spike); raw
    /// fluorescence with a positive baseline.</summary>
    Multiplicative,

    /// <summary><c>F_t = B_t + A p(c_t) + e_t</c>: A is in trace units; ΔF/F or background-subtracted traces.</summary>
    Additive,
}

/// <summary>
/// The MLspike generative model (Deneux et al. 2016, Nat Commun 7:12190, eqs. 1–4), in discrete time with frame
/// interval <c>Δt = 1 / FrameRateHz</c>:
/// <code>
/// n_t ~ Poisson(λ Δt)                          spikes in frame t (truncated to the grid's maximum, renormalised)
/// c_t = γ c_{t−1} + n_t,   γ = exp(−Δt / τ)      calcium, in units of one spike's jump
/// B_t = B_{t−1} + η_t,     η_t ~ N(0, d² Δt)     baseline random walk (d = DriftPerSqrtSecond; 0: constant)
/// F_t = B_t (1 + A p(c_t)) + e_t  or  B_t + A p(c_t) + e_t,   e_t ~ N(0, σ²)
/// </code>
/// with <c>p</c> the <see cref="IndicatorNonlinearity"/>.
/// </summary>
/// <param name="FrameRateHz">Frames per second, &gt; 0.</param>
/// <param name="TauDecaySeconds">Calcium decay time constant τ &gt; 0.</param>
/// <param name="Amplitude">A &gt; 0: one spike's fluorescence jump as a fraction of the baseline
/// (<see cref="BaselineEffect.Multiplicative"/>) or in trace units (<see cref="BaselineEffect.Additive"/>).</param>
/// <param name="NoiseSigma">σ &gt; 0, trace units.</param>
/// <param name="SpikeRateHz">Prior firing rate λ &gt; 0.</param>
/// <param name="DriftPerSqrtSecond">d ≥ 0: standard deviation of the baseline's change over one second, trace units.</param>
/// <param name="Effect">How the baseline enters.</param>
/// <param name="Nonlinearity">The indicator's response; null for linear.</param>
public sealed record MlSpikeParameters(
    double FrameRateHz,
    double TauDecaySeconds,
    double Amplitude,
    double NoiseSigma,
    double SpikeRateHz,
    double DriftPerSqrtSecond = 0,
    BaselineEffect Effect = BaselineEffect.Multiplicative,
    IndicatorNonlinearity? Nonlinearity = null)
{
    /// <summary>Throws if a value is out of range; returns this.</summary>
    public MlSpikeParameters Validate()
    {
        TraceValidation.CheckFrameRate(FrameRateHz);
        if (!(TauDecaySeconds > 0 && double.IsFinite(TauDecaySeconds)))
            throw new ArgumentOutOfRangeException(nameof(TauDecaySeconds), TauDecaySeconds, $"decay time constant must be finite and > 0 s, got {TauDecaySeconds}");
        if (!(Amplitude > 0 && double.IsFinite(Amplitude)))
            throw new ArgumentOutOfRangeException(nameof(Amplitude), Amplitude, $"spike amplitude must be finite and > 0, got {Amplitude}");
        if (!(NoiseSigma > 0 && double.IsFinite(NoiseSigma)))
            throw new ArgumentOutOfRangeException(nameof(NoiseSigma), NoiseSigma, $"noise sigma must be finite and > 0, got {NoiseSigma}");
        if (!(SpikeRateHz > 0 && SpikeRateHz < FrameRateHz))
            throw new ArgumentOutOfRangeException(nameof(SpikeRateHz), SpikeRateHz, $"spike rate must be in (0, frame rate {FrameRateHz}) Hz, got {SpikeRateHz}");
        if (!(DriftPerSqrtSecond >= 0 && double.IsFinite(DriftPerSqrtSecond)))
            throw new ArgumentOutOfRangeException(nameof(DriftPerSqrtSecond), DriftPerSqrtSecond, $"drift must be finite and >= 0, got {DriftPerSqrtSecond}");
        if (!Enum.IsDefined(Effect)) throw new ArgumentOutOfRangeException(nameof(Effect), Effect, $"unknown baseline effect {Effect}");
        Nonlinearity?.Validate();
        return this;
    }

    /// <summary>Calcium decay per frame, <c>γ = exp(−Δt / τ)</c>.</summary>
    public double Decay => CalciumKernel.FromTau(TauDecaySeconds, FrameRateHz);

    /// <summary>Standard deviation of the baseline's change over one frame, <c>d √Δt</c> (trace units).</summary>
    public double DriftPerFrame => DriftPerSqrtSecond / Math.Sqrt(FrameRateHz);

    /// <summary>Expected fluorescence <c>E[F | c, B]</c>.</summary>
    public double MeanFluorescence(double calcium, double baseline)
    {
        double p = Nonlinearity is null ? calcium : Nonlinearity.Apply(calcium);
        return Effect == BaselineEffect.Multiplicative ? baseline * (1 + Amplitude * p) : baseline + Amplitude * p;
    }

    /// <summary>
    /// <c>P(n)</c> for <c>n = 0..maxSpikes</c>: the Poisson law of mean <c>λ Δt</c> restricted to those counts and
    /// renormalised (as <c>tps_mlspikes</c>).
    /// </summary>
    public double[] SpikeCountPrior(int maxSpikes)
    {
        if (maxSpikes < 1) throw new ArgumentOutOfRangeException(nameof(maxSpikes), maxSpikes, $"maximum spikes per frame must be >= 1, got {maxSpikes}");
        double mean = SpikeRateHz / FrameRateHz;
        var prior = new double[maxSpikes + 1];
        double term = 1, total = 0;
        for (int n = 0; n <= maxSpikes; n++)
        {
            if (n > 0) term *= mean / n;
            prior[n] = term;
            total += term;
        }
        for (int n = 0; n <= maxSpikes; n++) prior[n] /= total;
        return prior;
    }
}
