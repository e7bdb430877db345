using DeepSpike.Engine;

namespace DeepSpike.Dynamics;

/// <summary>The LFADS objective: the negative evidence lower bound on Poisson counts plus an L2 penalty on the generator.</summary>
public static class LfadsObjective
{
    /// <summary>
    /// The loss of <paramref name="pass"/> against <paramref name="data"/> <c>[B, T, N]</c> — counts, or fluorescence for a
    /// model with a <see cref="Lfads.Observation"/> — with warm-up weights for the KL and L2 terms:
    /// −log p(x | rates) + w_KL · KL(q(g₀) ‖ p(g₀)) + w_L2 · L2, averaged over the batch.
    /// </summary>
    public static DynamicsLoss Evaluate(Lfads model, LfadsPass pass, Tensor data, double klWeight, double l2Weight, double l2Scale)
    {
        int batch = data.Shape[0];
        var reconstruction = model.Observation is { } observation
            ? Ops.Scale(observation.NegativeLogLikelihood(pass.LogRates, data), 1f / batch)
            : Ops.Scale(GaussianTerms.PoissonLogLikelihood(pass.LogRates, data), -1f / batch);
        var kl = Ops.Mean(pass.Kl);
        var l2 = GeneratorL2(model, l2Scale);
        var loss = Ops.Add(Ops.Add(reconstruction, Ops.Scale(kl, (float)klWeight)), Ops.Scale(l2, (float)l2Weight));
        return new DynamicsLoss(loss, reconstruction.Item(), kl.Item(), l2.Item());
    }

    /// <summary>The L2 penalty on the generator's recurrent weights: scale · Σ w² / (number of weights).</summary>
    public static Tensor GeneratorL2(Lfads model, double l2Scale)
    {
        var weight = model.GeneratorRecurrentWeight;
        return Ops.Scale(Ops.Sum(Ops.Square(weight)), (float)(l2Scale / weight.Length));
    }
}
