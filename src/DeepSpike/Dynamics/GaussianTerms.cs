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

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 terms; relative error below 1e-13).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        double sum = Lanczos[0];
        for (int i = 1; i < Lanczos.Length; i++) sum += Lanczos[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];
}
