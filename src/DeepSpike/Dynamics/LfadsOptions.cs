namespace DeepSpike.Dynamics;

/// <summary>
/// Architecture of LFADS (Pandarinath et al. 2018) as the Ladder LFADS paper runs it on the Lorenz benchmark: a
/// bidirectional GRU encoder reads the whole trial and sets the posterior of the generator's initial state g₀; the
/// generator GRU runs from g₀ without inputs (no controller); factors are a linear readout of its state with unit-norm
/// rows, and the log firing rates a linear readout of the factors.
/// </summary>
public sealed record LfadsOptions
{
    /// <summary>What the rates explain: <c>poisson</c> counts (LFADS), or <c>gaussian</c> fluorescence through a causal
    /// convolution of the rates (Gaussian LFADS, see <see cref="GaussianObservation"/>).</summary>
    public string Observation { get; init; } = PoissonObservation;

    /// <summary>The <see cref="Observation"/> of LFADS on counts.</summary>
    public const string PoissonObservation = "poisson";

    /// <summary>The <see cref="Observation"/> of Gaussian LFADS.</summary>
    public const string GaussianObservationName = "gaussian";

    /// <summary>Units of each direction of the encoder GRU.</summary>
    public int EncoderUnits { get; init; } = 64;

    /// <summary>Units of the generator GRU (the size of g₀).</summary>
    public int GeneratorUnits { get; init; } = 64;

    /// <summary>Number of factors.</summary>
    public int Factors { get; init; } = 3;

    /// <summary>Variance of the prior N(μ, σ²) of each element of g₀; its mean μ is learned.</summary>
    public double PriorVariance { get; init; } = 0.1;

    /// <summary>Fraction of encoder inputs zeroed in training (inverted dropout).</summary>
    public double InputDropout { get; init; } = 0.05;

    /// <summary>Upper bound of the log-rate (log expected count per bin) before the exponential: the guard against overflow.</summary>
    public float MaxLogRate { get; init; } = 10f;

    /// <summary>Lower bound of the log-rate.</summary>
    public float MinLogRate { get; init; } = -20f;

    /// <summary>Upper bound of the posterior log-variance of g₀ before the exponential.</summary>
    public float MaxLogVariance { get; init; } = 5f;

    /// <summary>Lower bound of the posterior log-variance of g₀.</summary>
    public float MinLogVariance { get; init; } = -12f;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public LfadsOptions Validate()
    {
        if (Observation is not (PoissonObservation or GaussianObservationName))
            throw new ArgumentOutOfRangeException(nameof(Observation), Observation, $"must be {PoissonObservation} or {GaussianObservationName}");
        if (EncoderUnits < 1) throw new ArgumentOutOfRangeException(nameof(EncoderUnits), EncoderUnits, "must be ≥ 1");
        if (GeneratorUnits < 1) throw new ArgumentOutOfRangeException(nameof(GeneratorUnits), GeneratorUnits, "must be ≥ 1");
        if (Factors < 1) throw new ArgumentOutOfRangeException(nameof(Factors), Factors, "must be ≥ 1");
        if (!(PriorVariance > 0 && double.IsFinite(PriorVariance))) throw new ArgumentOutOfRangeException(nameof(PriorVariance), PriorVariance, "must be > 0");
        if (!(InputDropout >= 0 && InputDropout < 1)) throw new ArgumentOutOfRangeException(nameof(InputDropout), InputDropout, "must be in [0, 1)");
        if (!(MinLogRate < MaxLogRate)) throw new ArgumentOutOfRangeException(nameof(MinLogRate), MinLogRate, "must be below MaxLogRate");
        if (!(MinLogVariance < MaxLogVariance)) throw new ArgumentOutOfRangeException(nameof(MinLogVariance), MinLogVariance, "must be below MaxLogVariance");
        return this;
    }
}
