using System.Numerics.Tensors;

namespace DeepSpike.Engine;

public static partial class Ops
{
    /// <summary>Sum of all values, as a one-element tensor.</summary>
    public static Tensor Sum(Tensor x)
    {
        var y = Tensor.Scalar(TensorPrimitives.Sum(x.Data));
        Tape.Record(y, () => TensorPrimitives.Add(x.GradSpan(), y.Grad![0], x.GradSpan()), x);
        return y;
    }

    /// <summary>Mean of all values, as a one-element tensor.</summary>
    public static Tensor Mean(Tensor x) => Scale(Sum(x), 1f / x.Length);

    /// <summary>Sum over dimension <paramref name="axis"/> (negative counts from the end); that dimension is removed.</summary>
    public static Tensor Sum(Tensor x, int axis)
    {
        var (outer, n, inner, shape) = SplitAt(x, axis);
        var y = Tensor.Zeros(shape);
        for (int o = 0; o < outer; o++)
        {
            var dst = y.Data.AsSpan(o * inner, inner);
            for (int j = 0; j < n; j++)
                TensorPrimitives.Add(dst, x.Data.AsSpan((o * n + j) * inner, inner), dst);
        }
        Tape.Record(y, () =>
        {
            var g = x.GradSpan();
            for (int o = 0; o < outer; o++)
            {
                var src = y.Grad.AsSpan(o * inner, inner);
                for (int j = 0; j < n; j++)
                {
                    var dst = g.Slice((o * n + j) * inner, inner);
                    TensorPrimitives.Add(dst, src, dst);
                }
            }
        }, x);
        return y;
    }

    /// <summary>
    /// <c>ln Σ exp(x)</c> over dimension <paramref name="axis"/>, stabilised by the maximum. That dimension is
    /// removed. Backward: dx = dy · softmax(x) along the axis. All −∞ gives −∞ with zero gradient.
    /// </summary>
    public static Tensor LogSumExp(Tensor x, int axis)
    {
        var (outer, n, inner, shape) = SplitAt(x, axis);
        var y = Tensor.Zeros(shape);
        var xs = x.Data;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                float max = float.NegativeInfinity;
                for (int j = 0; j < n; j++) max = MathF.Max(max, xs[(o * n + j) * inner + i]);
                if (float.IsNegativeInfinity(max)) { y.Data[o * inner + i] = max; continue; }
                double s = 0;
                for (int j = 0; j < n; j++) s += Math.Exp(xs[(o * n + j) * inner + i] - max);
                y.Data[o * inner + i] = max + (float)Math.Log(s);
            }
        Tape.Record(y, () =>
        {
            var g = x.GradSpan();
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    float lse = y.Data[o * inner + i], dy = y.Grad![o * inner + i];
                    if (float.IsNegativeInfinity(lse)) continue;
                    for (int j = 0; j < n; j++)
                    {
                        int k = (o * n + j) * inner + i;
                        g[k] += dy * MathF.Exp(xs[k] - lse);
                    }
                }
        }, x);
        return y;
    }

    /// <summary>Splits x's shape into (product before axis, axis size, product after axis, shape without axis).</summary>
    private static (int Outer, int N, int Inner, int[] Shape) SplitAt(Tensor x, int axis)
    {
        int a = axis < 0 ? x.Rank + axis : axis;
        if (a < 0 || a >= x.Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} is out of range for shape [{x.ShapeString}]");
        int outer = Tensor.Product(x.Shape.AsSpan(0, a));
        int inner = Tensor.Product(x.Shape.AsSpan(a + 1));
        int[] shape = x.Rank == 1 ? [1] : [.. x.Shape[..a], .. x.Shape[(a + 1)..]];
        return (outer, x.Shape[a], inner, shape);
    }
}
