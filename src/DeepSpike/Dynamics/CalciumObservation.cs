using DeepSpike.Engine;
using DeepSpike.Engine.Nn;

namespace DeepSpike.Dynamics;

/// <summary>
/// The bottom of <see cref="LadderLfads"/>: calcium <c>y_t = γ y_{t−1} + s_t</c> (γ fixed, from 0 before the first bin) and
/// fluorescence <c>F_t = α y_t + β + N(0, σ²)</c> with α, β and σ² learned per cell (starting at 1, 0 and 0.2²). It scores
/// spikes given only the means and variances of a posterior that is independent across bins: y is linear in s, so
/// <c>E[y] = AR_γ(E[s])</c>, <c>Var[y] = AR_γ²(Var[s])</c>, and the expected log-likelihood is exact.
/// </summary>
public sealed class CalciumObservation : Module
{
    private const float MinLogVariance = -12f, MaxLogVariance = 5f, MaxLogAmplitude = 10f;
    private readonly Tensor logAmplitude, offset, logNoiseVariance;
    private readonly Tensor decay, decaySquared;

    /// <summary>A new observation model for <paramref name="channels"/> cells with calcium decay <paramref name="decayPerBin"/>.</summary>
    public CalciumObservation(int channels, double decayPerBin)
    {
        logAmplitude = Tensor.Parameter(new float[channels], channels);
        offset = Tensor.Parameter(new float[channels], channels);
        logNoiseVariance = Tensor.Parameter(Enumerable.Repeat(MathF.Log(0.04f), channels).ToArray(), channels);
        decay = new Tensor([(float)decayPerBin], 1);
        decaySquared = new Tensor([(float)(decayPerBin * decayPerBin)], 1);
    }

    /// <summary>
    /// For spike means <paramref name="spikeMean"/> and variances <paramref name="spikeVariance"/> (each <c>[B, T, N]</c>, a
    /// posterior independent across bins and cells): the mean calcium E[y], the predicted fluorescence E[αy + β], and
    /// <c>−E[log p(F | s)] = ½ Σ [((F − E[αy + β])² + α² Var[y]) / σ² + ln σ² + ln 2π]</c> summed over everything.
    /// </summary>
    public (Tensor Calcium, Tensor Fluorescence, Tensor NegativeLogLikelihood) Evaluate(Tensor spikeMean, Tensor spikeVariance, Tensor fluorescence)
    {
        int b = fluorescence.Shape[0], t = fluorescence.Shape[1], n = fluorescence.Shape[2];
        // Calcium runs along bins: filter cell-major rows and swap back.
        var calcium = Ops.SwapLastTwo(Ops.ArFilter(Ops.SwapLastTwo(spikeMean), decay));
        var calciumVariance = Ops.SwapLastTwo(Ops.ArFilter(Ops.SwapLastTwo(spikeVariance), decaySquared));
        var amplitude = Ops.Exp(Ops.Clamp(logAmplitude, -MaxLogAmplitude, MaxLogAmplitude));
        var predicted = Ops.Add(Ops.Mul(calcium, amplitude), offset);

        var noise = Ops.Clamp(logNoiseVariance, MinLogVariance, MaxLogVariance);
        var squared = Ops.Add(Ops.Square(Ops.Sub(fluorescence, predicted)), Ops.Mul(calciumVariance, Ops.Square(amplitude)));
        var scaled = Ops.Sum(Ops.Mul(squared, Ops.Exp(Ops.Neg(noise))));
        var nll = Ops.Scale(Ops.Add(scaled, Ops.Scale(Ops.Sum(noise), b * t)), 0.5f);
        return (calcium, predicted, Ops.AddScalar(nll, (float)(0.5 * b * t * n * Math.Log(2 * Math.PI))));
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        yield return ("log_amplitude", logAmplitude);
        yield return ("offset", offset);
        yield return ("log_noise_variance", logNoiseVariance);
    }
}
