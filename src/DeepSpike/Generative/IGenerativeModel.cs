using DeepSpike.Engine;

namespace DeepSpike.Generative;

/// <summary>
/// A differentiable generative model of fluorescence given spikes, <c>p_θ(f | s)</c>, with per-cell
/// parameters θ. Implement this (forward simulation written with <see cref="Ops"/>) to add a model:
/// training, inference and simulation then work unchanged.
/// </summary>
public interface IGenerativeModel
{
    /// <summary>Short identifier stored in model files and accepted by the CLI (e.g. "scf").</summary>
    string Name { get; }

    /// <summary>
    /// Fresh per-cell parameters, initialised from one cell's fluorescence (baseline, noise level and
    /// amplitude estimated robustly) so that training starts near a sensible solution.
    /// </summary>
    GenerativeParameters InitialParameters(ReadOnlySpan<float> fluorescence, double frameRateHz);

    /// <summary>
    /// <c>log p_θ(f | s)</c> for K spike-train samples of B chunks: <paramref name="fluorescence"/>
    /// <c>[B, T]</c> (constant), <paramref name="spikes"/> <c>[K, B, T]</c> (constant 0/1) → <c>[K, B]</c>,
    /// differentiable with respect to the tensors of <paramref name="theta"/>.
    /// </summary>
    Tensor LogLikelihood(GenerativeParameters theta, Tensor fluorescence, Tensor spikes);

    /// <summary>
    /// Noise-free fluorescence mean <c>E[f | s]</c> for spikes <c>[N, T]</c> → <c>[N, T]</c>
    /// (reconstructions, and the simulator before noise is added).
    /// </summary>
    Tensor MeanFluorescence(GenerativeParameters theta, Tensor spikes);

    /// <summary>Draws fluorescence for a spike train: mean plus the model's noise.</summary>
    float[] Simulate(GenerativeParameters theta, ReadOnlySpan<float> spikes, Random rng);

    /// <summary>The parameters in physical units (e.g. tau_decay_s, alpha, sigma) for reports and meta.json.</summary>
    IReadOnlyDictionary<string, double> Describe(GenerativeParameters theta, double frameRateHz);
}
