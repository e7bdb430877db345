namespace DeepSpike.Engine.Nn;

/// <summary>
/// Gated recurrent unit (Cho et al. 2014), one step for a batch: <c>x [B, in], h [B, H] → h' [B, H]</c>.
/// <c>r = σ(x W_r + b_r + h U_r + c_r)</c>, <c>z = σ(x W_z + b_z + h U_z + c_z)</c>,
/// <c>n = tanh(x W_n + b_n + r ⊙ (h U_n + c_n))</c>, <c>h' = (1 − z) ⊙ n + z ⊙ h</c>
/// (the PyTorch convention). The three gates share one matrix product per input.
/// </summary>
public sealed class GruCell : Module
{
    /// <summary>Creates the cell with uniform ±1/√H weights.</summary>
    public GruCell(int inputSize, int hiddenSize, Random rng)
    {
        HiddenSize = hiddenSize;
        float bound = 1f / MathF.Sqrt(hiddenSize);
        InputWeight = Tensor.Parameter(Init.Uniform(inputSize * 3 * hiddenSize, bound, rng), inputSize, 3 * hiddenSize);
        HiddenWeight = Tensor.Parameter(Init.Uniform(hiddenSize * 3 * hiddenSize, bound, rng), hiddenSize, 3 * hiddenSize);
        InputBias = Tensor.Parameter(Init.Uniform(3 * hiddenSize, bound, rng), 3 * hiddenSize);
        HiddenBias = Tensor.Parameter(Init.Uniform(3 * hiddenSize, bound, rng), 3 * hiddenSize);
    }

    /// <summary>Number of hidden units H.</summary>
    public int HiddenSize { get; }

    /// <summary><c>[in, 3H]</c>: columns r, z, n.</summary>
    public Tensor InputWeight { get; }

    /// <summary><c>[H, 3H]</c>: columns r, z, n.</summary>
    public Tensor HiddenWeight { get; }

    /// <summary><c>[3H]</c>.</summary>
    public Tensor InputBias { get; }

    /// <summary><c>[3H]</c>.</summary>
    public Tensor HiddenBias { get; }

    /// <summary>One step, composed from differentiable ops.</summary>
    public Tensor Forward(Tensor x, Tensor h)
    {
        int hs = HiddenSize;
        var gx = Ops.Add(Ops.MatMul(x, InputWeight), InputBias);
        var gh = Ops.Add(Ops.MatMul(h, HiddenWeight), HiddenBias);
        var r = Ops.Sigmoid(Ops.Add(Ops.SliceLast(gx, 0, hs), Ops.SliceLast(gh, 0, hs)));
        var z = Ops.Sigmoid(Ops.Add(Ops.SliceLast(gx, hs, hs), Ops.SliceLast(gh, hs, hs)));
        var n = Ops.Tanh(Ops.Add(Ops.SliceLast(gx, 2 * hs, hs), Ops.Mul(r, Ops.SliceLast(gh, 2 * hs, hs))));
        // h' = n + z ⊙ (h − n)
        return Ops.Add(n, Ops.Mul(z, Ops.Sub(h, n)));
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        yield return ("input_weight", InputWeight);
        yield return ("hidden_weight", HiddenWeight);
        yield return ("input_bias", InputBias);
        yield return ("hidden_bias", HiddenBias);
    }
}
