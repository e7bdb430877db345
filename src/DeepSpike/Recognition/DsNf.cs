using System.Text.Json;
using DeepSpike.Engine;
using DeepSpike.Engine.Nn;

namespace DeepSpike.Recognition;

/// <summary>
/// DS-NF: a non-factorised, autoregressive posterior <c>q_φ(s | f) = Π_t q_φ(s_t | f, s_&lt;t)</c>
/// (Speiser et al. 2017, §2.3, fig. 1B). The DS-F convolutional trunk turns the normalised trace into
/// features <c>f_t</c> (C channels); a backward GRU runs over them from the last frame to the first, so its
/// state <c>b_t</c> summarises frames ≥ t; a forward GRU with input <c>[f_t, b_t, s_{t−1}, π_{t−1}]</c> carries
/// the sampled history, and a dense sigmoid layer on <c>[h_t, f_t]</c> gives
/// <c>π_t = q(s_t = 1 | f, s_&lt;t)</c>. The features and the backward GRU are computed once per chunk and
/// shared by all K samples; the K·B sample rows then advance together through one fused op
/// (<see cref="Ops.SampleBernoulliGru"/>), whose exact gradient includes the path through the fed-back π.
/// </summary>
public sealed class DsNf : Module, IRecognitionModel
{
    private readonly Conv1dLayer[] hidden;
    private readonly GruCell backwardGru;
    private readonly GruCell forwardGru;
    private readonly Linear readout;

    /// <summary>Creates a randomly initialised network.</summary>
    public DsNf(DsNfOptions options, Random rng)
    {
        Options = options.Validate();
        var cnn = Options.Cnn;
        hidden = new Conv1dLayer[cnn.Kernels.Length];
        int inChannels = 1;
        for (int l = 0; l < hidden.Length; l++)
        {
            hidden[l] = new Conv1dLayer(inChannels, cnn.Channels, cnn.Kernels[l], cnn.Dilations[l], rng, cnn.LeakySlope);
            inChannels = cnn.Channels;
        }
        backwardGru = new GruCell(cnn.Channels, Options.BackwardUnits, rng);
        // Input rows: features (C), backward state, previous sample, previous probability.
        forwardGru = new GruCell(cnn.Channels + Options.BackwardUnits + 2, Options.ForwardUnits, rng);
        readout = new Linear(Options.ForwardUnits + cnn.Channels, 1, rng);
        double p = cnn.InitialRateHz / cnn.FrameRateHz;
        readout.Bias.Data[0] = (float)Math.Log(p / (1 - p));
    }

    /// <summary>The architecture.</summary>
    public DsNfOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "dsnf";

    /// <inheritdoc/>
    public Module Network => this;

    /// <inheritdoc/>
    public string OptionsJson => JsonSerializer.Serialize(Options);

    /// <summary>Recreates the architecture from <see cref="OptionsJson"/> (weights are loaded separately).</summary>
    public static DsNf FromOptionsJson(string json) =>
        new(JsonSerializer.Deserialize<DsNfOptions>(json) ?? throw new InvalidDataException("DS-NF options are missing"), new Random(0));

    /// <summary>
    /// Draws K spike trains per chunk of <paramref name="input"/> <c>[B, T]</c>, autoregressively. Log q is
    /// <c>Σ_t ln Bernoulli(s_t; π_t)</c> with the π the samples were drawn from; Probabilities is the mean of π_t
    /// over the K samples.
    /// </summary>
    public PosteriorSamples Sample(Tensor input, int samples, Random rng)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), $"samples must be >= 1, got {samples}");
        var encoded = Encode(input);
        var drawn = Ops.SampleBernoulliGru(encoded.Projection, encoded.Offset, encoded.Weights, samples, rng);
        return new PosteriorSamples(drawn.Spikes, Ops.BernoulliLogProb(drawn.Logits, drawn.Spikes), MeanProbability(drawn.Logits.Data, samples));
    }

    /// <summary>
    /// Teacher-forced logits of <c>q(s_t = 1 | f, s_&lt;t)</c> given <paramref name="conditioningSpikes"/>
    /// (<c>[B, T]</c>, or <c>[K, B, T]</c> for several trains per chunk), differentiable in φ; same shape.
    /// </summary>
    /// <exception cref="ArgumentNullException">No spikes given: an autoregressive model's logits depend on them.</exception>
    public Tensor Logits(Tensor input, Tensor? conditioningSpikes = null)
    {
        if (conditioningSpikes is null)
            throw new ArgumentNullException(nameof(conditioningSpikes),
                "DS-NF is autoregressive: its logits are defined given the previous spikes; pass the true spikes [B, T] (teacher forcing)");
        var encoded = Encode(input);
        return Ops.BernoulliGruLogits(encoded.Projection, encoded.Offset, encoded.Weights, conditioningSpikes);
    }

    /// <summary>
    /// Per-frame spike probability of one normalised trace: the mean of π_t over
    /// <see cref="DsNfOptions.MarginalSamples"/> samples (the paper uses 30), a Monte-Carlo estimate of
    /// <c>q(s_t = 1 | f)</c> in [0, 1]. The same as <see cref="Posterior"/>'s probabilities with that many samples.
    /// </summary>
    public float[] Marginals(float[] normalizedTrace, Random rng) => Posterior(normalizedTrace, Options.MarginalSamples, rng).Probabilities;

    /// <inheritdoc/>
    public TracePosterior Posterior(float[] normalizedTrace, int samples, Random rng)
    {
        ArgumentNullException.ThrowIfNull(normalizedTrace);
        if (normalizedTrace.Length == 0) throw new ArgumentException("trace is empty: nothing to infer spikes from", nameof(normalizedTrace));
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), $"samples must be >= 1, got {samples}");
        var encoded = Encode(new Tensor(normalizedTrace, 1, normalizedTrace.Length));
        var drawn = Ops.SampleBernoulliGru(encoded.Projection, encoded.Offset, encoded.Weights, samples, rng);
        int frames = normalizedTrace.Length;
        var trains = new float[samples][];
        for (int k = 0; k < samples; k++) trains[k] = drawn.Spikes.Data.AsSpan(k * frames, frames).ToArray();
        return new TracePosterior(MeanProbability(drawn.Logits.Data, samples), trains);
    }

    /// <summary>
    /// Starts from a trained DS-F: copies its convolutional trunk, puts its output layer into the readout's
    /// feature weights and bias, and zeroes the readout's GRU-state weights. The network then gives exactly
    /// DS-F's probabilities, and training only has to learn what the sampled history adds (the GRUs start
    /// random, and gradients reach them through the readout's state weights from the first step). This is
    /// how we make DS-NF training affordable on a CPU: the trunk is the slow part to learn and the cheap part
    /// to train in DS-F.
    /// </summary>
    /// <exception cref="ArgumentException">The DS-F's trunk differs from this network's (channels, kernels, dilations, slope).</exception>
    public void WarmStartFrom(DsF trained)
    {
        ArgumentNullException.ThrowIfNull(trained);
        var (mine, theirs) = (Options.Cnn, trained.Options);
        if (mine.Channels != theirs.Channels || !mine.Kernels.SequenceEqual(theirs.Kernels) || !mine.Dilations.SequenceEqual(theirs.Dilations) || mine.LeakySlope != theirs.LeakySlope)
            throw new ArgumentException("cannot warm-start DS-NF from this DS-F: the trunks differ (channels, kernels, dilations and leaky slope must match)");
        var target = NamedParameters().ToDictionary(p => p.Name, p => p.Value);
        var source = trained.NamedParameters().ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, value) in source)
            if (name.StartsWith("conv", StringComparison.Ordinal)) value.Data.CopyTo(target[name].Data, 0);
        Array.Clear(readout.Weight.Data, 0, Options.ForwardUnits);
        source["output.weight"].Data.CopyTo(readout.Weight.Data, Options.ForwardUnits);
        readout.Bias.Data[0] = source["output.bias"].Data[0];
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        for (int l = 0; l < hidden.Length; l++)
            foreach (var p in Prefixed($"conv{l}", hidden[l])) yield return p;
        foreach (var p in Prefixed("backward_gru", backwardGru)) yield return p;
        foreach (var p in Prefixed("forward_gru", forwardGru)) yield return p;
        foreach (var p in Prefixed("readout", readout)) yield return p;
    }

    /// <summary>What the forward GRU needs from one batch of chunks, shared by all its samples.</summary>
    /// <param name="Projection"><c>[B, T, 3H]</c>: <c>f_t W_f + b_t W_b + bias</c>, the forward GRU's input projection without the feedback.</param>
    /// <param name="Offset"><c>[B, T]</c>: the readout's <c>f_t · w_f + bias</c>.</param>
    /// <param name="Weights">The feedback rows of the input weight, the recurrent weights and the readout's state weights.</param>
    private sealed record Encoding(Tensor Projection, Tensor Offset, BernoulliGruWeights Weights);

    /// <summary>CNN trunk, backward GRU, and the sample-independent parts of the forward GRU and readout.</summary>
    private Encoding Encode(Tensor input)
    {
        if (input.Rank < 1 || input.Length == 0) throw new ArgumentException($"DS-NF input must be [B, T] with T >= 1, got [{string.Join(", ", input.Shape)}]");
        int frames = input.Dim(-1), batch = input.Length / frames, channels = Options.Cnn.Channels;
        int backwardUnits = Options.BackwardUnits, forwardUnits = Options.ForwardUnits, gates = 3 * forwardUnits;
        var features = input.RequiresGrad ? Ops.Reshape(input, batch, 1, frames) : new Tensor(input.Data, batch, 1, frames);
        foreach (var layer in hidden) features = Ops.LeakyRelu(layer.Forward(features), Options.Cnn.LeakySlope);

        var backward = Ops.GruSequence(Ops.FrameProjection(features, backwardGru.InputWeight, backwardGru.InputBias),
            backwardGru.HiddenWeight, backwardGru.HiddenBias, reverse: true);
        var w = forwardGru.InputWeight;
        var projection = Ops.Add(
            Ops.FrameProjection(features, Rows(w, 0, channels), forwardGru.InputBias),
            Ops.Reshape(Ops.MatMul(Ops.Reshape(backward, batch * frames, backwardUnits), Rows(w, channels, backwardUnits)), batch, frames, gates));
        var weights = new BernoulliGruWeights(
            SpikeWeight: Rows(w, channels + backwardUnits, 1),
            ProbabilityWeight: Rows(w, channels + backwardUnits + 1, 1),
            forwardGru.HiddenWeight, forwardGru.HiddenBias,
            ReadoutWeight: Rows(readout.Weight, 0, forwardUnits));
        var offset = Ops.Reshape(Ops.FrameProjection(features, Rows(readout.Weight, forwardUnits, channels), readout.Bias), batch, frames);
        return new Encoding(projection, offset, weights);
    }

    /// <summary>Rows [start, start + count) of a matrix, differentiably (a view would alias the parameter's gradient).</summary>
    private static Tensor Rows(Tensor matrix, int start, int count)
    {
        int columns = matrix.Shape[1];
        var flat = Ops.Reshape(matrix, 1, matrix.Length);
        return Ops.Reshape(Ops.SliceLast(flat, start * columns, count * columns), count, columns);
    }

    /// <summary>Mean over the leading K samples of σ(logits) <c>[K, B·T]</c> → <c>[B·T]</c>.</summary>
    private static float[] MeanProbability(float[] logits, int samples)
    {
        int n = logits.Length / samples;
        var mean = new float[n];
        var p = new float[n];
        for (int k = 0; k < samples; k++)
        {
            System.Numerics.Tensors.TensorPrimitives.Sigmoid(logits.AsSpan(k * n, n), p);
            System.Numerics.Tensors.TensorPrimitives.Add(mean, p, mean);
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(mean, 1f / samples, mean);
        return mean;
    }
}
