using DeepSpike.Engine;
using DeepSpike.Engine.Nn;

namespace DeepSpike.Dynamics;

/// <summary>
/// A bidirectional GRU over trials <c>[B, T, D]</c>: one GRU reads the bins forwards, another backwards, each from a zero
/// state, so that bin t's pair of states has seen the whole trial. Weights start uniform in ±1/√units.
/// </summary>
public sealed class BidirectionalGru : Module
{
    private readonly Tensor forwardInput, forwardInputBias, forwardHidden, forwardHiddenBias;
    private readonly Tensor backwardInput, backwardInputBias, backwardHidden, backwardHiddenBias;

    /// <summary>A new encoder from <paramref name="inputs"/> features to <paramref name="units"/> per direction.</summary>
    public BidirectionalGru(int inputs, int units, Random rng)
    {
        Units = units;
        float bound = 1f / MathF.Sqrt(units);
        (forwardInput, forwardInputBias, forwardHidden, forwardHiddenBias) = Weights(inputs, units, bound, rng);
        (backwardInput, backwardInputBias, backwardHidden, backwardHiddenBias) = Weights(inputs, units, bound, rng);
    }

    /// <summary>Units per direction.</summary>
    public int Units { get; }

    /// <summary>The states of both directions, each <c>[B, T, Units]</c>; the backward one at bin t has read bins t … T−1.</summary>
    public (Tensor Forward, Tensor Backward) Forward(Tensor input) =>
        (Ops.GruSequence(Projection(input, forwardInput, forwardInputBias), forwardHidden, forwardHiddenBias),
         Ops.GruSequence(Projection(input, backwardInput, backwardInputBias), backwardHidden, backwardHiddenBias, reverse: true));

    /// <summary>The last forward state and the first backward state concatenated, <c>[B, 2·Units]</c>: a summary of each trial.</summary>
    public Tensor Summary(Tensor input)
    {
        int b = input.Shape[0], t = input.Shape[1], e = Units;
        var (forward, backward) = Forward(input);
        return Ops.ConcatLast([Ops.SliceLast(Ops.Reshape(forward, b, t * e), (t - 1) * e, e), Ops.SliceLast(Ops.Reshape(backward, b, t * e), 0, e)]);
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        yield return ("forward.input_weight", forwardInput);
        yield return ("forward.input_bias", forwardInputBias);
        yield return ("forward.hidden_weight", forwardHidden);
        yield return ("forward.hidden_bias", forwardHiddenBias);
        yield return ("backward.input_weight", backwardInput);
        yield return ("backward.input_bias", backwardInputBias);
        yield return ("backward.hidden_weight", backwardHidden);
        yield return ("backward.hidden_bias", backwardHiddenBias);
    }

    // x [B, T, D] → x W + b as [B, T, 3H], the layout GruSequence takes.
    private static Tensor Projection(Tensor x, Tensor weight, Tensor bias)
    {
        int b = x.Shape[0], t = x.Shape[1];
        return Ops.Add(Ops.Reshape(Ops.MatMul(Ops.Reshape(x, b * t, x.Shape[2]), weight), b, t, weight.Shape[1]), bias);
    }

    private static (Tensor Input, Tensor InputBias, Tensor Hidden, Tensor HiddenBias) Weights(int inputs, int units, float bound, Random rng) =>
        (Tensor.Parameter(Init.Uniform(inputs * 3 * units, bound, rng), inputs, 3 * units),
         Tensor.Parameter(Init.Uniform(3 * units, bound, rng), 3 * units),
         Tensor.Parameter(Init.Uniform(units * 3 * units, bound, rng), units, 3 * units),
         Tensor.Parameter(Init.Uniform(3 * units, bound, rng), 3 * units));
}
