namespace DeepSpike.Baselines;

/// <summary>
/// The SCF model as <see cref="ScfGibbsSampler"/> sees it (Speiser et al. 2017, eq. 2, with AR(1) calcium and the
/// gain folded into the amplitude): <c>c_t = γ c_{t−1} + s_t</c> (<c>c_{−1} = 0</c>),
/// <c>f_t = β + A c_t + m_0 γ^t + e_t</c>, <c>e_t ~ N(0, σ²)</c>, <c>s_t ~ Bernoulli(ρ)</c> i.i.d.
/// </summary>
/// <param name="Gamma">γ ∈ (0, 1), the per-frame calcium decay.</param>
/// <param name="Amplitude">A &gt; 0: fluorescence jump per spike (α·δ).</param>
/// <param name="Baseline">β: fluorescence with no calcium.</param>
/// <param name="NoiseSigma">σ &gt; 0.</param>
/// <param name="SpikeProbability">ρ ∈ (0, 1): prior spike probability per frame (rate × frame duration).</param>
/// <param name="InitialCalcium">m_0 ≥ 0: fluorescence above baseline at frame 0 from spikes before the
/// recording, decaying with γ.</param>
public sealed record ScfSamplerParameters(double Gamma, double Amplitude, double Baseline, double NoiseSigma, double SpikeProbability, double InitialCalcium = 0)
{
    /// <summary>Throws if a value is out of range; returns this.</summary>
    public ScfSamplerParameters Validate()
    {
        if (!(Gamma > 0 && Gamma < 1)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, $"AR(1) coefficient must be in (0, 1), got {Gamma}");
        if (!(Amplitude > 0 && double.IsFinite(Amplitude))) throw new ArgumentOutOfRangeException(nameof(Amplitude), Amplitude, $"spike amplitude must be finite and > 0, got {Amplitude}");
        if (!double.IsFinite(Baseline)) throw new ArgumentOutOfRangeException(nameof(Baseline), Baseline, $"baseline must be finite, got {Baseline}");
        if (!(NoiseSigma > 0 && double.IsFinite(NoiseSigma))) throw new ArgumentOutOfRangeException(nameof(NoiseSigma), NoiseSigma, $"noise sigma must be finite and > 0, got {NoiseSigma}");
        if (!(SpikeProbability > 0 && SpikeProbability < 1)) throw new ArgumentOutOfRangeException(nameof(SpikeProbability), SpikeProbability, $"spike probability per frame must be in (0, 1), got {SpikeProbability}");
        if (!(InitialCalcium >= 0 && double.IsFinite(InitialCalcium))) throw new ArgumentOutOfRangeException(nameof(InitialCalcium), InitialCalcium, $"initial calcium must be finite and >= 0, got {InitialCalcium}");
        return this;
    }
}
