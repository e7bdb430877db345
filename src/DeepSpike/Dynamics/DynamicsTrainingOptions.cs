namespace DeepSpike.Dynamics;

/// <summary>
/// How a dynamics model is fitted: LFADS's recipe as the Ladder LFADS paper runs it on the Lorenz benchmark — Adam
/// (lr 0.01, ε 0.1), global gradient-norm clip 200, batches of 65 trials, KL and L2 weights warmed up linearly over
/// 1600 steps, the learning rate × 0.95 whenever the validation bound stops improving — plus the stopping rules.
/// </summary>
public sealed record DynamicsTrainingOptions
{
    /// <summary>Adam's initial learning rate.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Adam's ε (LFADS uses a large one, which damps steps on rarely-seen weights).</summary>
    public double AdamEpsilon { get; init; } = 0.1;

    /// <summary>Global gradient-norm clip.</summary>
    public double ClipNorm { get; init; } = 200;

    /// <summary>Trials per step.</summary>
    public int BatchSize { get; init; } = 65;

    /// <summary>Steps over which the KL and L2 weights rise linearly from 0 to 1.</summary>
    public int WarmupSteps { get; init; } = 1600;

    /// <summary>Scale of the L2 penalty on the generator's recurrent weights: scale · Σ w² / (number of weights).</summary>
    public double L2Scale { get; init; } = 250;

    /// <summary>Factor applied to the learning rate on a plateau.</summary>
    public double LearningRateDecay { get; init; } = 0.95;

    /// <summary>Validations without a new best bound that make a plateau.</summary>
    public int PlateauPatience { get; init; } = 6;

    /// <summary>Training stops when the learning rate falls below this.</summary>
    public double MinLearningRate { get; init; } = 1e-5;

    /// <summary>Steps between validations (and progress reports).</summary>
    public int ValidateEvery { get; init; } = 16;

    /// <summary>Stop after this many steps.</summary>
    public int MaxSteps { get; init; } = 20_000;

    /// <summary>Stop after this much wall time.</summary>
    public double MaxMinutes { get; init; } = double.PositiveInfinity;

    /// <summary>Stop when this many validations in a row bring no new best bound (after warm-up).</summary>
    public int EarlyStoppingPatience { get; init; } = 60;

    /// <summary>Seed of the initial weights, the batch order, dropout and the posterior draws.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public DynamicsTrainingOptions Validate()
    {
        static void Positive(double value, string name)
        {
            if (!(value > 0)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0, got {value}");
        }
        Positive(LearningRate, nameof(LearningRate));
        Positive(AdamEpsilon, nameof(AdamEpsilon));
        Positive(ClipNorm, nameof(ClipNorm));
        Positive(BatchSize, nameof(BatchSize));
        Positive(ValidateEvery, nameof(ValidateEvery));
        Positive(MaxSteps, nameof(MaxSteps));
        Positive(MaxMinutes, nameof(MaxMinutes));
        Positive(PlateauPatience, nameof(PlateauPatience));
        Positive(EarlyStoppingPatience, nameof(EarlyStoppingPatience));
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "must be ≥ 0");
        if (!(L2Scale >= 0)) throw new ArgumentOutOfRangeException(nameof(L2Scale), L2Scale, "must be ≥ 0");
        if (!(LearningRateDecay > 0 && LearningRateDecay <= 1)) throw new ArgumentOutOfRangeException(nameof(LearningRateDecay), LearningRateDecay, "must be in (0, 1]");
        if (!(MinLearningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(MinLearningRate), MinLearningRate, "must be ≥ 0");
        return this;
    }
}
