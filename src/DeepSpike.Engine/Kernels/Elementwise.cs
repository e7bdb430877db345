using System.Numerics.Tensors;

namespace DeepSpike.Engine.Kernels;

/// <summary>Span-in, span-out elementwise kernels that <see cref="TensorPrimitives"/> lacks.</summary>
public static class Elementwise
{
    /// <summary><c>y = max(x, 0) + ln(1 + e^−|x|)</c>, the overflow-free softplus.</summary>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("x and y must have equal lengths");
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = MathF.Max(v, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(v)));
        }
    }

    /// <summary><c>y = ln σ(x) = min(x, 0) − ln(1 + e^−|x|)</c>.</summary>
    public static void LogSigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("x and y must have equal lengths");
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = MathF.Min(v, 0f) - MathF.Log(1f + MathF.Exp(-MathF.Abs(v)));
        }
    }

    /// <summary><c>y = x</c> for x &gt; 0, else <c>slope · x</c>.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> y, float slope)
    {
        if (y.Length != x.Length) throw new ArgumentException("x and y must have equal lengths");
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = v > 0 ? v : slope * v;
        }
    }
}
