using DeepSpike.Data;
using DeepSpike.Models;

namespace DeepSpike.Inference;

/// <summary>Spike probabilities for a set of traces, and what was done to get them.</summary>
/// <param name="Probabilities">Per frame and trace: the spike probability (expected spike count per
/// frame when the input was resampled), in the input's frame layout.</param>
/// <param name="Resampled">Whether the input was resampled to the model's frame rate.</param>
/// <param name="Samples">When samples were asked for: per trace, its posterior samples as a set of columns
/// <c>sample_1 … sample_N</c> (spikes per input frame), in the input's order; otherwise null.</param>
public sealed record InferenceResult(TraceSet Probabilities, bool Resampled, IReadOnlyList<TraceSet>? Samples = null);

/// <summary>Amortized inference: one forward pass of a trained recognition network per trace.</summary>
public static class SpikeInference
{
    /// <summary>Relative frame-rate difference below which no resampling is done.</summary>
    public const double FrameRateTolerance = 0.01;

    /// <summary>
    /// Infers spike probabilities for every trace, in parallel over traces, and with <paramref name="samples"/> &gt; 0
    /// also draws that many spike trains per trace from the posterior (for DS-NF the probabilities are then the mean
    /// over those samples). Traces at a frame rate other than the model's are linearly resampled to it, and the
    /// outputs summed back onto the input's frames (so they become expected spike counts per input frame).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown frame rate, or a constant trace (named).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is negative.</exception>
    public static InferenceResult Run(SpikeModel model, TraceSet traces, int seed = 0, int samples = 0)
    {
        if (samples < 0) throw new ArgumentOutOfRangeException(nameof(samples), $"samples must be >= 0, got {samples}");
        if (!(traces.FrameRateHz > 0)) throw new ArgumentException("frame rate of the input is unknown: give it in meta.json or with --frame-rate");
        var method = new DeepSpikeMethod(model);
        bool resampled = model.NeedsResampling(traces.FrameRateHz);
        if (samples == 0) return new InferenceResult(SpikeInferenceMethods.Run(method, traces, seed), resampled);

        var posteriors = SpikeInferenceMethods.ForEachTrace(traces,
            i => method.Posterior(traces.Traces[i], traces.FrameRateHz, SpikeInferenceMethods.TraceSeed(seed, i), samples));
        var names = Enumerable.Range(1, samples).Select(k => $"sample_{k}").ToList();
        return new InferenceResult(
            new TraceSet(traces.Names, posteriors.Select(p => p.Probabilities).ToList(), traces.FrameRateHz),
            resampled,
            posteriors.Select(p => new TraceSet(names, p.Samples, traces.FrameRateHz)).ToList());
    }
}
