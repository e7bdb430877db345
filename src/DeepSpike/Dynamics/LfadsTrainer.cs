using System.Diagnostics;
using DeepSpike.Engine;
using DeepSpike.Engine.Optim;

namespace DeepSpike.Dynamics;

/// <summary>Where a dynamics training run is, reported every <see cref="DynamicsTrainingOptions.ValidateEvery"/> steps.</summary>
/// <param name="Step">Steps taken.</param>
/// <param name="Seconds">Wall time so far (including time before a resume).</param>
/// <param name="Loss">Mean training loss over the last steps (nats per trial, warm-up weights applied).</param>
/// <param name="Reconstruction">Mean training reconstruction term over the last steps (nats per trial).</param>
/// <param name="Kl">Mean training KL over the last steps (nats per trial).</param>
/// <param name="Validation">Validation negative bound (nats per trial, full weights), or NaN without validation trials.</param>
/// <param name="Best">Best validation bound so far.</param>
/// <param name="LearningRate">The current learning rate.</param>
public sealed record DynamicsProgress(int Step, double Seconds, double Loss, double Reconstruction, double Kl, double Validation, double Best, double LearningRate);

/// <summary>A finished training run.</summary>
/// <param name="Model">The network with the weights of the best validation bound (the last weights without validation).</param>
/// <param name="Steps">Steps taken.</param>
/// <param name="BestStep">The step whose weights were kept.</param>
/// <param name="BestValidation">Their validation bound (nats per trial), or NaN.</param>
/// <param name="Seconds">Wall time (including time before a resume).</param>
/// <param name="StopReason">Why training ended.</param>
public sealed record DynamicsTrainingResult(DynamicsNetwork Model, int Steps, int BestStep, double BestValidation, double Seconds, string StopReason)
{
    /// <summary>Training steps per second.</summary>
    public double StepsPerSecond => Steps / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// Fits a <see cref="DynamicsNetwork"/> (LFADS on counts, Gaussian LFADS or Ladder LFADS on fluorescence) to trials by
/// minimising its objective with Adam (see <see cref="DynamicsTrainingOptions"/> for the recipe). Validation uses the
/// posterior means of the latents and the full objective, so its bound is comparable across steps; the best weights after
/// warm-up are kept.
/// </summary>
/// <remarks>
/// Every random draw of step s (dropout, posterior noise) comes from a generator seeded by (seed, s), and the batch order
/// of epoch e from one seeded by (seed, e), so a run resumed from a <see cref="DynamicsCheckpoint"/> takes exactly the
/// steps an uninterrupted run takes.
/// </remarks>
public sealed class LfadsTrainer
{
    private readonly TrialArray training;
    private readonly TrialArray? validation;
    private readonly IReadOnlyList<Tensor> parameters;
    private readonly int batchSize;
    private int[] order;
    private int orderEpoch = -1;

    /// <summary>A fresh LFADS network (weights seeded by the recipe's seed) and optimiser for <paramref name="training"/>.</summary>
    /// <param name="training">Training trials (counts, or fluorescence for Gaussian LFADS), trials × bins × cells.</param>
    /// <param name="validation">Validation trials (same bins and cells), or null to keep the last weights.</param>
    /// <param name="architecture">The network.</param>
    /// <param name="options">The recipe.</param>
    public LfadsTrainer(TrialArray training, TrialArray? validation, LfadsOptions architecture, DynamicsTrainingOptions options)
        : this(training, validation, new Lfads(training.Channels, architecture, new Random(options.Seed)), options)
    {
    }

    /// <summary>An optimiser for <paramref name="network"/> on <paramref name="training"/>.</summary>
    /// <param name="training">Training trials in what the network reads, trials × bins × cells.</param>
    /// <param name="validation">Validation trials (same bins and cells), or null to keep the last weights.</param>
    /// <param name="network">The network, freshly initialised (seed it from the recipe's seed for reproducible runs).</param>
    /// <param name="options">The recipe.</param>
    public LfadsTrainer(TrialArray training, TrialArray? validation, DynamicsNetwork network, DynamicsTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(network);
        Options = options.Validate();
        if (validation is not null && (validation.Bins != training.Bins || validation.Channels != training.Channels))
            throw new ArgumentException($"validation trials are {validation.ShapeText}, training trials {training.ShapeText}: bins and cells must agree");
        if (network.Channels != training.Channels)
            throw new ArgumentException($"the network has {network.Channels} cells, the training trials {training.Channels}");
        this.training = training;
        this.validation = validation;
        Model = network;
        parameters = Model.Parameters();
        Optimizer = new Adam(parameters, new AdamOptions((float)options.LearningRate, Epsilon: (float)options.AdamEpsilon));
        batchSize = Math.Min(options.BatchSize, training.Trials);
        order = new int[training.Trials];
        LearningRate = options.LearningRate;
    }

    /// <summary>The recipe.</summary>
    public DynamicsTrainingOptions Options { get; }

    /// <summary>The network being trained.</summary>
    public DynamicsNetwork Model { get; }

    internal Adam Optimizer { get; }

    /// <summary>Steps taken.</summary>
    public int Step { get; internal set; }

    internal double LearningRate { get; set; }
    internal float[][]? Best { get; set; }
    internal double BestValidation { get; set; } = double.PositiveInfinity;
    internal int BestStep { get; set; }
    internal int SinceBest { get; set; }
    internal int SincePlateau { get; set; }
    internal double SecondsBefore { get; set; }

    /// <summary>A fingerprint of the training counts, so a checkpoint is never resumed on other data.</summary>
    internal ulong DataFingerprint => Fingerprint(training.Data) ^ (validation is null ? 0 : Fingerprint(validation.Data) * 31);

    /// <summary>Trains a new network; see <see cref="Run"/>.</summary>
    public static DynamicsTrainingResult Train(TrialArray training, TrialArray? validation, LfadsOptions architecture, DynamicsTrainingOptions options,
        Action<DynamicsProgress>? progress = null, CancellationToken cancel = default) =>
        new LfadsTrainer(training, validation, architecture, options).Run(progress, null, cancel);

    /// <summary>
    /// Trains until a stopping rule holds (see <see cref="DynamicsTrainingOptions"/>), writing <paramref name="checkpoint"/>
    /// at every validation and when stopping, and returns the best validated weights.
    /// </summary>
    /// <param name="progress">Called after every validation.</param>
    /// <param name="checkpoint">Where to keep the training state, or null.</param>
    /// <param name="cancel">Stops training at the next step; the best weights so far are returned.</param>
    public DynamicsTrainingResult Run(Action<DynamicsProgress>? progress = null, DynamicsCheckpoint? checkpoint = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        double Seconds() => SecondsBefore + clock.Elapsed.TotalSeconds;
        double lossSum = 0, reconstructionSum = 0, klSum = 0;
        int summed = 0;
        string? reason = null;
        while (reason is null)
        {
            if (Step >= Options.MaxSteps) { reason = $"reached {Options.MaxSteps} steps"; break; }
            if (cancel.IsCancellationRequested) { reason = "cancelled"; break; }
            if (Seconds() / 60 >= Options.MaxMinutes) { reason = $"reached {Options.MaxMinutes:G4} minutes"; break; }

            var loss = TakeStep();
            lossSum += loss.Loss.Item();
            reconstructionSum += loss.Reconstruction;
            klSum += loss.Kl;
            summed++;
            if (Step % Options.ValidateEvery != 0 && Step != Options.MaxSteps) continue;

            double validationBound = Validate();
            progress?.Invoke(new DynamicsProgress(Step, Seconds(), lossSum / summed, reconstructionSum / summed, klSum / summed,
                validationBound, BestValidation, LearningRate));
            lossSum = reconstructionSum = klSum = 0;
            summed = 0;
            if (SinceBest >= Options.EarlyStoppingPatience) reason = $"no better validation bound in {Options.EarlyStoppingPatience} validations";
            else if (LearningRate < Options.MinLearningRate) reason = "learning rate fell below its minimum";
            if (checkpoint is not null)
            {
                SecondsBefore += clock.Elapsed.TotalSeconds;
                clock.Restart();
                checkpoint.Save(this);
            }
        }
        SecondsBefore += clock.Elapsed.TotalSeconds;
        clock.Restart();
        checkpoint?.Save(this);
        if (Best is not null)
            for (int p = 0; p < parameters.Count; p++) Best[p].CopyTo(parameters[p].Data, 0);
        return new DynamicsTrainingResult(Model, Step, Best is null ? Step : BestStep, Best is null ? double.NaN : BestValidation, SecondsBefore, reason);
    }

    private DynamicsLoss TakeStep()
    {
        var rng = new Random(Mix(Options.Seed, Step, stream: 1));
        var batch = Gather(training, NextBatch());
        DynamicsLoss loss;
        using (var tape = new Tape())
        {
            loss = Model.Evaluate(batch, rng, training: true, Step, Options);
            tape.Backward(loss.Loss);
        }
        // A non-finite batch must not poison Adam's moments: skip it.
        if (float.IsFinite(GradientClipping.ClipGlobalNorm(parameters, (float)Options.ClipNorm)))
            Optimizer.Step();
        Optimizer.ZeroGrad();
        Step++;
        return loss;
    }

    /// <summary>The trials of this step's batch: epochs of whole batches, each epoch in its own seeded order.</summary>
    private ReadOnlySpan<int> NextBatch()
    {
        int perEpoch = training.Trials / batchSize, epoch = Step / perEpoch, position = Step % perEpoch;
        if (epoch != orderEpoch)
        {
            for (int i = 0; i < order.Length; i++) order[i] = i;
            var rng = new Random(Mix(Options.Seed, epoch, stream: 2));
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            orderEpoch = epoch;
        }
        return order.AsSpan(position * batchSize, batchSize);
    }

    /// <summary>Scores the validation trials, keeps the best weights after warm-up, and decays the learning rate on a plateau.</summary>
    private double Validate()
    {
        if (validation is null) return double.NaN;
        double bound = Bound(Model, validation, Options);
        if (Step < Model.SettledStep(Options)) return bound;
        if (bound < BestValidation)
        {
            BestValidation = bound;
            BestStep = Step;
            Best = parameters.Select(p => (float[])p.Data.Clone()).ToArray();
            SinceBest = SincePlateau = 0;
            return bound;
        }
        SinceBest++;
        if (++SincePlateau >= Options.PlateauPatience)
        {
            LearningRate *= Options.LearningRateDecay;
            Optimizer.Options = Optimizer.Options with { LearningRate = (float)LearningRate };
            SincePlateau = 0;
        }
        return bound;
    }

    /// <summary>
    /// The negative bound of <paramref name="model"/> on <paramref name="data"/> in nats per trial, with the latents at their
    /// posterior means and the full objective, including data-only terms such as the log-factorials of counts.
    /// </summary>
    public static double Bound(DynamicsNetwork model, TrialArray data, DynamicsTrainingOptions options)
    {
        double total = 0;
        int size = Math.Max(1, options.BatchSize);
        for (int start = 0; start < data.Trials; start += size)
        {
            int count = Math.Min(size, data.Trials - start);
            var batch = Gather(data, Enumerable.Range(start, count).ToArray());
            var loss = model.Evaluate(batch, rng: null, training: false, int.MaxValue, options);
            total += loss.Loss.Item() * count + model.DataConstant(batch.Data);
        }
        return total / data.Trials;
    }

    /// <summary>The trials <paramref name="trials"/> of <paramref name="data"/> as a tensor <c>[B, T, N]</c>.</summary>
    public static Tensor Gather(TrialArray data, ReadOnlySpan<int> trials)
    {
        var selected = data.Select(trials);
        return new Tensor(selected.Data, selected.Trials, selected.Bins, selected.Channels);
    }

    // A seed for draw stream `stream` at index `index` of a run seeded `seed` (SplitMix64 finaliser, so nearby inputs
    // give unrelated seeds).
    private static int Mix(int seed, int index, int stream)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL * (ulong)stream;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    private static ulong Fingerprint(ReadOnlySpan<float> values) => Models.ModelFile.Fnv1a(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
}
