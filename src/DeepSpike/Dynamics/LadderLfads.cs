using System.Text.Json;
using DeepSpike.Engine;
using DeepSpike.Engine.Nn;

namespace DeepSpike.Dynamics;

/// <summary>
/// Ladder LFADS (Prince &amp; Richards 2019) with a discrete spike layer: fluorescence F <c>[B, T, N]</c> is explained by
/// spike counts s, calcium <c>y_t = γ y_{t−1} + s_t</c> and <c>F = α y + β + N(0, σ²)</c> per cell (α, β, σ² learned);
/// the counts' prior is Poisson with the rates of an <see cref="Lfads"/> layer that reads the fluorescence.
/// </summary>
/// <remarks>
/// <para>The paper's spike layer is continuous, <c>relu(exp(·) − 1)</c>, which smooths spike timing (its spike R² is .697).
/// Here, as in DeepSpike, the spikes are counts: a bidirectional GRU over F gives each bin's evidence a_k for k = 0…K
/// spikes, and the posterior is that evidence times the Poisson prior of the LFADS rate, <c>q(s_t = k) ∝ e^{a_k} Pois(k;
/// λ_t)</c> (<see cref="Ops.CountPosterior"/>) — a ladder step: the dynamics above sharpen the spikes below. Because q
/// factorises over bins and cells and the calcium is linear in s, the expected Gaussian log-likelihood
/// (<c>E[y]</c> and <c>Var[y]</c> by the AR(1) filter of the means and variances), the Poisson prior term and the entropy are
/// all exact: no sampled spikes and no score-function gradients, only g₀ is sampled.</para>
/// <para>Training is staged: until <see cref="LadderLfadsOptions.UnfreezeStep"/> the LFADS layer is frozen (not even run)
/// and each cell's prior rate is one learned constant; afterwards the LFADS rates take over, with its KL and L2 weights
/// warmed up from there.</para>
/// </remarks>
public sealed class LadderLfads : DynamicsNetwork
{
    private readonly Lfads deep;
    private readonly BidirectionalGru spikeEncoder;
    private readonly Linear evidence;
    private readonly Tensor deconvolution, deconvolutionGain, countPenalty, countRow, countSquaredRow;
    private readonly Tensor baselineLogRate;
    private readonly CalciumObservation observation;
    private readonly int channels;

    /// <summary>Bins on each side of t that the local deconvolution reads.</summary>
    private const int DeconvolutionReach = 2;

    /// <summary>A randomly initialised network for <paramref name="channels"/> cells.</summary>
    public LadderLfads(int channels, LadderLfadsOptions options, Random rng)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "need at least one cell");
        Options = options.Validate();
        this.channels = channels;
        deep = new Lfads(channels, Options.Deep, rng);
        spikeEncoder = new BidirectionalGru(channels, Options.SpikeEncoderUnits, rng);
        evidence = new Linear(2 * Options.SpikeEncoderUnits, channels * (Options.MaxCount + 1), rng);
        // The GRU's evidence starts small: the structured term below carries the first steps.
        foreach (var p in evidence.Parameters()) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Data, 0.1f, p.Data);
        int taps = 2 * DeconvolutionReach + 1;
        var kernel = new float[taps];
        kernel[DeconvolutionReach] = 1;
        kernel[DeconvolutionReach - 1] = -(float)Options.CalciumDecay;
        deconvolution = Tensor.Parameter(kernel, 1, 1, taps);
        deconvolutionGain = Tensor.Parameter(Enumerable.Repeat(4f, channels).ToArray(), channels);
        countPenalty = Tensor.Parameter(Enumerable.Repeat(MathF.Log(MathF.Exp(2f) - 1), channels).ToArray(), channels);
        countRow = new Tensor(Enumerable.Range(0, Options.MaxCount + 1).Select(k => (float)k).ToArray(), 1, Options.MaxCount + 1);
        countSquaredRow = new Tensor(Enumerable.Range(0, Options.MaxCount + 1).Select(k => (float)(k * k)).ToArray(), 1, Options.MaxCount + 1);
        baselineLogRate = Tensor.Parameter(Enumerable.Repeat(MathF.Log(0.2f), channels).ToArray(), channels);
        observation = new CalciumObservation(channels, Options.CalciumDecay);
    }

    /// <summary>The architecture.</summary>
    public LadderLfadsOptions Options { get; }

    /// <summary>The LFADS layer.</summary>
    public Lfads Deep => deep;

    /// <inheritdoc/>
    public override int Channels => channels;

    /// <inheritdoc/>
    public override int Factors => Options.Deep.Factors;

    /// <inheritdoc/>
    public override string OptionsJson => JsonSerializer.Serialize(Options);

    /// <summary>Recreates the architecture from <see cref="OptionsJson"/> (weights are loaded separately).</summary>
    public static LadderLfads FromOptionsJson(int channels, string json) =>
        new(channels, JsonSerializer.Deserialize<LadderLfadsOptions>(json) ?? throw new InvalidDataException("Ladder LFADS options are missing"), new Random(0));

    /// <inheritdoc/>
    public override int SettledStep(DynamicsTrainingOptions recipe) => Options.UnfreezeStep + recipe.WarmupSteps;

    /// <inheritdoc/>
    public override DynamicsLoss Evaluate(Tensor batch, Random? rng, bool training, int step, DynamicsTrainingOptions recipe)
    {
        var pass = Forward(batch, rng, training, deepActive: step >= Options.UnfreezeStep);
        int b = batch.Shape[0];
        var spikeTerms = Ops.Scale(Ops.Add(pass.NegativeLogLikelihood, pass.SpikeKl), 1f / b);
        if (pass.Deep is null) return new DynamicsLoss(spikeTerms, pass.NegativeLogLikelihood.Item() / b, pass.SpikeKl.Item() / b, 0);

        float warm = (float)Warmup((long)step - Options.UnfreezeStep, recipe.WarmupSteps);
        var kl = Ops.Mean(pass.Deep.Kl);
        var l2 = LfadsObjective.GeneratorL2(deep, recipe.L2Scale);
        var loss = Ops.Add(spikeTerms, Ops.Scale(Ops.Add(kl, l2), warm));
        return new DynamicsLoss(loss, pass.NegativeLogLikelihood.Item() / b, pass.SpikeKl.Item() / b + kl.Item(), l2.Item());
    }

    /// <inheritdoc/>
    public override DynamicsPass Infer(Tensor batch, Random? rng)
    {
        var pass = Forward(batch, rng, training: false, deepActive: true);
        return new DynamicsPass(pass.Deep!.Factors, pass.Deep.LogRates, pass.Spikes, pass.Calcium, pass.Fluorescence);
    }

    /// <summary>
    /// One pass over fluorescence <paramref name="fluorescence"/> <c>[B, T, N]</c>. With <paramref name="deepActive"/> false
    /// the LFADS layer is skipped and the spikes' prior is each cell's constant rate.
    /// </summary>
    public LadderPass Forward(Tensor fluorescence, Random? rng, bool training, bool deepActive)
    {
        if (fluorescence.Rank != 3 || fluorescence.Shape[2] != channels)
            throw new ArgumentException($"Ladder LFADS expects [trials, bins, {channels}], got [{string.Join(", ", fluorescence.Shape)}]");
        int b = fluorescence.Shape[0], t = fluorescence.Shape[1], n = channels, support = Options.MaxCount + 1;
        var deepPass = deepActive ? deep.Forward(fluorescence, rng, training) : null;
        var logRates = deepPass?.LogRates
            ?? Ops.Add(Tensor.Zeros(b, t, n), Ops.Clamp(baselineLogRate, Options.Deep.MinLogRate, Options.Deep.MaxLogRate));

        var counts = Ops.CountPosterior(Ops.Reshape(Evidence(fluorescence), b * t * n, support), Ops.Reshape(logRates, b * t * n));
        var mean = Ops.Reshape(Ops.SliceLast(counts, 0, 1), b, t, n);
        var variance = Ops.Reshape(Ops.SliceLast(counts, 1, 1), b, t, n);
        var spikeKl = Ops.Sum(Ops.SliceLast(counts, 2, 1));
        var (calcium, predicted, nll) = observation.Evaluate(mean, variance, fluorescence);
        return new LadderPass(deepPass, mean, calcium, predicted, nll, spikeKl);
    }

    /// <summary>
    /// Each bin's log-evidence for k = 0…K spikes, <c>[B·T, N·(K+1)]</c>: the quadratic <c>k·u − k²·v</c> that a linear-Gaussian
    /// observation gives, with u a learned local deconvolution of each cell's trace (it starts as g·(F_t − γF_{t−1})) and
    /// v &gt; 0 per cell, plus whatever the bidirectional GRU adds from the rest of the trial.
    /// </summary>
    private Tensor Evidence(Tensor fluorescence)
    {
        int b = fluorescence.Shape[0], t = fluorescence.Shape[1], n = channels, support = Options.MaxCount + 1;
        var (forward, backward) = spikeEncoder.Forward(fluorescence);
        var learned = evidence.Forward(Ops.Reshape(Ops.ConcatLast([forward, backward]), b * t, 2 * Options.SpikeEncoderUnits));

        var traces = Ops.Reshape(Ops.SwapLastTwo(fluorescence), b * n, 1, t);
        var local = Ops.Mul(Ops.SwapLastTwo(Ops.Reshape(Ops.Conv1d(traces, deconvolution, null), b, n, t)), deconvolutionGain);
        var linear = Ops.Reshape(Ops.MatMul(Ops.Reshape(local, b * t * n, 1), countRow), b * t, n * support);
        var quadratic = Ops.Reshape(Ops.MatMul(Ops.Reshape(Ops.Softplus(countPenalty), n, 1), countSquaredRow), n * support);
        return Ops.Sub(Ops.Add(learned, linear), quadratic);
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        foreach (var (name, value) in deep.NamedParameters()) yield return ($"deep.{name}", value);
        foreach (var (name, value) in spikeEncoder.NamedParameters()) yield return ($"spikes.encoder.{name}", value);
        foreach (var (name, value) in evidence.NamedParameters()) yield return ($"spikes.evidence.{name}", value);
        yield return ("spikes.deconvolution", deconvolution);
        yield return ("spikes.deconvolution_gain", deconvolutionGain);
        yield return ("spikes.count_penalty", countPenalty);
        yield return ("spikes.baseline_log_rate", baselineLogRate);
        foreach (var (name, value) in observation.NamedParameters()) yield return ($"calcium.{name}", value);
    }
}

/// <summary>One pass of <see cref="LadderLfads"/>.</summary>
/// <param name="Deep">The LFADS layer's pass, or null while it is frozen.</param>
/// <param name="Spikes">Posterior mean counts <c>[B, T, N]</c>.</param>
/// <param name="Calcium">Posterior mean calcium <c>[B, T, N]</c>.</param>
/// <param name="Fluorescence">Predicted fluorescence <c>α E[y] + β</c>, <c>[B, T, N]</c>.</param>
/// <param name="NegativeLogLikelihood">−E_q[log p(F | s)] summed over the batch (one element).</param>
/// <param name="SpikeKl">KL of the spike posterior to its Poisson prior, summed over the batch (one element).</param>
public sealed record LadderPass(LfadsPass? Deep, Tensor Spikes, Tensor Calcium, Tensor Fluorescence, Tensor NegativeLogLikelihood, Tensor SpikeKl);
