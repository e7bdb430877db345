using DeepSpike.Inference;

namespace DeepSpike.Baselines;

/// <summary>
/// OASIS deconvolution as an <see cref="ISpikeInferenceMethod"/>: noise-constrained, with σ, γ and b estimated
/// per trace unless <see cref="Options"/> fixes them (see <see cref="Oasis.Deconvolve"/>).
/// </summary>
/// <param name="options">Settings; default AR(1) with everything estimated.</param>
public sealed class OasisMethod(OasisOptions? options = null) : ISpikeInferenceMethod
{
    /// <summary>The deconvolution settings.</summary>
    public OasisOptions Options { get; } = (options ?? new OasisOptions()).Validate();

    /// <inheritdoc/>
    public string Name => Options.ArOrder == 1 ? "oasis-ar1" : "oasis-ar2";

    /// <inheritdoc/>
    public string OutputUnit => "deconvolved spike amplitude (fluorescence units)";

    /// <summary>The deconvolved spikes <see cref="DeconvolutionResult.Spikes"/>; <paramref name="seed"/> is unused (OASIS is deterministic).</summary>
    public float[] Infer(ReadOnlySpan<float> fluorescence, double frameRateHz, int seed)
    {
        TraceValidation.CheckFrameRate(frameRateHz);
        return Oasis.DeconvolveSpikes(fluorescence, Options);
    }
}
