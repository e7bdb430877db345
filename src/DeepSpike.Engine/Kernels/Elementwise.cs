using System.Numerics.Tensors;

namespace DeepSpike.Engine.Kernels;

/// <summary>Span-in, span-out elementwise kernels that <see cref="TensorPrimitives"/> lacks.</summary>
public static class Elementwise
{
    /// <summary>
    /// <c>y = max(x, 0) + ln(1 + e^−|x|)</c>, the overflow-free softplus, accurate to a few ulps relative
    /// over the whole float range (≈ eˣ for x ≪ 0, down to the subnormal range).
    /// </summary>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length != x.Length) throw new ArgumentException($"x and y must have equal lengths, got {x.Length} and {y.Length}");
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = MathF.Max(v, 0f) + Log1P(MathF.Exp(-MathF.Abs(v)));
        }
    }

    /// <summary><c>y = ln σ(x) = min(x, 0) − ln(1 + e^−|x|)</c>, accurate relative to |y| for all x (≈ −e^−x for x ≫ 0).</summary>
    public static void LogSigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length != x.Length) throw new ArgumentException($"x and y must have equal lengths, got {x.Length} and {y.Length}");
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = MathF.Min(v, 0f) - Log1P(MathF.Exp(-MathF.Abs(v)));
        }
    }

    /// <summary>
    /// <c>ln(1 + e)</c> for e ≥ 0 without the cancellation of <c>MathF.Log(1 + e)</c>, which returns 0 for
    /// e &lt; 6e-8 (e.g. softplus(−20) would be 0 instead of 2.1e-9). Uses Goldberg's correction
    /// <c>ln(u) · e / (u − 1)</c> with u = fl(1 + e) (Goldberg 1991, "What every computer scientist should know
    /// about floating-point arithmetic", Thm. 4), exact to a few ulps.
    /// </summary>
    internal static float Log1P(float e)
    {
        float u = 1f + e;
        return u == 1f ? e : MathF.Log(u) * e / (u - 1f);
    }

    /// <summary><c>y = x</c> for x &gt; 0, else <c>slope · x</c>. In place (x and y the same span) is allowed.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> y, float slope)
    {
        if (y.Length != x.Length) throw new ArgumentException("x and y must have equal lengths");
        // One SIMD pass; reads each vector before writing it, so x and y may be the same span.
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var scale = new System.Numerics.Vector<float>(slope);
            int width = System.Numerics.Vector<float>.Count;
            for (; i <= x.Length - width; i += width)
            {
                var v = new System.Numerics.Vector<float>(x.Slice(i, width));
                System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(v, System.Numerics.Vector<float>.Zero), v, v * scale)
                    .CopyTo(y.Slice(i, width));
            }
        }
        for (; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = v > 0 ? v : slope * v;
        }
    }
}
