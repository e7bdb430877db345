using DeepSpike.Data;
using DeepSpike.Engine;
using DeepSpike.Models;
using DeepSpike.Preprocessing;
using DeepSpike.Recognition;

namespace DeepSpike.Inference;

/// <summary>
/// A way of inferring spikes from one fluorescence trace, so that benchmarks and the CLI treat DeepSpike and
/// the baselines (OASIS, MCMC, …) alike.
/// </summary>
public interface ISpikeInferenceMethod
{
    /// <summary>Short identifier, e.g. <c>oasis-ar1</c>; used on the command line and in reports.</summary>
    string Name { get; }

    /// <summary>What each output value means, e.g. "spike probability" or
    /// "deconvolved spike amplitude (fluorescence units)"; outputs of different units are only comparable
    /// through scale-free scores such as Pearson correlation.</summary>
    string OutputUnit { get; }

    /// <summary>Per-frame output for one trace, as long as the trace.</summary>
    /// <param name="fluorescence">The trace (raw or ΔF/F), finite.</param>
    /// <param name="frameRateHz">Its frame rate, &gt; 0.</param>
    /// <param name="seed">Seed for any random draws; the same seed gives the same output.</param>
    /// <exception cref="ArgumentException">The trace cannot be used (empty, non-finite, constant, …); the
    /// message says why.</exception>
    float[] Infer(ReadOnlySpan<float> fluorescence, double frameRateHz, int seed);
}

/// <summary>Runs an <see cref="ISpikeInferenceMethod"/> over many traces.</summary>
public static class SpikeInferenceMethods
{
    /// <summary>
    /// Infers every trace of <paramref name="traces"/> in parallel (<see cref="Parallelism.Options"/>). Trace i
    /// gets a seed derived from <paramref name="seed"/> and i only, so results do not depend on the thread count.
    /// </summary>
    /// <param name="method">The method.</param>
    /// <param name="traces">Fluorescence traces with a known frame rate.</param>
    /// <param name="seed">Base seed.</param>
    /// <param name="progress">Receives the number of traces finished so far, from worker threads.</param>
    /// <returns>Outputs with the same names, lengths and frame rate as <paramref name="traces"/>.</returns>
    /// <exception cref="ArgumentException">The frame rate is unknown, or the method rejected a trace: the
    /// message starts with the trace's name (the first such trace in file order).</exception>
    public static TraceSet Run(ISpikeInferenceMethod method, TraceSet traces, int seed = 0, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(traces);
        double rate = traces.FrameRateHz;
        var output = ForEachTrace(traces, i => method.Infer(traces.Traces[i], rate, TraceSeed(seed, i)), progress);
        return new TraceSet(traces.Names, output, rate);
    }

    /// <summary>
    /// Runs <paramref name="infer"/> for every trace index in parallel (<see cref="Parallelism.Options"/>), stopping
    /// at the first trace it rejects.
    /// </summary>
    /// <exception cref="ArgumentException">The frame rate is unknown, or a trace was rejected: the message starts
    /// with the trace's name (the first such trace in file order).</exception>
    internal static T[] ForEachTrace<T>(TraceSet traces, Func<int, T> infer, IProgress<int>? progress = null)
    {
        if (!(traces.FrameRateHz > 0)) throw new ArgumentException("frame rate of the input is unknown: give it in meta.json or with --frame-rate");
        var output = new T[traces.Count];
        var errors = new ArgumentException?[traces.Count];
        int finished = 0;
        Parallel.For(0, traces.Count, Parallelism.Options, (i, state) =>
        {
            try
            {
                output[i] = infer(i);
                progress?.Report(Interlocked.Increment(ref finished));
            }
            catch (ArgumentException e)
            {
                errors[i] = new ArgumentException($"trace '{traces.Names[i]}': {ErrorMessages.OneLine(e)}", e);
                state.Stop();
            }
        });
        foreach (var error in errors) if (error is not null) throw error;
        return output;
    }

    /// <summary>A seed for trace <paramref name="index"/> (SplitMix64 finaliser of seed and index; unlike
    /// <see cref="HashCode"/>, the same in every process).</summary>
    public static int TraceSeed(int seed, int index)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)index + 1);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }
}

/// <summary>
/// A trained DeepSpike model as an <see cref="ISpikeInferenceMethod"/>: the same per-trace computation as
/// <see cref="SpikeInference.Run"/> (resampling to the model's frame rate when the input's differs by more
/// than <see cref="SpikeInference.FrameRateTolerance"/>, input normalisation, one forward pass).
/// </summary>
/// <param name="model">The trained model.</param>
/// <param name="name">Name in reports; default <c>deepspike-</c> plus the recognition model's name.</param>
public sealed class DeepSpikeMethod(SpikeModel model, string? name = null) : ISpikeInferenceMethod
{
    /// <summary>The wrapped model.</summary>
    public SpikeModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc/>
    public string Name { get; } = name ?? $"deepspike-{model.Recognition.Name}";

    /// <inheritdoc/>
    public string OutputUnit => "spike probability per frame (expected spikes per frame if resampled)";

    /// <inheritdoc/>
    public float[] Infer(ReadOnlySpan<float> fluorescence, double frameRateHz, int seed)
    {
        var probabilities = Model.Recognition.Marginals(Prepare(fluorescence, frameRateHz), new Random(seed));
        return Model.NeedsResampling(frameRateHz) ? Resampling.SumCounts(probabilities, Model.FrameRateHz, frameRateHz, fluorescence.Length) : probabilities;
    }

    /// <summary>
    /// Draws <paramref name="samples"/> spike trains from the posterior of one trace, with the per-frame
    /// probabilities (DS-NF: their mean over these samples). When the input was resampled, both are summed back
    /// onto the input's frames, so a sample holds spike counts per input frame.
    /// </summary>
    public TracePosterior Posterior(ReadOnlySpan<float> fluorescence, double frameRateHz, int seed, int samples)
    {
        int frames = fluorescence.Length;
        var posterior = Model.Recognition.Posterior(Prepare(fluorescence, frameRateHz), samples, new Random(seed));
        if (!Model.NeedsResampling(frameRateHz)) return posterior;
        float[] Back(float[] x) => Resampling.SumCounts(x, Model.FrameRateHz, frameRateHz, frames);
        return new TracePosterior(Back(posterior.Probabilities), posterior.Samples.Select(Back).ToArray());
    }

    /// <summary>The network's input: resampled to the model's frame rate if needed, then normalised.</summary>
    private float[] Prepare(ReadOnlySpan<float> fluorescence, double frameRateHz)
    {
        if (!(frameRateHz > 0 && double.IsFinite(frameRateHz)))
            throw new ArgumentOutOfRangeException(nameof(frameRateHz), frameRateHz, $"frame rate must be > 0 Hz, got {frameRateHz}");
        var input = Model.NeedsResampling(frameRateHz) ? Resampling.Linear(fluorescence, frameRateHz, Model.FrameRateHz) : fluorescence.ToArray();
        return InputNormalization.Apply(input);
    }
}
