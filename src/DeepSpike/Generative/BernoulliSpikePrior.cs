using DeepSpike.Engine;

namespace DeepSpike.Generative;

/// <summary>
/// I.i.d. Bernoulli spike prior <c>p(s) = Π_t ρ^{s_t} (1 − ρ)^{1 − s_t}</c> with the per-frame probability
/// ρ = σ(logit) held as a per-cell parameter named <see cref="ParameterName"/>.
/// </summary>
public static class BernoulliSpikePrior
{
    /// <summary>Name of the logit parameter inside <see cref="GenerativeParameters"/>.</summary>
    public const string ParameterName = "spike_logit";

    /// <summary>Adds the prior's parameter for a firing rate in Hz.</summary>
    public static void AddTo(GenerativeParameters theta, double rateHz, double frameRateHz)
    {
        double p = Math.Clamp(rateHz / frameRateHz, 1e-5, 0.5);
        theta.Set(ParameterName, (float)Math.Log(p / (1 - p)));
    }

    /// <summary><c>log p(s)</c> for spikes <c>[K, B, T]</c> → <c>[K, B]</c>.</summary>
    public static Tensor LogProb(GenerativeParameters theta, Tensor spikes) =>
        Ops.BernoulliLogProb(theta[ParameterName], spikes);

    /// <summary>The prior's firing rate in Hz.</summary>
    public static double RateHz(GenerativeParameters theta, double frameRateHz) =>
        frameRateHz / (1 + Math.Exp(-theta.Value(ParameterName)));
}
