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

    /// <summary>Input channels.</summary>
    public int InChannels => Weight.Shape[1];

    /// <summary>Output channels.</summary>
    public int OutChannels => Weight.Shape[0];

    /// <summary>
    /// Inference without a tape or allocation: <paramref name="y"/> <c>[Cout, frames]</c> = bias + conv of
    /// <paramref name="x"/> <c>[Cin, frames]</c> (one sequence). The spans must not overlap.
    /// </summary>
    public void ForwardInto(ReadOnlySpan<float> x, Span<float> y, int frames)
    {
        int cout = OutChannels, cin = InChannels;
        if (x.Length < cin * frames || y.Length < cout * frames)
            throw new ArgumentException($"ForwardInto: need {cin}×{frames} inputs and {cout}×{frames} outputs, got {x.Length} and {y.Length}");
        for (int o = 0; o < cout; o++) y.Slice(o * frames, frames).Fill(Bias.Data[o]);
        Kernels.Conv1dKernel.Forward(x, Weight.Data, y, cin, cout, frames, Weight.Shape[2], Dilation);
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        yield return ("weight", Weight);
        yield return ("bias", Bias);
    }
}
