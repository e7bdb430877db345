using System.Diagnostics;
using DeepSpike.Data;
using DeepSpike.Engine;
using DeepSpike.Engine.Optim;
using DeepSpike.Generative;
using DeepSpike.Recognition;

namespace DeepSpike.Training;

/// <summary>
/// Trains one recognition network φ shared by all cells, jointly with each cell's generative parameters
/// θ_i (Speiser et al. 2017, §2.1): every iteration takes a batch of chunks from one trace, draws K
/// posterior samples per chunk, and ascends the importance-weighted bound with VIMCO gradients; φ's
/// gradient is norm-clipped, and each trace has its own θ and Adam state. Early stopping keeps the φ
/// with the best validation criterion.
/// </summary>
public sealed class Trainer
{
    /// <summary>θ-only steps on validation traces happen every this many iterations.</summary>
    private const int ValidationFitInterval = 2;
    /// <summary>Validation uses at most this many traces, two fixed chunks each.</summary>
    private const int MaxValidationTraces = 48;
    private const int ProgressInterval = 25;
    private const int LabeledSeedSalt = 0x1abe1ed;
    private const int ThetaWarmupSeedSalt = 0x7e7a;

    private readonly IGenerativeModel generative;
    private readonly IRecognitionModel recognition;
    private readonly IReadOnlyList<Tensor> phi;
    private readonly Adam phiOptimizer;
    private List<CellState> cells = [];
    private List<CellState> validationCells = [];
    private List<float[]>? trainingTargets, validationTargets;
    /// <summary>Spike counts of the validation traces when early stopping is by correlation, else null.</summary>
    private List<float[]>? validationCounts;
    private double frameRateHz;
    private List<CellState> labeledCells = [];
    private List<float[]>? labeledTargets;
    private Trainer? continuedFrom;

    /// <summary>Creates a trainer for the given models.</summary>
    public Trainer(IGenerativeModel generative, IRecognitionModel recognition, TrainingOptions options)
    {
        this.generative = generative;
        this.recognition = recognition;
        Options = options.Validate();
        phi = recognition.Network.Parameters();
        phiOptimizer = new Adam(phi, new AdamOptions(options.RecognitionLearningRate));
    }

    /// <summary>The hyperparameters.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Per-trace generative parameters after training, by trace name.</summary>
    public IReadOnlyDictionary<string, GenerativeParameters> CellParameters => cells.ToDictionary(c => c.Name, c => c.Theta);

    /// <summary>
    /// Makes the next <see cref="Train"/> start every trace's θ (training and validation traces, matched by name)
    /// from where <paramref name="previous"/> left it, instead of from fresh estimates. Use it with a warm-started
    /// network (<see cref="Recognition.WarmStart"/>): the network was trained against fitted θ, and fresh θ would
    /// make its first steps follow a poor generative model.
    /// </summary>
    /// <exception cref="ArgumentException">The previous trainer used another generative model.</exception>
    public void ContinueCellsFrom(Trainer previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (previous.generative.Name != generative.Name)
            throw new ArgumentException($"cannot continue {generative.Name} parameters from a {previous.generative.Name} trainer");
        continuedFrom = previous;
    }

    private static void CopyTheta(IReadOnlyList<CellState> from, IReadOnlyList<CellState> to)
    {
        var byName = from.ToDictionary(c => c.Name);
        foreach (var cell in to)
            if (byName.TryGetValue(cell.Name, out var source))
                foreach (var ((_, value), (_, target)) in source.Theta.NamedParameters().Zip(cell.Theta.NamedParameters()))
                    value.Data.CopyTo(target.Data, 0);
    }

    // Counters that a checkpoint saves.
    internal int Iteration;
    internal int BestIteration;
    internal double BestValidation = double.NegativeInfinity;
    internal int EvaluationsSinceImprovement;
    internal double ElapsedSecondsBefore;
    internal float[][] BestPhi = [];
    /// <summary>
    /// The running average of the weights before bias correction (<see cref="TrainingOptions.WeightAveraging"/>), else
    /// null: it starts at zero, so after t steps it is (1 − d^t) times the average of φ_1 … φ_t (see <see cref="AveragedPhi"/>).
    /// </summary>
    internal float[][]? AveragePhi;
    internal IReadOnlyList<CellState> Cells => cells;
    internal IReadOnlyList<CellState> ValidationCells => validationCells;
    internal Adam PhiOptimizer => phiOptimizer;
    internal IReadOnlyList<Tensor> Phi => phi;
    internal IRecognitionModel Recognition => recognition;

    /// <summary>
    /// Trains until the time or iteration limit, early stopping, or cancellation, then leaves the best
    /// weights in the recognition network. With <paramref name="checkpoint"/>, state is saved there
    /// periodically (and restored from it first when <paramref name="resume"/> is set).
    /// </summary>
    public TrainingResult Train(TrainingData data, IProgress<TrainingProgress>? progress = null,
        TrainerCheckpoint? checkpoint = null, bool resume = false, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        double rate = data.Training.FrameRateHz;
        frameRateHz = rate;
        if (!(rate > 0)) throw new ArgumentException($"training data needs a frame rate > 0, got {rate}");
        if (data.Training.Count == 0) throw new ArgumentException("training data has no traces");
        if (data.Validation is { FrameRateHz: > 0 } v && Math.Abs(v.FrameRateHz / rate - 1) > Inference.SpikeInference.FrameRateTolerance)
            throw new ArgumentException($"validation data is at {v.FrameRateHz:G6} Hz but training data at {rate:G6} Hz; resample one or use matching recordings");
        bool supervised = Options.Objective == TrainingObjective.Supervised;
        if (supervised && data.TrainingSpikes is null) throw new ArgumentException("supervised training needs the training spikes");
        cells = BuildCells(data.Training, rate);
        validationCells = data.Validation is null ? [] : BuildCells(data.Validation, data.Validation.FrameRateHz > 0 ? data.Validation.FrameRateHz : rate).Take(MaxValidationTraces).ToList();
        if (supervised)
        {
            trainingTargets = Targets(data.Training, data.TrainingSpikes!);
            validationTargets = data.Validation is not null && data.ValidationSpikes is not null ? Targets(data.Validation, data.ValidationSpikes) : null;
            if (validationTargets is null) validationCells = [];
        }
        validationCounts = !supervised && Options.ValidationCorrelationBinMs > 0 && data.ValidationSpikes is { } spikes
            ? validationCells.Select(c => spikes.TryGetTrace(c.Name, out var s) ? s : throw new ArgumentException($"no spikes for validation trace '{c.Name}'")).ToList()
            : null;
        if (data.LabeledCalcium is not null)
        {
            if (supervised) throw new ArgumentException("labeled recordings add a supervised term to unsupervised training; the supervised objective uses TrainingSpikes instead");
            if (data.LabeledSpikes is null) throw new ArgumentException("labeled recordings need their spikes");
            if (Math.Abs(data.LabeledCalcium.FrameRateHz / rate - 1) > Inference.SpikeInference.FrameRateTolerance)
                throw new ArgumentException($"labeled recordings are at {data.LabeledCalcium.FrameRateHz:G6} Hz but training data at {rate:G6} Hz; resample one or use matching recordings");
            labeledCells = BuildCells(data.LabeledCalcium, rate);
            labeledTargets = Targets(data.LabeledCalcium, data.LabeledSpikes);
        }
        if (continuedFrom is not null)
        {
            CopyTheta(continuedFrom.cells, cells);
            CopyTheta(continuedFrom.validationCells, validationCells);
        }
        BestPhi = Snapshot();
        AveragePhi = Options.WeightAveraging > 0 ? phi.Select(p => new float[p.Length]).ToArray() : null;
        var clock = Stopwatch.StartNew();
        if (resume && checkpoint is not null && File.Exists(checkpoint.Path)) checkpoint.Restore(this);
        else
        {
            if (!supervised) FitThetaOnly(cancellation);
            if (validationCells.Count > 0 && Options.StartIsCandidate)
            {
                // The starting weights are a candidate too: a network warm-started from a trained one (--init-from)
                // must not end worse than it began, even if training is too short to reach the first evaluation.
                BestValidation = Validate();
                BestIteration = 0;
            }
        }

        double Elapsed() => ElapsedSecondsBefore + clock.Elapsed.TotalSeconds;
        double running = double.NaN, lastValidation = double.NaN;
        // A checkpoint written by a run that had just stopped early (killed before it saved the model) must not train on.
        bool stoppedEarly = validationCells.Count > 0 && EvaluationsSinceImprovement >= Options.Patience;
        // Its own clock: `clock` restarts at every checkpoint, which would garble the rate.
        var rateClock = Stopwatch.StartNew();
        double lastReportSeconds = 0; int lastReportIteration = Iteration;
        while (!stoppedEarly && Iteration < Options.MaxIterations && Elapsed() < Options.MaxMinutes * 60 && !cancellation.IsCancellationRequested)
        {
            var rng = IterationRandom(Options.Seed, Iteration);
            int index = rng.Next(cells.Count);
            double objective = supervised ? SupervisedStep(cells[index], trainingTargets![index], rng) : UnsupervisedStep(cells[index], rng, updatePhi: true);
            if (!supervised && validationCounts is null && validationCells.Count > 0 && Iteration % ValidationFitInterval == 0)
                UnsupervisedStep(validationCells[rng.Next(validationCells.Count)], rng, updatePhi: false);
            Iteration++;
            if (double.IsFinite(objective)) running = double.IsNaN(running) ? objective : 0.98 * running + 0.02 * objective;

            if (validationCells.Count > 0 && Iteration % Options.ValidateEvery == 0)
            {
                var current = AveragePhi is null ? null : Snapshot();
                if (AveragePhi is not null) Restore(AveragedPhi());
                lastValidation = Validate();
                if (lastValidation > BestValidation)
                {
                    BestValidation = lastValidation; BestIteration = Iteration; EvaluationsSinceImprovement = 0;
                    BestPhi = Snapshot();
                }
                else if (++EvaluationsSinceImprovement >= Options.Patience) { stoppedEarly = true; }
                if (current is not null) Restore(current);
            }
            if (checkpoint is not null && Iteration % Options.CheckpointEvery == 0)
            {
                ElapsedSecondsBefore += clock.Elapsed.TotalSeconds; clock.Restart();
                checkpoint.Save(this, generative.Name, rate);
            }
            if (progress is not null && Iteration % ProgressInterval == 0)
            {
                double now = rateClock.Elapsed.TotalSeconds, seconds = now - lastReportSeconds;
                double itPerSec = seconds > 0 ? (Iteration - lastReportIteration) / seconds : 0;
                lastReportSeconds = now; lastReportIteration = Iteration;
                double fraction = Math.Max(Elapsed() / (Options.MaxMinutes * 60), (double)Iteration / Options.MaxIterations);
                progress.Report(new TrainingProgress(Iteration, itPerSec, running, lastValidation, BestValidation, TimeSpan.FromSeconds(Elapsed()), Math.Min(1, fraction)));
            }
            if (stoppedEarly) break;
        }
        // Whatever ended training, the work since the last periodic checkpoint must survive.
        if (checkpoint is not null && Iteration % Options.CheckpointEvery != 0)
        {
            ElapsedSecondsBefore += clock.Elapsed.TotalSeconds; clock.Restart();
            checkpoint.Save(this, generative.Name, rate);
        }
        if (validationCells.Count > 0 && double.IsFinite(BestValidation)) Restore(BestPhi);
        else
        {
            if (AveragePhi is not null) Restore(AveragedPhi());
            BestIteration = Iteration; BestValidation = double.NaN;
        }
        ElapsedSecondsBefore += clock.Elapsed.TotalSeconds;
        clock.Reset();
        return new TrainingResult(Iteration, BestIteration, BestValidation, stoppedEarly, TimeSpan.FromSeconds(ElapsedSecondsBefore));
    }

    /// <summary><see cref="TrainingOptions.ThetaWarmupIterations"/> steps on θ alone, training and validation traces alike.</summary>
    private void FitThetaOnly(CancellationToken cancellation)
    {
        for (int i = 0; i < Options.ThetaWarmupIterations && !cancellation.IsCancellationRequested; i++)
        {
            var rng = new Random(Inference.SpikeInferenceMethods.TraceSeed(Options.Seed ^ ThetaWarmupSeedSalt, i));
            UnsupervisedStep(cells[rng.Next(cells.Count)], rng, updatePhi: false);
            if (validationCells.Count > 0) UnsupervisedStep(validationCells[rng.Next(validationCells.Count)], rng, updatePhi: false);
        }
    }

    /// <summary>One batch of the importance-weighted bound; updates θ of the cell, and φ when asked.</summary>
    private double UnsupervisedStep(CellState cell, Random rng, bool updatePhi)
    {
        var (fluorescence, input, frames) = Batch(cell, rng, null, out _);
        if (!updatePhi) SetRequiresGrad(phi, false);
        try
        {
            using var tape = new Tape();
            var posterior = recognition.Sample(input, Options.Samples, rng);
            var logJoint = Ops.Add(generative.LogLikelihood(cell.Theta, fluorescence, posterior.Spikes),
                BernoulliSpikePrior.LogProb(cell.Theta, posterior.Spikes));
            var bound = ImportanceWeightedBound.Vimco(logJoint, posterior.LogProbability, frames);
            tape.Backward(bound.Surrogate);
            // One non-finite batch must not poison Adam's moments for good: skip it.
            if (!double.IsFinite(bound.BoundPerFrame)) return double.NaN;
            if (updatePhi)
            {
                if (labeledCells.Count > 0) AddSupervisedGradient();
                if (!float.IsFinite(GradientClipping.ClipGlobalNorm(phi, Options.ClipNorm))) return double.NaN;
                StepPhi();
            }
            if (float.IsFinite(GradientClipping.GlobalNorm(cell.Theta.Parameters()))) cell.Optimizer.Step();
            return bound.BoundPerFrame;
        }
        finally
        {
            phiOptimizer.ZeroGrad();
            cell.Optimizer.ZeroGrad();
            if (!updatePhi) SetRequiresGrad(phi, true);
        }
    }

    /// <summary>One Adam step on φ, then the running average φ̄ ← d φ̄ + (1 − d) φ when averaging.</summary>
    private void StepPhi()
    {
        phiOptimizer.Step();
        if (AveragePhi is null) return;
        float decay = (float)Options.WeightAveraging;
        for (int i = 0; i < phi.Count; i++)
        {
            // φ̄ + (1 − d)(φ − φ̄), in place.
            var average = AveragePhi[i].AsSpan();
            System.Numerics.Tensors.TensorPrimitives.Lerp(average, phi[i].Data, 1 - decay, average);
        }
    }

    /// <summary>
    /// The bias-corrected average <c>φ̄_t / (1 − d^t)</c> after t steps: the weights of steps 1 … t weighted by
    /// <c>d^{t−k}</c>, never the random starting weights (as Adam corrects its moments); φ itself before any step.
    /// </summary>
    private float[][] AveragedPhi()
    {
        int steps = phiOptimizer.Steps;
        if (steps == 0) return Snapshot();
        float correction = (float)(1 / -double.ExpM1(steps * Math.Log(Options.WeightAveraging)));
        return AveragePhi!.Select(a =>
        {
            var corrected = new float[a.Length];
            System.Numerics.Tensors.TensorPrimitives.Multiply(a, correction, corrected);
            return corrected;
        }).ToArray();
    }

    /// <summary>One batch of cross-entropy against known spikes; returns −cross-entropy per frame.</summary>
    private double SupervisedStep(CellState cell, float[] targets, Random rng)
    {
        var (_, input, frames) = Batch(cell, rng, targets, out var batchTargets);
        try
        {
            using var tape = new Tape();
            // Autoregressive models need the true spikes to give per-frame logits (teacher forcing).
            var loss = CrossEntropy(recognition.Logits(input, batchTargets), batchTargets!);
            tape.Backward(loss);
            if (!float.IsFinite(GradientClipping.ClipGlobalNorm(phi, Options.ClipNorm))) return double.NaN;
            StepPhi();
            return -loss.Item();
        }
        finally { phiOptimizer.ZeroGrad(); }
    }

    /// <summary>
    /// Semi-supervised term: adds λ × the gradient of the cross-entropy per frame on a batch of a random labeled
    /// recording to φ's gradient, so one clipped Adam step follows both terms.
    /// </summary>
    /// <remarks>Its batch comes from a generator of its own, so the unsupervised draws are those of a run without labels.</remarks>
    private void AddSupervisedGradient()
    {
        var rng = new Random(Inference.SpikeInferenceMethods.TraceSeed(Options.Seed ^ LabeledSeedSalt, Iteration));
        int index = rng.Next(labeledCells.Count);
        var (_, input, _) = Batch(labeledCells[index], rng, labeledTargets![index], out var targets);
        using var tape = new Tape();
        tape.Backward(Ops.Scale(CrossEntropy(recognition.Logits(input, targets), targets!), Options.SupervisedWeight));
    }

    /// <summary>Mean binary cross-entropy per frame, <c>−(1/BT) Σ ln Bernoulli(s; σ(a))</c>.</summary>
    private static Tensor CrossEntropy(Tensor logits, Tensor targets) =>
        Ops.Scale(Ops.Sum(Ops.BernoulliLogProb(logits, targets)), -1f / logits.Length);

    /// <summary>
    /// The validation criterion (higher is better): the bound per frame on fixed chunks of the
    /// validation traces with fixed random draws, or −cross-entropy per frame when supervised.
    /// </summary>
    private double Validate()
    {
        if (validationCounts is not null) return ValidationCorrelation();
        double total = 0;
        int count = 0;
        for (int i = 0; i < validationCells.Count; i++)
        {
            var cell = validationCells[i];
            int frames = Math.Min(Options.ChunkFrames, cell.Fluorescence.Length);
            int[] starts = [(cell.Fluorescence.Length - frames) / 4, 3 * (cell.Fluorescence.Length - frames) / 4];
            var f = new float[starts.Length * frames];
            var x = new float[starts.Length * frames];
            for (int b = 0; b < starts.Length; b++)
            {
                Array.Copy(cell.Fluorescence, starts[b], f, b * frames, frames);
                Array.Copy(cell.Normalized, starts[b], x, b * frames, frames);
            }
            var input = new Tensor(x, starts.Length, frames);
            if (Options.Objective == TrainingObjective.Supervised)
            {
                var t = new float[starts.Length * frames];
                for (int b = 0; b < starts.Length; b++) Array.Copy(validationTargets![i], starts[b], t, b * frames, frames);
                var targets = new Tensor(t, starts.Length, frames);
                total += -CrossEntropy(recognition.Logits(input, targets), targets).Item();
            }
            else
            {
                var rng = new Random(Inference.SpikeInferenceMethods.TraceSeed(Options.Seed, -1 - i));
                var posterior = recognition.Sample(input, Options.Samples, rng);
                var logJoint = Ops.Add(generative.LogLikelihood(cell.Theta, new Tensor(f, starts.Length, frames), posterior.Spikes),
                    BernoulliSpikePrior.LogProb(cell.Theta, posterior.Spikes));
                total += ImportanceWeightedBound.Vimco(logJoint, posterior.LogProbability, frames).BoundPerFrame;
            }
            count++;
        }
        return total / Math.Max(count, 1);
    }

    /// <summary>Mean Pearson r between the spike probabilities of whole validation traces and their true spikes (fixed draws).</summary>
    private double ValidationCorrelation()
    {
        var r = new double[validationCells.Count];
        for (int i = 0; i < r.Length; i++)
        {
            var cell = validationCells[i];
            var probabilities = recognition.Marginals(cell.Normalized, new Random(Inference.SpikeInferenceMethods.TraceSeed(Options.Seed, -1 - i)));
            var counts = validationCounts![i];
            int frames = Math.Min(probabilities.Length, counts.Length);
            r[i] = Evaluation.SpikeMetrics.Pearson(Evaluation.SpikeMetrics.Bin(probabilities.AsSpan(0, frames), frameRateHz, Options.ValidationCorrelationBinMs),
                Evaluation.SpikeMetrics.Bin(counts.AsSpan(0, frames), frameRateHz, Options.ValidationCorrelationBinMs));
            if (double.IsNaN(r[i])) r[i] = 0; // a validation trace without spikes cannot rank weights
        }
        return Evaluation.SpikeMetrics.Mean(r);
    }

    private (Tensor Fluorescence, Tensor Input, int Frames) Batch(CellState cell, Random rng, float[]? targets, out Tensor? batchTargets)
    {
        int length = cell.Fluorescence.Length, frames = Math.Min(Options.ChunkFrames, length), chunks = Options.ChunksPerBatch;
        var f = new float[chunks * frames];
        var x = new float[chunks * frames];
        var t = targets is null ? null : new float[chunks * frames];
        for (int b = 0; b < chunks; b++)
        {
            int start = rng.Next(length - frames + 1);
            Array.Copy(cell.Fluorescence, start, f, b * frames, frames);
            Array.Copy(cell.Normalized, start, x, b * frames, frames);
            if (t is not null) Array.Copy(targets!, start, t, b * frames, frames);
        }
        batchTargets = t is null ? null : new Tensor(t, chunks, frames);
        return (new Tensor(f, chunks, frames), new Tensor(x, chunks, frames), frames);
    }

    private List<CellState> BuildCells(TraceSet traces, double rate)
    {
        var adam = new AdamOptions(Options.GenerativeLearningRate);
        var result = new CellState[traces.Count];
        Parallel.For(0, traces.Count, Parallelism.Options, i =>
        {
            var trace = traces.Traces[i];
            float[] normalized;
            try { normalized = InputNormalization.Apply(trace); }
            catch (ArgumentException e) { throw new ArgumentException($"trace '{traces.Names[i]}': {e.Message}", e); }
            result[i] = new CellState(traces.Names[i], trace, normalized, generative.InitialParameters(trace, rate), adam);
        });
        return [.. result];
    }

    /// <summary>Spike targets aligned to the fluorescence traces, clipped to {0, 1} per frame.</summary>
    private static List<float[]> Targets(TraceSet calcium, TraceSet spikes)
    {
        var list = new List<float[]>(calcium.Count);
        for (int i = 0; i < calcium.Count; i++)
        {
            if (!spikes.TryGetTrace(calcium.Names[i], out var s)) throw new ArgumentException($"no spikes for trace '{calcium.Names[i]}'");
            var target = new float[calcium.Traces[i].Length];
            for (int t = 0; t < target.Length && t < s.Length; t++) target[t] = s[t] > 0 ? 1f : 0f;
            list.Add(target);
        }
        return list;
    }

    /// <summary>A generator for one iteration, so a resumed run draws exactly what an uninterrupted one would.</summary>
    private static Random IterationRandom(int seed, int iteration) => new(Inference.SpikeInferenceMethods.TraceSeed(seed, iteration));

    private float[][] Snapshot() => phi.Select(p => (float[])p.Data.Clone()).ToArray();

    internal void Restore(float[][] weights)
    {
        for (int i = 0; i < phi.Count; i++) weights[i].CopyTo(phi[i].Data, 0);
    }

    private static void SetRequiresGrad(IReadOnlyList<Tensor> tensors, bool value)
    {
        foreach (var t in tensors) t.RequiresGrad = value;
    }
}
