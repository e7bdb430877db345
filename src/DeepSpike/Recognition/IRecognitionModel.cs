using DeepSpike.Engine;
using DeepSpike.Engine.Nn;

namespace DeepSpike.Recognition;

/// <summary>K posterior samples for a batch of chunks, with their differentiable log-probabilities.</summary>
/// <param name="Spikes">Sampled 0/1 spike trains <c>[K, B, T]</c>, constant.</param>
/// <param name="LogProbability"><c>log q_φ(s | f)</c> of each sample, <c>[K, B]</c>, differentiable in φ.</param>
/// <param name="Probabilities">Per-frame spike probabilities averaged over samples, <c>[B, T]</c>.</param>
public sealed record PosteriorSamples(Tensor Spikes, Tensor LogProbability, float[] Probabilities);

/// <summary>Posterior samples of one trace's spike train, and the per-frame spike probabilities that go with them.</summary>
/// <param name="Probabilities">Per frame: <c>q(s_t = 1 | f)</c> (DS-F: exact; DS-NF: the mean of π_t over the samples, as the paper does).</param>
/// <param name="Samples">The sampled 0/1 trains, one array per sample, each as long as the trace.</param>
public sealed record TracePosterior(float[] Probabilities, float[][] Samples);

/// <summary>
/// An amortized approximate posterior <c>q_φ(s | f)</c> over binary spike trains, shared across cells.
/// Inputs are traces already normalised by <see cref="InputNormalization"/>.
/// </summary>
public interface IRecognitionModel
{
    /// <summary>Identifier stored in model files and accepted by the CLI (e.g. "dsf").</summary>
    string Name { get; }

    /// <summary>The trainable network (φ).</summary>
    Module Network { get; }

    /// <summary>Hyperparameters as JSON, saved inside model files.</summary>
    string OptionsJson { get; }

    /// <summary>Draws <paramref name="samples"/> spike trains for each chunk of <paramref name="input"/> <c>[B, T]</c>.</summary>
    PosteriorSamples Sample(Tensor input, int samples, Random rng);

    /// <summary>
    /// Per-frame logits <c>[B, T]</c> of the marginal spike probability, differentiable in φ (used by the
    /// supervised cross-entropy objective). For autoregressive models, the logits given the true spikes.
    /// </summary>
    Tensor Logits(Tensor input, Tensor? conditioningSpikes = null);

    /// <summary>Marginal spike probability per frame of one normalised trace (inference, no gradient).</summary>
    float[] Marginals(float[] normalizedTrace, Random rng);

    /// <summary>
    /// Draws <paramref name="samples"/> spike trains for one normalised trace (inference, no gradient), with the
    /// per-frame probabilities. Each sample is a train from <c>q_φ(s | f)</c>: independent frames for DS-F,
    /// drawn autoregressively for DS-NF (so a sample has a plausible number of spikes).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is below 1.</exception>
    TracePosterior Posterior(float[] normalizedTrace, int samples, Random rng);
}
