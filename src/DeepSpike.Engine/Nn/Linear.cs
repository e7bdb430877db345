namespace DeepSpike.Engine.Nn;

/// <summary>Affine layer <c>y = x W + b</c>: <c>[B, in] → [B, out]</c>.</summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer with uniform ±1/√in weights and zero bias.</summary>
    public Linear(int inFeatures, int outFeatures, Random rng)
    {
        Weight = Tensor.Parameter(Init.Uniform(inFeatures * outFeatures, 1f / MathF.Sqrt(inFeatures), rng), inFeatures, outFeatures);
        Bias = Tensor.Parameter(new float[outFeatures], outFeatures);
    }

    /// <summary>Weights <c>[in, out]</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>Bias <c>[out]</c>.</summary>
    public Tensor Bias { get; }

    /// <summary>Applies the layer.</summary>
    public Tensor Forward(Tensor x) => Ops.Add(Ops.MatMul(x, Weight), Bias);

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        yield return ("weight", Weight);
        yield return ("bias", Bias);
    }
}
