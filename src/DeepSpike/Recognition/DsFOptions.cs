namespace DeepSpike.Recognition;

/// <summary>
/// Architecture of the DS-F recognition network: hidden Conv1d layers with leaky ReLU, then a pointwise
/// output layer with a sigmoid (Speiser et al. 2017, §2.3). The default's receptive field spans
/// ±34 frames (0.57 s at 60 Hz), enough to see a GCaMP6 transient's rise and early decay.
/// </summary>
/// <param name="Channels">Filters per hidden layer.</param>
/// <param name="Kernels">Kernel size (odd) of each hidden layer.</param>
/// <param name="Dilations">Dilation of each hidden layer (same count as <paramref name="Kernels"/>).</param>
/// <param name="LeakySlope">Slope of the leaky ReLU for negative inputs.</param>
/// <param name="InitialRateHz">Firing rate the output bias starts at, so early samples are sparse.</param>
/// <param name="FrameRateHz">Frame rate the network is trained for.</param>
public sealed record DsFOptions(
    int Channels = 20,
    int[]? Kernels = null,
    int[]? Dilations = null,
    float LeakySlope = 0.1f,
    double InitialRateHz = 1.0,
    double FrameRateHz = 60)
{
    /// <summary>Kernel sizes, defaulted.</summary>
    public int[] Kernels { get; init; } = Kernels ?? [31, 11, 5, 5, 5];

    /// <summary>Dilations, defaulted.</summary>
    public int[] Dilations { get; init; } = Dilations ?? [1, 1, 2, 4, 1];

    /// <summary>More weights than any spike-inference network needs (~200 MB of floats); a model file asking for more is
    /// corrupt, and must say so instead of failing to allocate.</summary>
    internal const long MaxParameters = 50_000_000;

    /// <summary>Throws if a value is out of range (including architectures over <see cref="MaxParameters"/> weights).</summary>
    public DsFOptions Validate()
    {
        if (Channels < 1) throw new ArgumentOutOfRangeException(nameof(Channels), $"channels must be >= 1, got {Channels}");
        if (Kernels.Length == 0 || Kernels.Length != Dilations.Length)
            throw new ArgumentException($"need one dilation per hidden layer: {Kernels.Length} kernels, {Dilations.Length} dilations");
        foreach (var k in Kernels) if (k < 1 || k % 2 == 0) throw new ArgumentOutOfRangeException(nameof(Kernels), $"kernel sizes must be odd and >= 1, got {k}");
        foreach (var d in Dilations) if (d < 1) throw new ArgumentOutOfRangeException(nameof(Dilations), $"dilations must be >= 1, got {d}");
        if (!(LeakySlope >= 0 && LeakySlope < 1)) throw new ArgumentOutOfRangeException(nameof(LeakySlope), $"leaky slope must be in [0, 1), got {LeakySlope}");
        if (!(FrameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(FrameRateHz), $"frame rate must be > 0, got {FrameRateHz}");
        if (!(InitialRateHz > 0 && InitialRateHz < FrameRateHz)) throw new ArgumentOutOfRangeException(nameof(InitialRateHz), $"initial rate must be in (0, frame rate), got {InitialRateHz}");
        if (HiddenParameterCount > MaxParameters)
            throw new ArgumentOutOfRangeException(nameof(Channels), $"{Channels} channels with {Kernels.Length} layers of kernel sizes up to {Kernels.Max()} need more than {MaxParameters} weights");
        return this;
    }

    /// <summary>Weights and biases of the hidden layers: Σ_l (in_l · k_l + 1) · Channels, in_0 = 1, in_l = Channels;
    /// <see cref="long.MaxValue"/> once over <see cref="MaxParameters"/>.</summary>
    internal long HiddenParameterCount
    {
        get
        {
            long count = 0, inChannels = 1;
            foreach (int k in Kernels)
            {
                // In double: channels² · kernel can pass 2^63; the sum stops as soon as it passes the limit.
                double layer = ((double)inChannels * k + 1) * Channels;
                if (layer > MaxParameters || count + (long)layer > MaxParameters) return long.MaxValue;
                count += (long)layer;
                inChannels = Channels;
            }
            return count;
        }
    }

    /// <summary>Frames seen on each side of the predicted frame.</summary>
    public int HalfReceptiveField => Kernels.Zip(Dilations, (k, d) => d * (k - 1) / 2).Sum();
}
