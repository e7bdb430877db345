using System.Numerics.Tensors;

namespace DeepSpike.Engine;

/// <summary>
/// Differentiable tensor operations. Each op computes its forward value with SIMD kernels and, when a
/// <see cref="Tape"/> is recording, registers a backward closure that saves only what it needs.
/// </summary>
/// <remarks>
/// Binary ops broadcast in one restricted, cheap form: the operands have equal shapes, or one has a
/// single element, or one's shape equals the trailing dimensions of the other's (a bias <c>[H]</c> on
/// <c>[B, H]</c>, data <c>[B, T]</c> against samples <c>[K, B, T]</c>). The result has the larger shape.
/// </remarks>
public static partial class Ops
{
    /// <summary><c>a + b</c>, broadcasting as described on <see cref="Ops"/>.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var y = BroadcastResult(a, b, "Add");
        ForBlocks(a.Data, b.Data, y.Data, static (x1, x2, o) => TensorPrimitives.Add(x1, x2, o));
        Tape.Record(y, () =>
        {
            if (a.RequiresGrad) AccumulateReduced(a.GradSpan(), y.Grad!);
            if (b.RequiresGrad) AccumulateReduced(b.GradSpan(), y.Grad!);
        }, a, b);
        return y;
    }

    /// <summary><c>a − b</c>, broadcasting as described on <see cref="Ops"/>.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var y = BroadcastResult(a, b, "Sub");
        ForBlocks(a.Data, b.Data, y.Data, static (x1, x2, o) => TensorPrimitives.Subtract(x1, x2, o));
        Tape.Record(y, () =>
        {
            if (a.RequiresGrad) AccumulateReduced(a.GradSpan(), y.Grad!);
            if (b.RequiresGrad) AccumulateReduced(b.GradSpan(), y.Grad!, -1f);
        }, a, b);
        return y;
    }

    /// <summary><c>a · b</c> elementwise, broadcasting as described on <see cref="Ops"/>.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var y = BroadcastResult(a, b, "Mul");
        ForBlocks(a.Data, b.Data, y.Data, static (x1, x2, o) => TensorPrimitives.Multiply(x1, x2, o));
        Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            var tmp = new float[y.Length];
            if (a.RequiresGrad)
            {
                ForBlocks(dy, b.Data, tmp, static (g, x2, o) => TensorPrimitives.Multiply(g, x2, o));
                AccumulateReduced(a.GradSpan(), tmp);
            }
            if (b.RequiresGrad)
            {
                ForBlocks(dy, a.Data, tmp, static (g, x1, o) => TensorPrimitives.Multiply(g, x1, o));
                AccumulateReduced(b.GradSpan(), tmp);
            }
        }, a, b);
        return y;
    }

    /// <summary><c>a / b</c> elementwise, broadcasting as described on <see cref="Ops"/>. No guard against b = 0.</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var y = BroadcastResult(a, b, "Div");
        ForBlocks(a.Data, b.Data, y.Data, static (x1, x2, o) => TensorPrimitives.Divide(x1, x2, o));
        Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            var tmp = new float[y.Length];
            // d/da = dy / b ; d/db = −dy · y / b
            ForBlocks(dy, b.Data, tmp, static (g, x2, o) => TensorPrimitives.Divide(g, x2, o));
            if (a.RequiresGrad) AccumulateReduced(a.GradSpan(), tmp);
            if (b.RequiresGrad)
            {
                TensorPrimitives.Multiply(tmp, y.Data, tmp);
                AccumulateReduced(b.GradSpan(), tmp, -1f);
            }
        }, a, b);
        return y;
    }

    private delegate void BlockKernel(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output);

    /// <summary>Output tensor for a broadcasting binary op, after checking the shapes are compatible.</summary>
    private static Tensor BroadcastResult(Tensor a, Tensor b, string op)
    {
        // With equal lengths the higher-rank shape is the result ([3] with [1, 3] gives [1, 3] either way round).
        if (a.Length > b.Length || (a.Length == b.Length && a.Rank >= b.Rank))
        {
            if (!IsSuffix(b, a)) throw ShapeMismatch(op, a, b);
            return Tensor.Zeros((int[])a.Shape.Clone());
        }
        if (!IsSuffix(a, b)) throw ShapeMismatch(op, a, b);
        return Tensor.Zeros((int[])b.Shape.Clone());
    }

    private static bool IsSuffix(Tensor small, Tensor big)
    {
        if (small.Length == 1) return true;
        if (small.Rank > big.Rank) return false;
        for (int i = 1; i <= small.Rank; i++)
            if (small.Shape[^i] != big.Shape[^i]) return false;
        return true;
    }

    private static ArgumentException ShapeMismatch(string op, Tensor a, Tensor b) =>
        new($"{op}: shapes [{a.ShapeString}] and [{b.ShapeString}] do not broadcast (equal, scalar, or trailing dimensions)");

    /// <summary>
    /// Runs <paramref name="kernel"/> over blocks of the output, where the shorter operand repeats once per
    /// block (or is a scalar, passed as a broadcast span of the block's length).
    /// </summary>
    private static void ForBlocks(float[] a, float[] b, float[] output, BlockKernel kernel)
    {
        int n = output.Length;
        if (a.Length == n && b.Length == n) { kernel(a, b, output); return; }
        if (a.Length == 1 || b.Length == 1)
        {
            // Broadcast the scalar through a pooled span of its value: keeps one kernel signature.
            var full = System.Buffers.ArrayPool<float>.Shared.Rent(n);
            try
            {
                var s = full.AsSpan(0, n);
                if (a.Length == 1) { s.Fill(a[0]); kernel(s, b, output); }
                else { s.Fill(b[0]); kernel(a, s, output); }
            }
            finally { System.Buffers.ArrayPool<float>.Shared.Return(full); }
            return;
        }
        int m = Math.Min(a.Length, b.Length);
        for (int r = 0; r < n / m; r++)
        {
            var aBlock = a.Length == n ? a.AsSpan(r * m, m) : a.AsSpan();
            var bBlock = b.Length == n ? b.AsSpan(r * m, m) : b.AsSpan();
            kernel(aBlock, bBlock, output.AsSpan(r * m, m));
        }
    }

    /// <summary>Adds <c>scale · full</c> into <paramref name="target"/>, summing the repeats when target is shorter.</summary>
    internal static void AccumulateReduced(Span<float> target, ReadOnlySpan<float> full, float scale = 1f)
    {
        int m = target.Length;
        if (m == full.Length)
        {
            if (scale == 1f) TensorPrimitives.Add(target, full, target);
            else TensorPrimitives.MultiplyAdd(full, scale, target, target);
            return;
        }
        if (m == 1)
        {
            target[0] += scale * TensorPrimitives.Sum(full);
            return;
        }
        for (int r = 0; r < full.Length / m; r++)
            TensorPrimitives.MultiplyAdd(full.Slice(r * m, m), scale, target, target);
    }
}
