using DeepSpike.Engine;

namespace DeepSpike.Dynamics;

/// <summary>The likelihood and KL terms of the dynamics models, composed from differentiable ops.</summary>
public static class GaussianTerms
{
    /// <summary>
    /// KL(N(μ, e^{ℓ}) ‖ N(μₚ, σₚ²)) of diagonal Gaussians, summed over the last dimension:
    /// <c>½ Σ [ln σₚ² − ℓ + (e^{ℓ} + (μ − μₚ)²) / σₚ² − 1]</c>. <paramref name="mean"/> and <paramref name="logVariance"/> are
    /// <c>[B, D]</c>; <paramref name="priorMean"/> <c>[D]</c>. Returns <c>[B]</c>.
    /// </summary>
    public static Tensor KlToFixedVariancePrior(Tensor mean, Tensor logVariance, Tensor priorMean, double priorVariance)
    {
        float inverse = (float)(1 / priorVariance);
        var squaredGap = Ops.Square(Ops.Sub(mean, priorMean));
        var ratio = Ops.Scale(Ops.Add(Ops.Exp(logVariance), squaredGap), inverse);
        var perDimension = Ops.AddScalar(Ops.Sub(ratio, logVariance), (float)(Math.Log(priorVariance) - 1));
        return Ops.Scale(Ops.Sum(perDimension, -1), 0.5f);
    }

    /// <summary>
    /// Poisson log-likelihood of <paramref name="counts"/> under expected counts <c>e^{logRate}</c>, summed over all elements,
    /// without the <c>−ln Γ(s + 1)</c> term (it depends on the data only; <see cref="LogFactorialSum"/> gives it):
    /// <c>Σ (s · logRate − e^{logRate})</c>.
    /// </summary>
    public static Tensor PoissonLogLikelihood(Tensor logRate, Tensor counts) =>
        Ops.Sum(Ops.Sub(Ops.Mul(counts, logRate), Ops.Exp(logRate)));

    /// <summary><c>Σ ln Γ(s + 1)</c> over non-negative counts (integers or not), in double precision.</summary>
    public static double LogFactorialSum(ReadOnlySpan<float> counts)
    {
        double sum = 0;
        foreach (float s in counts) sum += LogGamma(s + 1.0);
        return sum;
    }

    /// <summary>ln Γ(x) for x &gt; 0; see <see cref="Ops.LogGammaOf"/>.</summary>
    public static double LogGamma(double x) => Ops.LogGammaOf(x);
}
