namespace DeepSpike.Engine.Nn;

/// <summary>
/// 1-D convolution layer with 'same' padding and dilation: <c>[B, Cin, T] → [B, Cout, T]</c>.
/// Receptive field: <c>dilation · (kernel − 1) + 1</c> frames, centred.
/// </summary>
public sealed class Conv1dLayer : Module
{
    /// <summary>Creates the layer with Kaiming-uniform weights (for the given leaky slope) and zero bias.</summary>
    public Conv1dLayer(int inChannels, int outChannels, int kernel, int dilation, Random rng, float leakySlope = 0f)
    {
        if (kernel < 1 || kernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernel), $"kernel must be odd and >= 1, got {kernel}");
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), $"dilation must be >= 1, got {dilation}");
        Weight = Tensor.Parameter(Init.KaimingUniform(outChannels * inChannels * kernel, inChannels * kernel, rng, leakySlope), outChannels, inChannels, kernel);
        Bias = Tensor.Parameter(new float[outChannels], outChannels);
        Dilation = dilation;
    }

    /// <summary>Weights <c>[Cout, Cin, kernel]</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>Bias <c>[Cout]</c>.</summary>
    public Tensor Bias { get; }

    /// <summary>Spacing between taps, in frames.</summary>
    public int Dilation { get; }

    /// <summary>Applies the convolution.</summary>
    public Tensor Forward(Tensor x) => Ops.Conv1d(x, Weight, Bias, Dilation);

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        yield return ("weight", Weight);
        yield return ("bias", Bias);
    }
}
