using System.Numerics.Tensors;

namespace DeepSpike.Engine.Kernels;

/// <summary>Row-major single-precision matrix products, span in / span out.</summary>
public static class Gemm
{
    /// <summary>
    /// <c>C (+)= op(A) · op(B)</c> with C <c>[m, n]</c>, op(A) <c>[m, k]</c>, op(B) <c>[k, n]</c>. A is stored
    /// <c>[m, k]</c> or, when <paramref name="transposeA"/>, <c>[k, m]</c>; B is <c>[k, n]</c> or <c>[n, k]</c>.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        Span<float> c, int m, int n, int k, bool accumulate)
    {
        if (a.Length < m * k || b.Length < k * n || c.Length < m * n)
            throw new ArgumentException($"Gemm: spans too short for m={m}, n={n}, k={k}");
        if (!accumulate) c[..(m * n)].Clear();
        if (transposeB)
        {
            // c[i, j] = dot(opA row i, b row j): contiguous in k when A is not transposed.
            Span<float> row = transposeA ? new float[k] : default;
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<float> ai;
                if (transposeA) { for (int p = 0; p < k; p++) row[p] = a[p * m + i]; ai = row; }
                else ai = a.Slice(i * k, k);
                var ci = c.Slice(i * n, n);
                for (int j = 0; j < n; j++) ci[j] += TensorPrimitives.Dot(ai, b.Slice(j * k, k));
            }
            return;
        }
        for (int i = 0; i < m; i++)
        {
            var ci = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                float aip = transposeA ? a[p * m + i] : a[i * k + p];
                if (aip != 0f) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aip, ci, ci);
            }
        }
    }
}
