namespace DeepSpike.Baselines;

/// <summary>
/// The solution of a sparse non-negative deconvolution (OASIS): denoised calcium and the spikes that drive it,
/// with the parameters in effect.
/// </summary>
/// <param name="Calcium">Denoised calcium <c>c_t</c> in fluorescence units, baseline removed (≥ 0).</param>
/// <param name="Spikes">Deconvolved activity <c>s_t = c_t − Σ_k γ_k c_{t−k}</c> (≥ 0, in fluorescence units);
/// frame 0 is set to 0 because it only carries the calcium present before the recording.</param>
/// <param name="Baseline">Fluorescence baseline b: <c>y_t ≈ b + c_t</c>.</param>
/// <param name="Ar">AR coefficients γ_1..γ_p of the calcium kernel.</param>
/// <param name="Lambda">Sparsity penalty λ ≥ 0 of the solved problem.</param>
/// <param name="NoiseSigma">Noise standard deviation σ the penalty was tuned to (NaN when λ was given).</param>
public sealed record DeconvolutionResult(float[] Calcium, float[] Spikes, double Baseline, double[] Ar, double Lambda, double NoiseSigma);
