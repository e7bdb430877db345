using DeepSpike.Engine;
using DeepSpike.Engine.Nn;

namespace DeepSpike.Dynamics;

/// <summary>
/// Gaussian LFADS's observation model (Prince &amp; Richards 2019, the "Gaussian LFADS" baseline): each cell's rates pass
/// through one causal convolution of <see cref="Kernel"/> bins, shared by all cells, whose two output channels are the mean
/// and the log-variance of that cell's fluorescence: <c>F_t ~ N(Σ_{k&lt;K} w_k r_{t−k} + b, e^{ℓ_t})</c>.
/// </summary>
/// <remarks>
/// The engine's convolution pads symmetrically, so the kernel is stored with 2K − 1 taps and the K − 1 that would look
/// ahead are held at zero by a constant mask. The mean channel starts as an AR(1) calcium kernel (decay 0.75 per bin)
/// and the log-variance at ln 0.04, so training starts from a plausible fluorescence.
/// </remarks>
public sealed class GaussianObservation : Module
{
    /// <summary>Causal kernel length in bins.</summary>
    public const int Kernel = 5;

    private const float MinLogVariance = -12f, MaxLogVariance = 5f;
    private readonly Tensor weight, bias, causalMask;

    /// <summary>A new observation model with the starting kernel described above.</summary>
    public GaussianObservation()
    {
        int taps = 2 * Kernel - 1;
        var w = new float[2 * taps];
        // Tap k multiplies r[t + k − (K − 1)]: the mean channel's taps K − 1 − j weigh r[t − j] by 0.75^j.
        for (int j = 0; j < Kernel; j++) w[Kernel - 1 - j] = MathF.Pow(0.75f, j);
        weight = Tensor.Parameter(w, 2, 1, taps);
        bias = Tensor.Parameter([0f, MathF.Log(0.04f)], 2);
        var mask = new float[2 * taps];
        for (int c = 0; c < 2; c++)
            for (int k = 0; k < Kernel; k++) mask[c * taps + k] = 1;
        causalMask = new Tensor(mask, 2, 1, taps);
    }

    /// <summary>Mean and log-variance of the fluorescence, each <c>[B·N, T]</c> (row b·N + n is cell n of trial b).</summary>
    public (Tensor Mean, Tensor LogVariance) Moments(Tensor logRates)
    {
        int b = logRates.Shape[0], t = logRates.Shape[1], n = logRates.Shape[2];
        var rates = Ops.Reshape(Ops.SwapLastTwo(Ops.Exp(logRates)), b * n, 1, t);
        var moments = Ops.Reshape(Ops.Conv1d(rates, Ops.Mul(weight, causalMask), bias), b * n, 2 * t);
        return (Ops.SliceLast(moments, 0, t), Ops.Clamp(Ops.SliceLast(moments, t, t), MinLogVariance, MaxLogVariance));
    }

    /// <summary>
    /// −log p(F | rates) summed over every trial, cell and bin: <c>½ Σ [(F − μ)² e^{−ℓ} + ℓ + ln 2π]</c>, with
    /// <paramref name="fluorescence"/> <c>[B, T, N]</c> like <paramref name="logRates"/>.
    /// </summary>
    public Tensor NegativeLogLikelihood(Tensor logRates, Tensor fluorescence)
    {
        var (mean, logVariance) = Moments(logRates);
        int b = fluorescence.Shape[0], t = fluorescence.Shape[1], n = fluorescence.Shape[2];
        var observed = Ops.Reshape(Ops.SwapLastTwo(fluorescence), b * n, t);
        var scaled = Ops.Mul(Ops.Square(Ops.Sub(observed, mean)), Ops.Exp(Ops.Neg(logVariance)));
        return Ops.Scale(Ops.AddScalar(Ops.Sum(Ops.Add(scaled, logVariance)), (float)(b * n * t * Math.Log(2 * Math.PI))), 0.5f);
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        yield return ("weight", weight);
        yield return ("bias", bias);
    }
}
