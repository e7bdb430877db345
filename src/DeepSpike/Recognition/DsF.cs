using System.Text.Json;
using DeepSpike.Engine;
using DeepSpike.Engine.Kernels;
using DeepSpike.Engine.Nn;

namespace DeepSpike.Recognition;

/// <summary>
/// DS-F: a factorised Bernoulli posterior <c>q_φ(s | f) = Π_t Bernoulli(s_t; π_t(f))</c> whose
/// probabilities come from a 1-D CNN over the normalised trace (Speiser et al. 2017, §2.3).
/// </summary>
public sealed class DsF : Module, IRecognitionModel
{
    private readonly Conv1dLayer[] hidden;
    private readonly Conv1dLayer output;

    /// <summary>Creates a randomly initialised network.</summary>
    public DsF(DsFOptions options, Random rng)
    {
        Options = options.Validate();
        hidden = new Conv1dLayer[options.Kernels.Length];
        int inChannels = 1;
        for (int l = 0; l < hidden.Length; l++)
        {
            hidden[l] = new Conv1dLayer(inChannels, options.Channels, options.Kernels[l], options.Dilations[l], rng, options.LeakySlope);
            inChannels = options.Channels;
        }
        output = new Conv1dLayer(inChannels, 1, 1, 1, rng);
        double p = options.InitialRateHz / options.FrameRateHz;
        output.Bias.Data[0] = (float)Math.Log(p / (1 - p));
    }

    /// <summary>The architecture.</summary>
    public DsFOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "dsf";

    /// <inheritdoc/>
    public Module Network => this;

    /// <inheritdoc/>
    public string OptionsJson => JsonSerializer.Serialize(Options);

    /// <summary>Recreates the architecture from <see cref="OptionsJson"/> (weights are loaded separately).</summary>
    public static DsF FromOptionsJson(string json) =>
        new(JsonSerializer.Deserialize<DsFOptions>(json) ?? throw new InvalidDataException("DS-F options are missing"), new Random(0));

    /// <inheritdoc/>
    public Tensor Logits(Tensor input, Tensor? conditioningSpikes = null)
    {
        int batch = input.Length / input.Dim(-1), frames = input.Dim(-1);
        var h = new Tensor(input.Data, batch, 1, frames);
        if (input.RequiresGrad) h = Ops.Reshape(input, batch, 1, frames);
        foreach (var layer in hidden) h = Ops.LeakyRelu(layer.Forward(h), Options.LeakySlope);
        var logits = output.Forward(h);
        return Ops.Reshape(logits, batch, frames);
    }

    /// <inheritdoc/>
    public PosteriorSamples Sample(Tensor input, int samples, Random rng)
    {
        var logits = Logits(input);
        var probabilities = new float[logits.Length];
        System.Numerics.Tensors.TensorPrimitives.Sigmoid(logits.Data, probabilities);
        var spikes = Tensor.Zeros([samples, .. logits.Shape]);
        var s = spikes.Data;
        for (int k = 0, i = 0; k < samples; k++)
            for (int j = 0; j < probabilities.Length; j++, i++)
                s[i] = rng.NextSingle() < probabilities[j] ? 1f : 0f;
        return new PosteriorSamples(spikes, Ops.BernoulliLogProb(logits, spikes), probabilities);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Runs the layers directly on two pooled ping-pong buffers: the taped path would allocate a fresh
    /// <c>[C, T]</c> tensor (800 KB at 10^4 frames) per op, and that allocation cost more than the convolutions.
    /// </remarks>
    public float[] Marginals(float[] normalizedTrace, Random rng)
    {
        int frames = normalizedTrace.Length, size = Options.Channels * frames;
        var pool = System.Buffers.ArrayPool<float>.Shared;
        float[] a = pool.Rent(size), b = pool.Rent(size);
        try
        {
            ReadOnlySpan<float> current = normalizedTrace;
            var next = a;
            foreach (var layer in hidden)
            {
                var y = next.AsSpan(0, layer.OutChannels * frames);
                layer.ForwardInto(current, y, frames);
                Elementwise.LeakyRelu(y, y, Options.LeakySlope);
                current = y;
                next = next == a ? b : a;
            }
            var p = new float[frames];
            output.ForwardInto(current, p, frames);
            System.Numerics.Tensors.TensorPrimitives.Sigmoid(p, p);
            return p;
        }
        finally
        {
            pool.Return(a);
            pool.Return(b);
        }
    }

    /// <inheritdoc/>
    public TracePosterior Posterior(float[] normalizedTrace, int samples, Random rng)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), $"samples must be >= 1, got {samples}");
        var probabilities = Marginals(normalizedTrace, rng);
        var drawn = new float[samples][];
        for (int k = 0; k < samples; k++)
        {
            var s = drawn[k] = new float[probabilities.Length];
            for (int t = 0; t < s.Length; t++) s[t] = rng.NextSingle() < probabilities[t] ? 1f : 0f;
        }
        return new TracePosterior(probabilities, drawn);
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        for (int l = 0; l < hidden.Length; l++)
            foreach (var p in Prefixed($"conv{l}", hidden[l])) yield return p;
        foreach (var p in Prefixed("output", output)) yield return p;
    }
}
