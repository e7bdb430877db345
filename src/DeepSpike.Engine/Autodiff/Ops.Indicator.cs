using System.Numerics.Tensors;

namespace DeepSpike.Engine;

public static partial class Ops
{
    /// <summary>
    /// Calcium-indicator binding dynamics along the last dimension (Speiser et al. 2017, eq. 3), for every
    /// row of <paramref name="calcium"/> <c>[..., T]</c>:
    /// <c>d_t = d_{t−1} + κ_on c_t^η ([D] − d_{t−1}) − κ_off d_{t−1}</c>, i.e. with <c>a_t = κ_on c_t^η</c>,
    /// <c>d_t = (1 − a_t − κ_off) d_{t−1} + a_t [D]</c>. Returns the bound dye d, shaped like the calcium.
    /// </summary>
    /// <param name="calcium">Calcium c <c>[..., T]</c>. Where c ≤ 0, <c>c^η</c> is defined as 0 with zero
    /// gradient (the limit for η &gt; 0, as <see cref="Pow(Tensor, Tensor)"/>).</param>
    /// <param name="kOn">Binding rate κ_on ≥ 0 per frame, one value.</param>
    /// <param name="kOff">Unbinding rate κ_off ≥ 0 per frame, one value.</param>
    /// <param name="hill">Hill coefficient η &gt; 0, one value.</param>
    /// <param name="dyeTotal">Total dye concentration [D] ≥ 0, one value.</param>
    /// <param name="initial">Bound dye before the first frame, <c>d_{−1}</c>: one value or one per row. If
    /// null, <c>d_{−1} = 0</c>, the steady state for zero calcium (matching <see cref="ArFilter"/>, whose
    /// state before the first frame is 0 when it has no initial value).</param>
    /// <remarks>
    /// <para>The update is the paper's explicit (forward-Euler) step: d stays in <c>[0, [D]]</c> and relaxes
    /// without oscillation while <c>κ_on c_t^η + κ_off ≤ 1</c>; beyond that it overshoots, and the op
    /// computes the recursion as written. NaN in any input propagates to the output.</para>
    /// <para>Fused because composing it from per-frame ops would record T tape entries per op. Backward
    /// runs the adjoint recursion backwards in time, <c>λ_t = ∂L/∂d_t + (1 − a_{t+1} − κ_off) λ_{t+1}</c>,
    /// then ∂L/∂a_t = λ_t ([D] − d_{t−1}), giving ∂L/∂c_t = ∂L/∂a_t · κ_on η c_t^{η−1},
    /// ∂L/∂κ_on = Σ ∂L/∂a_t c_t^η, ∂L/∂η = Σ ∂L/∂a_t a_t ln c_t (both over c_t &gt; 0),
    /// ∂L/∂κ_off = −Σ λ_t d_{t−1}, ∂L/∂[D] = Σ λ_t a_t and ∂L/∂d_{−1} = λ_0 (1 − a_0 − κ_off).
    /// It saves the output and <c>c^η</c>.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">A rate, η or [D] does not have exactly one value, or
    /// <paramref name="initial"/> has neither one value nor one per row.</exception>
    /// <exception cref="ArgumentOutOfRangeException">κ_on, κ_off or [D] is negative, or η ≤ 0.</exception>
    public static Tensor IndicatorBinding(Tensor calcium, Tensor kOn, Tensor kOff, Tensor hill, Tensor dyeTotal, Tensor? initial = null)
    {
        int frames = calcium.Dim(-1), rows = calcium.Length / Math.Max(frames, 1);
        RequireScalar(kOn, nameof(kOn));
        RequireScalar(kOff, nameof(kOff));
        RequireScalar(hill, nameof(hill));
        RequireScalar(dyeTotal, nameof(dyeTotal));
        if (initial is not null && initial.Length != rows && initial.Length != 1)
            throw new ArgumentException($"IndicatorBinding: initial state [{initial.ShapeString}] must have one value or one per row of calcium [{calcium.ShapeString}] ({rows})", nameof(initial));
        float on = kOn.Data[0], off = kOff.Data[0], eta = hill.Data[0], total = dyeTotal.Data[0];
        if (on < 0) throw new ArgumentOutOfRangeException(nameof(kOn), $"IndicatorBinding: binding rate κ_on must be >= 0, got {on}");
        if (off < 0) throw new ArgumentOutOfRangeException(nameof(kOff), $"IndicatorBinding: unbinding rate κ_off must be >= 0, got {off}");
        if (eta <= 0) throw new ArgumentOutOfRangeException(nameof(hill), $"IndicatorBinding: Hill coefficient η must be > 0, got {eta}");
        if (total < 0) throw new ArgumentOutOfRangeException(nameof(dyeTotal), $"IndicatorBinding: total dye [D] must be >= 0, got {total}");

        var y = Tensor.Zeros((int[])calcium.Shape.Clone());
        var power = new float[calcium.Length];
        HillPower(calcium.Data, eta, power);
        for (int r = 0; r < rows; r++)
        {
            float d = InitialDye(initial, r);
            var pr = power.AsSpan(r * frames, frames);
            var dr = y.Data.AsSpan(r * frames, frames);
            for (int t = 0; t < frames; t++)
            {
                float a = on * pr[t];
                d = (1f - a - off) * d + a * total;
                dr[t] = d;
            }
        }

        var inputs = new List<Tensor> { calcium, kOn, kOff, hill, dyeTotal };
        if (initial is not null) inputs.Add(initial);
        Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            var ds = y.Data;
            var cs = calcium.Data;
            // ∂L/∂a_t per element; the parameter gradients are sums over it, accumulated in double.
            var dA = new float[calcium.Length];
            double dOff = 0, dTotal = 0;
            for (int r = 0; r < rows; r++)
            {
                int o = r * frames;
                float h = InitialDye(initial, r);
                float lambda = 0;
                for (int t = frames - 1; t >= 0; t--)
                {
                    lambda = dy[o + t] + (t + 1 < frames ? (1f - on * power[o + t + 1] - off) * lambda : 0f);
                    float previous = t > 0 ? ds[o + t - 1] : h;
                    float a = on * power[o + t];
                    dA[o + t] = lambda * (total - previous);
                    dOff -= (double)lambda * previous;
                    dTotal += (double)lambda * a;
                    if (t == 0 && initial is not null && initial.RequiresGrad)
                        initial.GradSpan()[initial.Length == 1 ? 0 : r] += lambda * (1f - a - off);
                }
            }
            if (calcium.RequiresGrad)
            {
                var g = calcium.GradSpan();
                for (int i = 0; i < cs.Length; i++)
                    if (cs[i] > 0) g[i] += dA[i] * on * eta * power[i] / cs[i];
            }
            if (kOn.RequiresGrad) kOn.GradSpan()[0] += TensorPrimitives.Dot(dA, power);
            if (hill.RequiresGrad)
            {
                double dEta = 0;
                for (int i = 0; i < cs.Length; i++)
                    if (cs[i] > 0) dEta += (double)dA[i] * on * power[i] * MathF.Log(cs[i]);
                hill.GradSpan()[0] += (float)dEta;
            }
            if (kOff.RequiresGrad) kOff.GradSpan()[0] += (float)dOff;
            if (dyeTotal.RequiresGrad) dyeTotal.GradSpan()[0] += (float)dTotal;
        }, inputs);
        return y;
    }

    private static void RequireScalar(Tensor t, string name)
    {
        if (t.Length != 1) throw new ArgumentException($"IndicatorBinding: {name} must have one value, got shape [{t.ShapeString}]", name);
    }

    private static float InitialDye(Tensor? initial, int row) =>
        initial is null ? 0f : initial.Data[initial.Length == 1 ? 0 : row];

    /// <summary><c>c^η</c> elementwise, 0 where c ≤ 0: <c>exp(η ln c)</c> vectorised, then the non-positive entries zeroed.</summary>
    private static void HillPower(ReadOnlySpan<float> c, float eta, Span<float> power)
    {
        TensorPrimitives.Log(c, power);
        TensorPrimitives.Multiply(power, eta, power);
        TensorPrimitives.Exp(power, power);
        for (int i = 0; i < c.Length; i++)
            if (c[i] <= 0) power[i] = 0f; // ln c is −∞ or NaN there; NaN calcium stays NaN
    }
}
