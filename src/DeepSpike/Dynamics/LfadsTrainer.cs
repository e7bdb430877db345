using System.Diagnostics;
using DeepSpike.Engine;
using DeepSpike.Engine.Optim;

namespace DeepSpike.Dynamics;

/// <summary>Where a dynamics training run is, reported every <see cref="DynamicsTrainingOptions.ValidateEvery"/> steps.</summary>
/// <param name="Step">Steps taken.</param>
/// <param name="Seconds">Wall time so far.</param>
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
/// <param name="Seconds">Wall time.</param>
/// <param name="StopReason">Why training ended.</param>
public sealed record DynamicsTrainingResult(Lfads Model, int Steps, int BestStep, double BestValidation, double Seconds, string StopReason)
{
    /// <summary>Training steps per second.</summary>
    public double StepsPerSecond => Steps / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// Fits <see cref="Lfads"/> to spike counts over trials by minimising <see cref="LfadsObjective"/> with Adam (see
/// <see cref="DynamicsTrainingOptions"/> for the recipe). Validation uses the posterior mean of g₀ and full KL and L2
/// weights, so its bound is comparable across steps; the best weights after warm-up are kept.
/// </summary>
public static class LfadsTrainer
{
    /// <summary>Trains a new network on <paramref name="training"/> (counts, trials × bins × cells).</summary>
    /// <param name="training">Training counts.</param>
    /// <param name="validation">Validation counts (same bins and cells), or null to keep the last weights.</param>
    /// <param name="architecture">The network.</param>
    /// <param name="options">The recipe.</param>
    /// <param name="progress">Called after every validation.</param>
    /// <param name="cancel">Stops training at the next step; the best weights so far are returned.</param>
    public static DynamicsTrainingResult Train(TrialArray training, TrialArray? validation, LfadsOptions architecture, DynamicsTrainingOptions options,
        Action<DynamicsProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        options.Validate();
        if (validation is not null && (validation.Bins != training.Bins || validation.Channels != training.Channels))
            throw new ArgumentException($"validation trials are {validation.ShapeText}, training trials {training.ShapeText}: bins and cells must agree");
        var rng = new Random(options.Seed);
        var model = new Lfads(training.Channels, architecture, rng);
        var parameters = model.Parameters();
        var adam = new Adam(parameters, new AdamOptions((float)options.LearningRate, Epsilon: (float)options.AdamEpsilon));
        int batchSize = Math.Min(options.BatchSize, training.Trials);
        var order = Enumerable.Range(0, training.Trials).ToArray();
        int cursor = order.Length;

        var clock = Stopwatch.StartNew();
        float[][]? best = null;
        double bestValidation = double.PositiveInfinity, learningRate = options.LearningRate;
        int bestStep = 0, sinceBest = 0, sincePlateau = 0, step = 0;
        double lossSum = 0, reconstructionSum = 0, klSum = 0;
        int summed = 0;
        string reason = $"reached {options.MaxSteps} steps";
        while (step < options.MaxSteps)
        {
            if (cancel.IsCancellationRequested) { reason = "cancelled"; break; }
            if (clock.Elapsed.TotalMinutes >= options.MaxMinutes) { reason = $"reached {options.MaxMinutes:G4} minutes"; break; }
            if (cursor + batchSize > order.Length)
            {
                Shuffle(order, rng);
                cursor = 0;
            }
            var batch = Gather(training, order.AsSpan(cursor, batchSize));
            cursor += batchSize;
            double warm = options.WarmupSteps == 0 ? 1 : Math.Min(1.0, (double)step / options.WarmupSteps);
            LfadsLoss loss;
            using (var tape = new Tape())
            {
                var pass = model.Forward(batch, rng, training: true);
                loss = LfadsObjective.Evaluate(model, pass, batch, warm, warm, options.L2Scale);
                tape.Backward(loss.Loss);
            }
            // A non-finite batch must not poison Adam's moments: skip it.
            if (float.IsFinite(GradientClipping.ClipGlobalNorm(parameters, (float)options.ClipNorm)))
                adam.Step();
            adam.ZeroGrad();
            step++;
            lossSum += loss.Loss.Item();
            reconstructionSum += loss.Reconstruction;
            klSum += loss.Kl;
            summed++;

            if (step % options.ValidateEvery != 0 && step != options.MaxSteps) continue;
            double validationBound = validation is null ? double.NaN : Bound(model, validation, options);
            bool warmedUp = step >= options.WarmupSteps;
            if (validation is not null && warmedUp)
            {
                if (validationBound < bestValidation)
                {
                    bestValidation = validationBound;
                    bestStep = step;
                    best = parameters.Select(p => (float[])p.Data.Clone()).ToArray();
                    sinceBest = sincePlateau = 0;
                }
                else
                {
                    sinceBest++;
                    if (++sincePlateau >= options.PlateauPatience)
                    {
                        learningRate *= options.LearningRateDecay;
                        adam.Options = adam.Options with { LearningRate = (float)learningRate };
                        sincePlateau = 0;
                    }
                }
            }
            progress?.Invoke(new DynamicsProgress(step, clock.Elapsed.TotalSeconds, lossSum / summed, reconstructionSum / summed, klSum / summed,
                validationBound, bestValidation, learningRate));
            lossSum = reconstructionSum = klSum = 0;
            summed = 0;
            if (sinceBest >= options.EarlyStoppingPatience) { reason = $"no better validation bound in {options.EarlyStoppingPatience} validations"; break; }
            if (learningRate < options.MinLearningRate) { reason = "learning rate fell below its minimum"; break; }
        }
        if (best is not null)
            for (int p = 0; p < parameters.Count; p++) best[p].CopyTo(parameters[p].Data, 0);
        else bestStep = step;
        return new DynamicsTrainingResult(model, step, bestStep, best is null ? double.NaN : bestValidation, clock.Elapsed.TotalSeconds, reason);
    }

    /// <summary>
    /// The negative bound of <paramref name="model"/> on <paramref name="data"/> in nats per trial, with g₀ at its posterior
    /// mean and full KL and L2 weights, including the data's log-factorial term.
    /// </summary>
    public static double Bound(Lfads model, TrialArray data, DynamicsTrainingOptions options)
    {
        double total = 0;
        int batchSize = Math.Max(1, options.BatchSize);
        for (int start = 0; start < data.Trials; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Trials - start);
            var batch = Gather(data, Enumerable.Range(start, count).ToArray());
            var pass = model.Forward(batch, rng: null);
            var loss = LfadsObjective.Evaluate(model, pass, batch, 1, 1, options.L2Scale);
            total += loss.Loss.Item() * count + GaussianTerms.LogFactorialSum(batch.Data);
        }
        return total / data.Trials;
    }

    /// <summary>The trials <paramref name="trials"/> of <paramref name="data"/> as a tensor <c>[B, T, N]</c>.</summary>
    public static Tensor Gather(TrialArray data, ReadOnlySpan<int> trials)
    {
        int size = data.Bins * data.Channels;
        var values = new float[trials.Length * size];
        for (int i = 0; i < trials.Length; i++) data.Trial(trials[i]).CopyTo(values.AsSpan(i * size, size));
        return new Tensor(values, trials.Length, data.Bins, data.Channels);
    }

    private static void Shuffle(int[] order, Random rng)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
