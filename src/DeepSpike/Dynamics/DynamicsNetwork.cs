using DeepSpike.Engine;
using DeepSpike.Engine.Nn;

namespace DeepSpike.Dynamics;

/// <summary>What one pass of a dynamics network infers for a batch of trials, every tensor <c>[B, T, ·]</c>.</summary>
/// <param name="Factors">Factors <c>[B, T, K]</c>.</param>
/// <param name="LogRates">Log expected counts per bin <c>[B, T, N]</c>.</param>
/// <param name="Spikes">Posterior mean spike counts per bin, or null for a model without a spike layer.</param>
/// <param name="Calcium">Posterior mean calcium (spikes through the indicator kernel), or null.</param>
/// <param name="Fluorescence">The reconstructed fluorescence (the observation model's mean), or null for a model of counts.</param>
public sealed record DynamicsPass(Tensor Factors, Tensor LogRates, Tensor? Spikes = null, Tensor? Calcium = null, Tensor? Fluorescence = null);

/// <summary>The terms of one batch's objective, in nats per trial.</summary>
/// <param name="Loss">What training minimises, averaged over the batch, with the step's warm-up weights (differentiable).</param>
/// <param name="Reconstruction">−log p(data | latents) per trial (for counts without the data-only log-factorial term).</param>
/// <param name="Kl">The KL terms per trial, unweighted.</param>
/// <param name="L2">The generator's L2 penalty (scale · mean w²), before its warm-up weight.</param>
public sealed record DynamicsLoss(Tensor Loss, double Reconstruction, double Kl, double L2);

/// <summary>
/// A population-dynamics model over trials (LFADS and its relatives): trained by <see cref="LfadsTrainer"/>, stored by
/// <see cref="DynamicsModel"/>, applied by <see cref="DynamicsInference"/>. Each trial is <c>[T, N]</c> — counts or
/// fluorescence, as the model reads.
/// </summary>
public abstract class DynamicsNetwork : Module
{
    /// <summary>Cells the network reads and explains.</summary>
    public abstract int Channels { get; }

    /// <summary>Number of factors.</summary>
    public abstract int Factors { get; }

    /// <summary>The architecture as JSON, for model and checkpoint files.</summary>
    public abstract string OptionsJson { get; }

    /// <summary>
    /// The objective of <paramref name="batch"/> <c>[B, T, N]</c> at training step <paramref name="step"/> (which sets the
    /// warm-up weights and any staged schedule; <see cref="int.MaxValue"/> gives the full objective). With
    /// <paramref name="rng"/> latents are drawn from their posteriors (and dropout applied when <paramref name="training"/>),
    /// without it they are at their posterior means.
    /// </summary>
    public abstract DynamicsLoss Evaluate(Tensor batch, Random? rng, bool training, int step, DynamicsTrainingOptions recipe);

    /// <summary>One inference pass: latents drawn with <paramref name="rng"/>, or at their posterior means without.</summary>
    public abstract DynamicsPass Infer(Tensor batch, Random? rng);

    /// <summary>The step from which validation bounds are comparable (warm-ups and staged training over), so the best can be kept.</summary>
    public virtual int SettledStep(DynamicsTrainingOptions recipe) => recipe.WarmupSteps;

    /// <summary>The data-only term the objective leaves out (e.g. <c>Σ ln s!</c> of counts), added to report a true bound.</summary>
    public virtual double DataConstant(ReadOnlySpan<float> batch) => 0;

    /// <summary>Linear warm-up weight in [0, 1] after <paramref name="steps"/> steps of <paramref name="warmupSteps"/>.</summary>
    protected static double Warmup(long steps, int warmupSteps) =>
        steps < 0 ? 0 : warmupSteps == 0 ? 1 : Math.Min(1.0, (double)steps / warmupSteps);
}
