namespace DeepSpike.Engine;

public static partial class Ops
{
    /// <summary>The same values under a new shape (copied, so the result owns its data).</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        if (shape.Any(d => d < 0) || (shape.Length > 0 && Tensor.Product(shape) != x.Length))
            throw new ArgumentException($"Reshape: cannot view [{x.ShapeString}] ({x.Length} values) as [{string.Join(", ", shape)}]");
        var y = new Tensor((float[])x.Data.Clone(), shape);
        Tape.Record(y, () => AccumulateReduced(x.GradSpan(), y.Grad!), x);
        return y;
    }

    /// <summary>
    /// Frames <c>[start, start + length)</c> of the last (time) dimension; other dimensions kept.
    /// </summary>
    public static Tensor SliceLast(Tensor x, int start, int length)
    {
        int t = x.Dim(-1);
        if (start < 0 || length < 0 || start + length > t)
            throw new ArgumentOutOfRangeException(nameof(start), $"slice [{start}, {start + length}) is outside the last dimension of size {t}");
        int rows = x.Length / Math.Max(t, 1);
        int[] shape = [.. x.Shape[..^1], length];
        var y = Tensor.Zeros(shape);
        for (int r = 0; r < rows; r++)
            x.Data.AsSpan(r * t + start, length).CopyTo(y.Data.AsSpan(r * length, length));
        Tape.Record(y, () =>
        {
            var g = x.GradSpan();
            for (int r = 0; r < rows; r++)
            {
                var dst = g.Slice(r * t + start, length);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, y.Grad.AsSpan(r * length, length), dst);
            }
        }, x);
        return y;
    }

    /// <summary>
    /// Swaps the last two dimensions of a rank-3 tensor: <c>[B, M, N] → [B, N, M]</c>, e.g. trials × bins × cells to
    /// trials × cells × bins, the channel-first layout <see cref="Conv1d"/> takes.
    /// </summary>
    public static Tensor SwapLastTwo(Tensor x)
    {
        if (x.Rank != 3) throw new ArgumentException($"SwapLastTwo: need a rank-3 tensor, got [{x.ShapeString}]");
        int b = x.Shape[0], m = x.Shape[1], n = x.Shape[2];
        var y = Tensor.Zeros(b, n, m);
        Swap(x.Data, y.Data, b, m, n, accumulate: false);
        Tape.Record(y, () => Swap(y.Grad!, x.GradSpan(), b, n, m, accumulate: true), x);
        return y;
    }

    // destination[b, j, i] (+)= source[b, i, j] for source [B, M, N].
    private static void Swap(ReadOnlySpan<float> source, Span<float> destination, int batch, int m, int n, bool accumulate)
    {
        for (int b = 0; b < batch; b++)
        {
            int offset = b * m * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    float v = source[offset + i * n + j];
                    if (accumulate) destination[offset + j * m + i] += v;
                    else destination[offset + j * m + i] = v;
                }
        }
    }

    /// <summary>Concatenation along the last (time) dimension; all other dimensions must agree.</summary>
    public static Tensor ConcatLast(IReadOnlyList<Tensor> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("ConcatLast needs at least one tensor");
        var lead = parts[0].Shape[..^1];
        int rows = Tensor.Product(lead);
        int total = 0;
        foreach (var p in parts)
        {
            if (!p.Shape[..^1].AsSpan().SequenceEqual(lead))
                throw new ArgumentException($"ConcatLast: shape [{p.ShapeString}] does not match the leading dimensions of [{parts[0].ShapeString}]");
            total += p.Dim(-1);
        }
        var y = Tensor.Zeros([.. lead, total]);
        int offset = 0;
        foreach (var p in parts)
        {
            int len = p.Dim(-1);
            for (int r = 0; r < rows; r++)
                p.Data.AsSpan(r * len, len).CopyTo(y.Data.AsSpan(r * total + offset, len));
            offset += len;
        }
        Tape.Record(y, () =>
        {
            int off = 0;
            foreach (var p in parts)
            {
                int len = p.Dim(-1);
                if (p.RequiresGrad)
                {
                    var g = p.GradSpan();
                    for (int r = 0; r < rows; r++)
                    {
                        var dst = g.Slice(r * len, len);
                        System.Numerics.Tensors.TensorPrimitives.Add(dst, y.Grad.AsSpan(r * total + off, len), dst);
                    }
                }
                off += len;
            }
        }, parts);
        return y;
    }
}
