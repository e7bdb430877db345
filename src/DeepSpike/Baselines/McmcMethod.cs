using DeepSpike.Inference;

namespace DeepSpike.Baselines;

/// <summary>
/// The MCMC baseline as an <see cref="ISpikeInferenceMethod"/>: θ estimated per trace
/// (<see cref="ScfSamplerStart.Estimate"/>), then <see cref="ScfGibbsSampler"/>; the output is the posterior
/// spike probability per frame.
/// </summary>
/// <param name="options">Sampler settings; defaults if null.</param>
public sealed class McmcMethod(McmcOptions? options = null) : ISpikeInferenceMethod
{
    /// <summary>The sampler settings.</summary>
    public McmcOptions Options { get; } = (options ?? new McmcOptions()).Validate();

    /// <inheritdoc/>
    public string Name => "mcmc";

    /// <inheritdoc/>
    public string OutputUnit => "spike probability";

    /// <inheritdoc/>
    public float[] Infer(ReadOnlySpan<float> fluorescence, double frameRateHz, int seed)
    {
        TraceValidation.CheckFrameRate(frameRateHz);
        var start = ScfSamplerStart.Estimate(fluorescence);
        return ScfGibbsSampler.Run(fluorescence, start.Parameters, Options, seed, start.InitialSpikes).SpikeProbability;
    }
}
