using DeepSpike.Data;
using DeepSpike.Models;

namespace DeepSpike.Inference;

/// <summary>Spike probabilities for a set of traces, and what was done to get them.</summary>
/// <param name="Probabilities">Per frame and trace: the spike probability (expected spike count per
/// frame when the input was resampled), in the input's frame layout.</param>
/// <param name="Resampled">Whether the input was resampled to the model's frame rate.</param>
public sealed record InferenceResult(TraceSet Probabilities, bool Resampled);

/// <summary>Amortized inference: one forward pass of a trained recognition network per trace.</summary>
public static class SpikeInference
{
    /// <summary>Relative frame-rate difference below which no resampling is done.</summary>
    public const double FrameRateTolerance = 0.01;

    /// <summary>
    /// Infers spike probabilities for every trace, in parallel over traces. Traces at a frame rate other
    /// than the model's are linearly resampled to it, and the probabilities summed back onto the input's
    /// frames (so they become expected spike counts per input frame).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown frame rate, or a constant trace (named).</exception>
    public static InferenceResult Run(SpikeModel model, TraceSet traces, int seed = 0)
    {
        if (!(traces.FrameRateHz > 0)) throw new ArgumentException("frame rate of the input is unknown: give it in meta.json or with --frame-rate");
        var probabilities = SpikeInferenceMethods.Run(new DeepSpikeMethod(model), traces, seed);
        return new InferenceResult(probabilities, model.NeedsResampling(traces.FrameRateHz));
    }
}
