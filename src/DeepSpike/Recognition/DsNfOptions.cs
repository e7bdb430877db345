namespace DeepSpike.Recognition;

/// <summary>
/// Architecture of the DS-NF recognition network (Speiser et al. 2017, §2.3): the DS-F convolutional trunk
/// (its hidden layers only), a backward deterministic GRU over the CNN features, and a forward stochastic
/// GRU fed the previous sample and probability, read out by a dense sigmoid layer on
/// [forward state, CNN features]. The paper uses 64 units in each GRU and averages 30 samples for marginals.
/// </summary>
/// <param name="Cnn">The trunk: channels, kernels, dilations, leaky slope, and the initial rate and frame
/// rate (which set the readout bias, as for DS-F's output layer). Null means DS-F's defaults.</param>
/// <param name="BackwardUnits">Units of the backward (deterministic) GRU.</param>
/// <param name="ForwardUnits">Units of the forward (stochastic) GRU.</param>
/// <param name="MarginalSamples">Samples averaged by <see cref="DsNf.Marginals"/> to estimate per-frame spike probabilities.</param>
public sealed record DsNfOptions(
    DsFOptions? Cnn = null,
    int BackwardUnits = 64,
    int ForwardUnits = 64,
    int MarginalSamples = 30)
{
    /// <summary>The trunk, defaulted.</summary>
    public DsFOptions Cnn { get; init; } = Cnn ?? new DsFOptions();

    /// <summary>Throws if a value is out of range.</summary>
    public DsNfOptions Validate()
    {
        Cnn.Validate();
        if (BackwardUnits < 1) throw new ArgumentOutOfRangeException(nameof(BackwardUnits), $"backward GRU units must be >= 1, got {BackwardUnits}");
        if (ForwardUnits < 1) throw new ArgumentOutOfRangeException(nameof(ForwardUnits), $"forward GRU units must be >= 1, got {ForwardUnits}");
        if (MarginalSamples < 1) throw new ArgumentOutOfRangeException(nameof(MarginalSamples), $"marginal samples must be >= 1, got {MarginalSamples}");
        // GRU weights: 3·H·(inputs + H + 2) per cell; the forward cell's inputs are C + backward units + 2.
        double gruParameters = 3.0 * BackwardUnits * ((double)Cnn.Channels + BackwardUnits + 2)
            + 3.0 * ForwardUnits * ((double)Cnn.Channels + BackwardUnits + 2 + ForwardUnits + 2);
        if (Cnn.HiddenParameterCount + gruParameters > DsFOptions.MaxParameters)
            throw new ArgumentOutOfRangeException(BackwardUnits >= ForwardUnits ? nameof(BackwardUnits) : nameof(ForwardUnits), $"GRUs of {BackwardUnits} and {ForwardUnits} units on {Cnn.Channels} channels need more than {DsFOptions.MaxParameters} weights");
        return this;
    }
}
