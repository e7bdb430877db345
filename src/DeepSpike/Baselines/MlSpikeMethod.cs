using DeepSpike.Inference;

namespace DeepSpike.Baselines;

/// <summary>
/// MLspike as an <see cref="ISpikeInferenceMethod"/>: parameters calibrated per trace, then the posterior expected
/// spike count per frame (<see cref="MlSpike.Infer"/>).
/// </summary>
/// <param name="options">Settings; defaults if null.</param>
public sealed class MlSpikeMethod(MlSpikeOptions? options = null) : ISpikeInferenceMethod
{
    /// <summary>The settings.</summary>
    public MlSpikeOptions Options { get; } = (options ?? new MlSpikeOptions()).Validate();

    /// <inheritdoc/>
    public string Name => "mlspike";

    /// <inheritdoc/>
    public string OutputUnit => "spike probability (posterior expected spikes per frame)";

    /// <summary><see cref="MlSpikeResult.ExpectedSpikes"/>; <paramref name="seed"/> is unused (the inference is exact and deterministic).</summary>
    public float[] Infer(ReadOnlySpan<float> fluorescence, double frameRateHz, int seed)
    {
        TraceValidation.CheckFrameRate(frameRateHz);
        return MlSpike.Infer(fluorescence, frameRateHz, Options).ExpectedSpikes;
    }
}
