namespace DeepSpike.Training;

/// <summary>What the recognition network is trained to do.</summary>
public enum TrainingObjective
{
    /// <summary>Maximise the importance-weighted bound with VIMCO gradients (no ground truth used).</summary>
    Unsupervised,

    /// <summary>Minimise cross-entropy against known spikes (a reference, not the product's method).</summary>
    Supervised,
}

/// <summary>Training hyperparameters (Speiser et al. 2017, §2.1), grouped: objective, batches, optimisation, schedule.</summary>
/// <param name="Objective">Unsupervised (default) or supervised.</param>
/// <param name="Samples">K, samples per chunk in the importance-weighted bound (paper: 64).</param>
/// <param name="ChunkFrames">Frames per chunk ("a few hundred").</param>
/// <param name="ChunksPerBatch">Chunks per batch; all from one trace.</param>
/// <param name="ClipNorm">Global gradient-norm threshold for the recognition network (paper: 0.02).</param>
/// <param name="RecognitionLearningRate">Adam step size for φ.</param>
/// <param name="GenerativeLearningRate">Adam step size for each cell's θ.</param>
/// <param name="ValidateEvery">Iterations between validation evaluations (paper: 100).</param>
/// <param name="Patience">Validation evaluations without improvement before stopping early.</param>
/// <param name="MaxMinutes">Wall-clock limit.</param>
/// <param name="MaxIterations">Iteration limit.</param>
/// <param name="Seed">Seed of every random draw; with fixed threads, training is deterministic.</param>
/// <param name="CheckpointEvery">Iterations between checkpoints (when a checkpoint path is given).</param>
/// <param name="SupervisedWeight">Semi-supervised training (labeled recordings in <see cref="TrainingData.LabeledCalcium"/>):
/// the weight λ of the cross-entropy per frame added to the negative bound per frame (the paper's suggested
/// supervised term, §4).</param>
/// <param name="ThetaWarmupIterations">Unsupervised training of a network that is already trained (a warm start):
/// steps that fit only each trace's θ, with φ frozen, before training starts, so that φ's first steps follow a
/// fitted generative model rather than fresh estimates. Not counted as iterations.</param>
/// <param name="ValidationCorrelationBinMs">Unsupervised training with known spikes of the validation cells
/// (<see cref="TrainingData.ValidationSpikes"/>): when &gt; 0, early stopping keeps the weights whose spike
/// probabilities on the whole validation traces correlate best with those spikes at this bin width — the
/// paper's protocol on real data (§3, "early stopping … based on the correlation achieved on the
/// train/validation set"). The training objective never sees the spikes. 0 (the default) validates by the
/// bound, which needs no ground truth.</param>
/// <param name="StartIsCandidate">Whether the weights before the first step may be kept by early stopping: yes for a
/// warm start (a trained network must not end worse than it began), no for a freshly initialised network, whose
/// random weights can score by chance on a small validation set but are never a model worth keeping.</param>
/// <param name="WeightAveraging">Polyak averaging of the recognition weights: when in (0, 1), after every step
/// <c>φ̄ ← d φ̄ + (1 − d) φ</c> with this decay d from φ̄ = 0, and validation, early stopping and the returned network
/// use the bias-corrected <c>φ̄ / (1 − d^t)</c> (the VIMCO gradients are noisy, and this averages the last ~1/(1 − d)
/// steps' weights, never the random start). 0 (the default) uses φ.</param>
public sealed record TrainingOptions(
    TrainingObjective Objective = TrainingObjective.Unsupervised,
    int Samples = 64,
    int ChunkFrames = 400,
    int ChunksPerBatch = 8,
    float ClipNorm = 0.02f,
    float RecognitionLearningRate = 1e-3f,
    float GenerativeLearningRate = 1e-2f,
    int ValidateEvery = 200,
    int Patience = 15,
    double MaxMinutes = 20,
    int MaxIterations = int.MaxValue,
    int Seed = 0,
    int CheckpointEvery = 1000,
    float SupervisedWeight = 1f,
    int ThetaWarmupIterations = 0,
    double ValidationCorrelationBinMs = 0,
    bool StartIsCandidate = true,
    double WeightAveraging = 0)
{
    /// <summary>Throws if a value is out of range.</summary>
    public TrainingOptions Validate()
    {
        if (Samples < 2) throw new ArgumentOutOfRangeException(nameof(Samples), $"samples must be >= 2 (VIMCO needs a leave-one-out baseline), got {Samples}");
        if (ChunkFrames < 8) throw new ArgumentOutOfRangeException(nameof(ChunkFrames), $"chunk length must be >= 8 frames, got {ChunkFrames}");
        if (ChunksPerBatch < 1) throw new ArgumentOutOfRangeException(nameof(ChunksPerBatch), $"chunks per batch must be >= 1, got {ChunksPerBatch}");
        if (!(ClipNorm > 0)) throw new ArgumentOutOfRangeException(nameof(ClipNorm), $"clip threshold must be > 0, got {ClipNorm}");
        if (!(RecognitionLearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(RecognitionLearningRate), $"learning rate must be > 0, got {RecognitionLearningRate}");
        if (!(GenerativeLearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(GenerativeLearningRate), $"learning rate must be > 0, got {GenerativeLearningRate}");
        if (ValidateEvery < 1) throw new ArgumentOutOfRangeException(nameof(ValidateEvery), $"validation interval must be >= 1, got {ValidateEvery}");
        if (Patience < 1) throw new ArgumentOutOfRangeException(nameof(Patience), $"patience must be >= 1, got {Patience}");
        if (!(MaxMinutes > 0)) throw new ArgumentOutOfRangeException(nameof(MaxMinutes), $"time limit must be > 0 minutes, got {MaxMinutes}");
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), $"iteration limit must be >= 1, got {MaxIterations}");
        if (!(SupervisedWeight >= 0) || !float.IsFinite(SupervisedWeight)) throw new ArgumentOutOfRangeException(nameof(SupervisedWeight), $"supervised weight must be finite and >= 0, got {SupervisedWeight}");
        if (ThetaWarmupIterations < 0) throw new ArgumentOutOfRangeException(nameof(ThetaWarmupIterations), $"θ warm-up must be >= 0 iterations, got {ThetaWarmupIterations}");
        if (!(ValidationCorrelationBinMs >= 0) || !double.IsFinite(ValidationCorrelationBinMs)) throw new ArgumentOutOfRangeException(nameof(ValidationCorrelationBinMs), $"validation bin width must be finite and >= 0 ms, got {ValidationCorrelationBinMs}");
        if (!(WeightAveraging >= 0 && WeightAveraging < 1)) throw new ArgumentOutOfRangeException(nameof(WeightAveraging), $"weight-averaging decay must be in [0, 1), got {WeightAveraging}");
        if (CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), $"checkpoint interval must be >= 1, got {CheckpointEvery}");
        return this;
    }
}

/// <summary>A snapshot of training for progress displays.</summary>
/// <param name="Iteration">Iterations done.</param>
/// <param name="IterationsPerSecond">Recent throughput.</param>
/// <param name="Objective">Running mean of the training objective (bound per frame, or −cross-entropy).</param>
/// <param name="Validation">Latest validation criterion (higher is better), NaN before the first.</param>
/// <param name="BestValidation">Best validation criterion so far.</param>
/// <param name="Elapsed">Wall-clock time.</param>
/// <param name="Fraction">Progress toward the time or iteration limit, in [0, 1].</param>
public sealed record TrainingProgress(int Iteration, double IterationsPerSecond, double Objective, double Validation, double BestValidation, TimeSpan Elapsed, double Fraction);

/// <summary>The outcome of training.</summary>
/// <param name="Iterations">Iterations done in total (including before a resume).</param>
/// <param name="BestIteration">Iteration of the kept weights.</param>
/// <param name="BestValidation">Validation criterion of the kept weights (NaN without validation data).</param>
/// <param name="StoppedEarly">Whether early stopping ended training.</param>
/// <param name="Elapsed">Total wall-clock time.</param>
public sealed record TrainingResult(int Iterations, int BestIteration, double BestValidation, bool StoppedEarly, TimeSpan Elapsed);
