using System.Text.Json;
using DeepSpike.Engine;
using DeepSpike.Engine.Nn;
using DeepSpike.Generative;

namespace DeepSpike.Dynamics;

/// <summary>One pass of <see cref="Lfads"/> over a batch of trials.</summary>
/// <param name="Factors">Factors <c>[B, T, K]</c>.</param>
/// <param name="LogRates">Log expected counts per bin <c>[B, T, N]</c>, clamped (see <see cref="LfadsOptions.MaxLogRate"/>).</param>
/// <param name="Kl">KL(q(g₀ | x) ‖ p(g₀)) per trial, <c>[B]</c>.</param>
/// <param name="InitialMean">Posterior mean of g₀ <c>[B, G]</c>.</param>
public sealed record LfadsPass(Tensor Factors, Tensor LogRates, Tensor Kl, Tensor InitialMean);

/// <summary>
/// LFADS without a controller (Pandarinath et al. 2018; the Ladder LFADS paper's "LFADS" row): x <c>[B, T, N]</c> →
/// bidirectional GRU encoder → q(g₀ | x) = N(μ, diag e^{ℓ}) → generator GRU from g₀ with no input → factors
/// <c>f_t = g_t Ŵ</c> (Ŵ's columns scaled to unit norm) → log expected counts <c>f_t W_r + b_r</c>. The prior of g₀ is
/// N(μₚ, σₚ² I) with μₚ learned. The generator's state stays in the range of its start and (−1, 1), since a GRU step is
/// a convex combination of the previous state and a tanh.
/// </summary>
public sealed class Lfads : DynamicsNetwork
{
    private readonly BidirectionalGru encoder;
    private readonly Linear posterior;
    private readonly Tensor priorMean;
    private readonly Tensor generatorInputBias, generatorHidden, generatorHiddenBias;
    private readonly Tensor factorWeight;
    private readonly Linear rateReadout;
    private readonly int channels;

    /// <summary>A randomly initialised network for <paramref name="channels"/> input and output channels (cells).</summary>
    public Lfads(int channels, LfadsOptions options, Random rng)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "need at least one cell");
        Options = options.Validate();
        this.channels = channels;
        int e = Options.EncoderUnits, g = Options.GeneratorUnits, k = Options.Factors;
        float generatorBound = 1f / MathF.Sqrt(g);
        encoder = new BidirectionalGru(channels, e, rng);
        posterior = new Linear(2 * e, 2 * g, rng);
        priorMean = Tensor.Parameter(new float[g], g);
        generatorInputBias = Tensor.Parameter(Init.Uniform(3 * g, generatorBound, rng), 3 * g);
        generatorHidden = Tensor.Parameter(Init.Uniform(g * 3 * g, generatorBound, rng), g, 3 * g);
        generatorHiddenBias = Tensor.Parameter(Init.Uniform(3 * g, generatorBound, rng), 3 * g);
        factorWeight = Tensor.Parameter(Init.Uniform(g * k, generatorBound, rng), g, k);
        rateReadout = new Linear(k, channels, rng);
        Observation = Options.Observation == LfadsOptions.GaussianObservationName ? new GaussianObservation() : null;
    }

    /// <summary>Gaussian LFADS's fluorescence model, or null for Poisson counts.</summary>
    public GaussianObservation? Observation { get; }

    /// <summary>The architecture.</summary>
    public LfadsOptions Options { get; }

    /// <inheritdoc/>
    public override int Channels => channels;

    /// <inheritdoc/>
    public override int Factors => Options.Factors;

    /// <summary>The generator's recurrent weights, the target of the L2 penalty.</summary>
    public Tensor GeneratorRecurrentWeight => generatorHidden;

    /// <summary>
    /// Runs the network on <paramref name="input"/> <c>[B, T, N]</c>. With <paramref name="rng"/> g₀ is drawn from its
    /// posterior (and, when <paramref name="training"/>, input dropout applied); without, g₀ is the posterior mean.
    /// </summary>
    public LfadsPass Forward(Tensor input, Random? rng, bool training = false)
    {
        if (input.Rank != 3 || input.Shape[2] != Channels)
            throw new ArgumentException($"LFADS expects [trials, bins, {Channels}], got [{string.Join(", ", input.Shape)}]");
        int b = input.Shape[0], t = input.Shape[1], g = Options.GeneratorUnits, k = Options.Factors;
        if (training && rng is not null && Options.InputDropout > 0) input = Ops.Mul(input, DropoutMask(input.Length, input.Shape, rng));

        var moments = posterior.Forward(encoder.Summary(input));
        var mean = Ops.SliceLast(moments, 0, g);
        var logVariance = Ops.Clamp(Ops.SliceLast(moments, g, g), Options.MinLogVariance, Options.MaxLogVariance);
        var initial = rng is null ? mean : Ops.Add(mean, Ops.Mul(Ops.Exp(Ops.Scale(logVariance, 0.5f)), Noise(b * g, [b, g], rng)));

        var drive = Ops.Add(Tensor.Zeros(b, t, 3 * g), generatorInputBias);
        var states = Ops.GruSequence(drive, generatorHidden, generatorHiddenBias, initial);
        var unitColumns = Ops.Mul(factorWeight, Ops.Pow(Ops.Sum(Ops.Square(factorWeight), 0), -0.5f));
        var factors = Ops.MatMul(Ops.Reshape(states, b * t, g), unitColumns);
        var logRates = Ops.Clamp(rateReadout.Forward(factors), Options.MinLogRate, Options.MaxLogRate);
        var kl = GaussianTerms.KlToFixedVariancePrior(mean, logVariance, priorMean, Options.PriorVariance);
        return new LfadsPass(Ops.Reshape(factors, b, t, k), Ops.Reshape(logRates, b, t, Channels), kl, mean);
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        foreach (var (name, value) in encoder.NamedParameters()) yield return ($"encoder.{name}", value);
        foreach (var (name, value) in posterior.NamedParameters()) yield return ($"posterior.{name}", value);
        yield return ("prior.mean", priorMean);
        yield return ("generator.input_bias", generatorInputBias);
        yield return ("generator.hidden_weight", generatorHidden);
        yield return ("generator.hidden_bias", generatorHiddenBias);
        yield return ("factors.weight", factorWeight);
        foreach (var (name, value) in rateReadout.NamedParameters()) yield return ($"rates.{name}", value);
        if (Observation is not null)
            foreach (var (name, value) in Observation.NamedParameters()) yield return ($"observation.{name}", value);
    }

    /// <inheritdoc/>
    public override string OptionsJson => JsonSerializer.Serialize(Options);

    /// <inheritdoc/>
    public override DynamicsLoss Evaluate(Tensor batch, Random? rng, bool training, int step, DynamicsTrainingOptions recipe)
    {
        double warm = Warmup(step, recipe.WarmupSteps);
        return LfadsObjective.Evaluate(this, Forward(batch, rng, training), batch, warm, warm, recipe.L2Scale);
    }

    /// <inheritdoc/>
    public override DynamicsPass Infer(Tensor batch, Random? rng)
    {
        var pass = Forward(batch, rng);
        Tensor? fluorescence = null;
        if (Observation is not null)
        {
            // The observation model's mean comes cell-major ([B·N, T]); passes are bin-major like every trial array.
            int b = batch.Shape[0], t = batch.Shape[1];
            fluorescence = Ops.SwapLastTwo(Ops.Reshape(Observation.Moments(pass.LogRates).Mean, b, Channels, t));
        }
        return new DynamicsPass(pass.Factors, pass.LogRates, Fluorescence: fluorescence);
    }

    /// <inheritdoc/>
    public override double DataConstant(ReadOnlySpan<float> batch) => Observation is null ? GaussianTerms.LogFactorialSum(batch) : 0;

    /// <summary>Recreates the architecture from <see cref="OptionsJson"/> (weights are loaded separately).</summary>
    public static Lfads FromOptionsJson(int channels, string json) =>
        new(channels, JsonSerializer.Deserialize<LfadsOptions>(json) ?? throw new InvalidDataException("LFADS options are missing"), new Random(0));

    private Tensor DropoutMask(int length, int[] shape, Random rng)
    {
        float keep = (float)(1 - Options.InputDropout), scale = 1 / keep;
        var mask = new float[length];
        for (int i = 0; i < length; i++) mask[i] = rng.NextSingle() < keep ? scale : 0f;
        return new Tensor(mask, (int[])shape.Clone());
    }

    private static Tensor Noise(int length, int[] shape, Random rng)
    {
        var noise = new float[length];
        for (int i = 0; i < length; i++) noise[i] = (float)rng.NextGaussian();
        return new Tensor(noise, shape);
    }
}
