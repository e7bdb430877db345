namespace DeepSpike.Baselines;

/// <summary>
/// Settings of <see cref="Oasis.Deconvolve"/>. Every parameter left null is estimated from the trace, as the
/// OASIS package's <c>deconvolve(y, g=(None,)*p, sn=None, b=None, penalty=1)</c> does.
/// </summary>
/// <param name="ArOrder">Order p of the calcium kernel: 1 (instant rise) or 2 (finite rise).</param>
/// <param name="Ar">AR coefficients γ_1..γ_p, or null to estimate them from the autocovariance
/// (<see cref="OasisEstimation.ArCoefficients(ReadOnlySpan{float}, int, double, int, double)"/>).</param>
/// <param name="NoiseSigma">Noise σ &gt; 0, or null to estimate it from the power spectrum
/// (<see cref="OasisEstimation.NoiseSigma(ReadOnlySpan{float}, NoiseAveraging)"/>).</param>
/// <param name="Lambda">Sparsity penalty λ ≥ 0, or null for the noise-constrained problem: λ is chosen so that
/// the residual sum of squares is σ²T.</param>
/// <param name="Baseline">Fluorescence baseline b, or null to optimise it jointly with c.</param>
/// <param name="MinSpikeSize">s_min ≥ 0: non-zero spikes must be at least this large (fluorescence units).
/// Above 0 the problem is not convex and OASIS's greedy solution is returned.</param>
/// <param name="NoiseAveraging">How the power spectrum is averaged for σ.</param>
/// <param name="ArShrinkage">Factor in (0, 1] on the estimated AR roots (OASIS: 0.98) against their upward bias.</param>
/// <param name="ExtraLags">Autocovariance lags beyond p used to estimate γ (OASIS: 10).</param>
public sealed record OasisOptions(
    int ArOrder = 1,
    double[]? Ar = null,
    double? NoiseSigma = null,
    double? Lambda = null,
    double? Baseline = null,
    double MinSpikeSize = 0,
    NoiseAveraging NoiseAveraging = NoiseAveraging.Mean,
    double ArShrinkage = 0.98,
    int ExtraLags = 10)
{
    /// <summary>Throws if a value is out of range; returns this.</summary>
    public OasisOptions Validate()
    {
        if (ArOrder is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(ArOrder), ArOrder, $"AR order must be 1 or 2, got {ArOrder}");
        if (Ar is not null)
        {
            if (Ar.Length != ArOrder) throw new ArgumentException($"AR order is {ArOrder} but {Ar.Length} AR coefficients were given", nameof(Ar));
            ArKernel.Validate(Ar, nameof(Ar));
        }
        if (NoiseSigma is double sigma && !(sigma > 0 && double.IsFinite(sigma)))
            throw new ArgumentOutOfRangeException(nameof(NoiseSigma), sigma, $"noise sigma must be finite and > 0, got {sigma}");
        if (Lambda is double lambda && !(lambda >= 0 && double.IsFinite(lambda)))
            throw new ArgumentOutOfRangeException(nameof(Lambda), lambda, $"lambda must be finite and >= 0, got {lambda}");
        if (Baseline is double b && !double.IsFinite(b))
            throw new ArgumentOutOfRangeException(nameof(Baseline), b, $"baseline must be finite, got {b}");
        if (!(MinSpikeSize >= 0 && double.IsFinite(MinSpikeSize)))
            throw new ArgumentOutOfRangeException(nameof(MinSpikeSize), MinSpikeSize, $"minimum spike size must be finite and >= 0, got {MinSpikeSize}");
        if (!Enum.IsDefined(NoiseAveraging))
            throw new ArgumentOutOfRangeException(nameof(NoiseAveraging), NoiseAveraging, $"unknown noise averaging {NoiseAveraging}");
        if (!(ArShrinkage > 0 && ArShrinkage <= 1))
            throw new ArgumentOutOfRangeException(nameof(ArShrinkage), ArShrinkage, $"AR shrinkage must be in (0, 1], got {ArShrinkage}");
        if (ExtraLags < 0) throw new ArgumentOutOfRangeException(nameof(ExtraLags), ExtraLags, $"extra lags must be >= 0, got {ExtraLags}");
        return this;
    }
}
