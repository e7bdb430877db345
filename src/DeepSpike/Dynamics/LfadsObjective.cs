using DeepSpike.Engine;

namespace DeepSpike.Dynamics;

/// <summary>The terms of one batch's LFADS objective, in nats per trial.</summary>
/// <param name="Loss">What training minimises: −log p(x | rates) + w_KL · KL + w_L2 · L2, averaged over the batch (differentiable).</param>
/// <param name="Reconstruction">−log p(x | rates) per trial without the data-only log-factorial term.</param>
/// <param name="Kl">KL(q(g₀) ‖ p(g₀)) per trial.</param>
/// <param name="L2">The generator's L2 penalty (scale · mean w²), before its warm-up weight.</param>
public sealed record LfadsLoss(Tensor Loss, double Reconstruction, double Kl, double L2);

/// <summary>The LFADS objective: the negative evidence lower bound on Poisson counts plus an L2 penalty on the generator.</summary>
public static class LfadsObjective
{
    /// <summary>
    /// The loss of <paramref name="pass"/> against <paramref name="data"/> <c>[B, T, N]</c> — counts, or fluorescence for a
    /// model with a <see cref="Lfads.Observation"/> — with warm-up weights for the KL and L2 terms.
    /// </summary>
    public static LfadsLoss Evaluate(Lfads model, LfadsPass pass, Tensor data, double klWeight, double l2Weight, double l2Scale)
    {
        int batch = data.Shape[0];
        var reconstruction = model.Observation is { } observation
            ? Ops.Scale(observation.NegativeLogLikelihood(pass.LogRates, data), 1f / batch)
            : Ops.Scale(GaussianTerms.PoissonLogLikelihood(pass.LogRates, data), -1f / batch);
        var kl = Ops.Mean(pass.Kl);
        var weight = model.GeneratorRecurrentWeight;
        var l2 = Ops.Scale(Ops.Sum(Ops.Square(weight)), (float)(l2Scale / weight.Length));
        var loss = Ops.Add(Ops.Add(reconstruction, Ops.Scale(kl, (float)klWeight)), Ops.Scale(l2, (float)l2Weight));
        return new LfadsLoss(loss, reconstruction.Item(), kl.Item(), l2.Item());
    }
}
