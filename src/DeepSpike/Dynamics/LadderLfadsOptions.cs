namespace DeepSpike.Dynamics;

/// <summary>
/// Architecture of <see cref="LadderLfads"/>: an LFADS layer (<see cref="Deep"/>, reading the fluorescence) over a layer of
/// discrete spike counts, calcium and fluorescence.
/// </summary>
public sealed record LadderLfadsOptions
{
    /// <summary>The LFADS layer; its observation must be <see cref="LfadsOptions.PoissonObservation"/> (its rates are the spikes' prior).</summary>
    public LfadsOptions Deep { get; init; } = new();

    /// <summary>Units of each direction of the spike layer's encoder GRU.</summary>
    public int SpikeEncoderUnits { get; init; } = 64;

    /// <summary>Largest spike count per bin the posterior can place mass on.</summary>
    public int MaxCount { get; init; } = 5;

    /// <summary>Calcium decay per bin, γ in <c>y_t = γ y_{t−1} + s_t</c> (0.75 at 0.1 s bins is the paper's τ ≈ 0.35–0.4 s).</summary>
    public double CalciumDecay { get; init; } = 0.75;

    /// <summary>
    /// Steps during which the LFADS layer is frozen and the spikes' prior is a constant rate per cell, so the spike layer
    /// first learns to explain the fluorescence; the LFADS layer's KL and L2 warm-up starts here.
    /// </summary>
    public int UnfreezeStep { get; init; } = 400;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public LadderLfadsOptions Validate()
    {
        Deep.Validate();
        if (Deep.Observation != LfadsOptions.PoissonObservation)
            throw new ArgumentOutOfRangeException(nameof(Deep), Deep.Observation, "the LFADS layer of Ladder LFADS has Poisson rates");
        if (SpikeEncoderUnits < 1) throw new ArgumentOutOfRangeException(nameof(SpikeEncoderUnits), SpikeEncoderUnits, "must be ≥ 1");
        if (MaxCount < 1) throw new ArgumentOutOfRangeException(nameof(MaxCount), MaxCount, "must be ≥ 1");
        if (!(CalciumDecay >= 0 && CalciumDecay < 1)) throw new ArgumentOutOfRangeException(nameof(CalciumDecay), CalciumDecay, "must be in [0, 1)");
        if (UnfreezeStep < 0) throw new ArgumentOutOfRangeException(nameof(UnfreezeStep), UnfreezeStep, "must be ≥ 0");
        return this;
    }
}
