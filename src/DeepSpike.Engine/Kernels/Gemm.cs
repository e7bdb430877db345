using System.Buffers;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSpike.Engine.Kernels;

/// <summary>Row-major single-precision matrix products, span in / span out.</summary>
/// <remarks>
/// <para>
/// Register-blocked: a micro-kernel keeps up to 4 rows × 4 vectors of C in registers (16 accumulators,
/// 64 columns per row with AVX-512) while it runs over the shared dimension, so each load of a B row
/// segment feeds 4 FMAs and each broadcast A value feeds 4. Columns left over after the vector tiles go
/// through the same micro-kernel with scalar "vectors". Each element of C is summed over p in increasing
/// order, with the operations fixed by its column alone, so a row's result does not depend on how many
/// rows are multiplied with it or where it sits among them (the DS-NF sampler relies on this).
/// </para>
/// <para>
/// Sized for the recurrent products of the DS-NF recognition network (<c>[rows, 64] · [64, 64..192]</c>,
/// once per frame), where a per-element <see cref="TensorPrimitives"/> loop would reload C for every p.
/// The kernels are compiled fully optimised on first call (<c>AggressiveOptimization</c>): a single
/// inference run would otherwise finish in tier-0 code.
/// </para>
/// </remarks>
public static class Gemm
{
    /// <summary>Below this many rows, <c>A · Bᵀ</c> is computed as dot products instead of packing Bᵀ.</summary>
    private const int PackTransposedBMinRows = 4;

    /// <summary>
    /// <c>C (+)= op(A) · op(B)</c> with C <c>[m, n]</c>, op(A) <c>[m, k]</c>, op(B) <c>[k, n]</c>. A is stored
    /// <c>[m, k]</c> or, when <paramref name="transposeA"/>, <c>[k, m]</c>; B is <c>[k, n]</c> or <c>[n, k]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for the given sizes.</exception>
    public static void Multiply(ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        Span<float> c, int m, int n, int k, bool accumulate)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"Gemm: sizes must be >= 0, got m={m}, n={n}, k={k}");
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
            throw new ArgumentException($"Gemm: spans too short for m={m}, n={n}, k={k}");
        if (!accumulate) c[..(m * n)].Clear();
        if (m == 0 || n == 0 || k == 0) return;
        int aRowStride = transposeA ? 1 : k, aColStride = transposeA ? m : 1;
        if (!transposeB)
        {
            MultiplyAddAt(a, aRowStride, aColStride, b, n, c, n, m, n, k, SimdWidths.Best);
            return;
        }
        if (m >= PackTransposedBMinRows)
        {
            // Bᵀ packed once (k·n copies) makes the m·n·k product vectorisable along n.
            var packed = ArrayPool<float>.Shared.Rent(k * n);
            try
            {
                for (int j = 0; j < n; j++)
                    for (int p = 0; p < k; p++) packed[p * n + j] = b[j * k + p];
                MultiplyAddAt(a, aRowStride, aColStride, packed.AsSpan(0, k * n), n, c, n, m, n, k, SimdWidths.Best);
            }
            finally { ArrayPool<float>.Shared.Return(packed); }
            return;
        }
        // c[i, j] += dot(opA row i, b row j): contiguous in k when A is not transposed.
        Span<float> row = transposeA ? new float[k] : default;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> ai;
            if (transposeA) { for (int p = 0; p < k; p++) row[p] = a[p * m + i]; ai = row; }
            else ai = a.Slice(i * k, k);
            var ci = c.Slice(i * n, n);
            for (int j = 0; j < n; j++) ci[j] += TensorPrimitives.Dot(ai, b.Slice(j * k, k));
        }
    }

    /// <summary>
    /// Strided <c>C += A · B</c>: <c>C[i·ldc + j] += Σ_p a[i·aRowStride + p·aColStride] · b[p·ldb + j]</c> for
    /// i &lt; m, j &lt; n, p &lt; k. A may be read transposed (row stride 1) or as a sub-matrix; B's and C's rows
    /// are contiguous with leading dimensions <paramref name="ldb"/> and <paramref name="ldc"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A size or stride is negative, or a span is too short.</exception>
    public static void MultiplyAdd(ReadOnlySpan<float> a, int aRowStride, int aColStride, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, int m, int n, int k) =>
        MultiplyAddAt(a, aRowStride, aColStride, b, ldb, c, ldc, m, n, k, SimdWidths.Best);

    /// <summary><see cref="MultiplyAdd"/> at a chosen vector width (tests run every supported width).</summary>
    internal static void MultiplyAddAt(ReadOnlySpan<float> a, int aRowStride, int aColStride, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, int m, int n, int k, SimdWidth width)
    {
        if (m < 0 || n < 0 || k < 0 || aRowStride < 0 || aColStride < 0 || ldb < n || ldc < n)
            throw new ArgumentException($"Gemm: invalid sizes or strides m={m}, n={n}, k={k}, A strides ({aRowStride}, {aColStride}), ldb={ldb}, ldc={ldc}");
        if (m == 0 || n == 0 || k == 0) return;
        if (a.Length <= (long)(m - 1) * aRowStride + (long)(k - 1) * aColStride || b.Length < (long)(k - 1) * ldb + n || c.Length < (long)(m - 1) * ldc + n)
            throw new ArgumentException($"Gemm: spans too short for m={m}, n={n}, k={k}, A strides ({aRowStride}, {aColStride}), ldb={ldb}, ldc={ldc}");
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        switch (width)
        {
            case SimdWidth.Vector512: Run<Simd512, Vector512<float>>(ref ar, aRowStride, aColStride, ref br, ldb, ref cr, ldc, m, n, k); break;
            case SimdWidth.Vector256: Run<Simd256, Vector256<float>>(ref ar, aRowStride, aColStride, ref br, ldb, ref cr, ldc, m, n, k); break;
            default: Run<SimdScalar, float>(ref ar, aRowStride, aColStride, ref br, ldb, ref cr, ldc, m, n, k); break;
        }
    }

    /// <summary>Row blocks of 4 (then the 1–3 left over) × column tiles of 4, 3, 2, 1 vectors, then scalar columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TSimd, TVector>(ref float a, nint ars, nint acs, ref float b, nint ldb, ref float c, nint ldc, int m, int n, int k)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        int w = TSimd.Count, vectorColumns = n / w * w;
        for (int i = 0; i < m; i += 4)
        {
            int rows = Math.Min(4, m - i);
            ref float ai = ref Unsafe.Add(ref a, i * ars);
            ref float ci = ref Unsafe.Add(ref c, i * ldc);
            int j = 0;
            for (; j + 4 * w <= vectorColumns; j += 4 * w)
                Tile<TSimd, TVector, Block4>(rows, ref ai, ars, acs, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref ci, j), ldc, k);
            switch ((vectorColumns - j) / w)
            {
                case 3: Tile<TSimd, TVector, Block3>(rows, ref ai, ars, acs, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref ci, j), ldc, k); break;
                case 2: Tile<TSimd, TVector, Block2>(rows, ref ai, ars, acs, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref ci, j), ldc, k); break;
                case 1: Tile<TSimd, TVector, Block1>(rows, ref ai, ars, acs, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref ci, j), ldc, k); break;
                default: Debug.Assert(vectorColumns == j); break;
            }
            for (j = vectorColumns; j + 4 <= n; j += 4)
                Tile<SimdScalar, float, Block4>(rows, ref ai, ars, acs, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref ci, j), ldc, k);
            switch (n - j)
            {
                case 3: Tile<SimdScalar, float, Block3>(rows, ref ai, ars, acs, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref ci, j), ldc, k); break;
                case 2: Tile<SimdScalar, float, Block2>(rows, ref ai, ars, acs, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref ci, j), ldc, k); break;
                case 1: Tile<SimdScalar, float, Block1>(rows, ref ai, ars, acs, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref ci, j), ldc, k); break;
                default: break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TSimd, TVector, TVectors>(int rows, ref float a, nint ars, nint acs, ref float b, nint ldb, ref float c, nint ldc, int k)
        where TSimd : struct, ISimd<TVector> where TVector : struct where TVectors : struct, IBlockSize
    {
        switch (rows)
        {
            case 4: Block<TSimd, TVector, Block4, TVectors>(ref a, ars, acs, ref b, ldb, ref c, ldc, k); break;
            case 3: Block<TSimd, TVector, Block3, TVectors>(ref a, ars, acs, ref b, ldb, ref c, ldc, k); break;
            case 2: Block<TSimd, TVector, Block2, TVectors>(ref a, ars, acs, ref b, ldb, ref c, ldc, k); break;
            default: Block<TSimd, TVector, Block1, TVectors>(ref a, ars, acs, ref b, ldb, ref c, ldc, k); break;
        }
    }

    /// <summary>
    /// The micro-kernel: TRows rows × TVectors vectors of C accumulate in registers over p, then are added to C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<TSimd, TVector, TRows, TVectors>(ref float a, nint ars, nint acs, ref float b, nint ldb, ref float c, nint ldc, int k)
        where TSimd : struct, ISimd<TVector> where TVector : struct
        where TRows : struct, IBlockSize where TVectors : struct, IBlockSize
    {
        nint w = TSimd.Count;
        TVector c00 = default, c01 = default, c02 = default, c03 = default;
        TVector c10 = default, c11 = default, c12 = default, c13 = default;
        TVector c20 = default, c21 = default, c22 = default, c23 = default;
        TVector c30 = default, c31 = default, c32 = default, c33 = default;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < k; p++)
        {
            TVector b0 = TSimd.Load(ref bp);
            TVector b1 = TVectors.Value > 1 ? TSimd.Load(ref Unsafe.Add(ref bp, w)) : default;
            TVector b2 = TVectors.Value > 2 ? TSimd.Load(ref Unsafe.Add(ref bp, 2 * w)) : default;
            TVector b3 = TVectors.Value > 3 ? TSimd.Load(ref Unsafe.Add(ref bp, 3 * w)) : default;

            TVector av = TSimd.Broadcast(ap);
            c00 = TSimd.MultiplyAdd(b0, av, c00);
            if (TVectors.Value > 1) c01 = TSimd.MultiplyAdd(b1, av, c01);
            if (TVectors.Value > 2) c02 = TSimd.MultiplyAdd(b2, av, c02);
            if (TVectors.Value > 3) c03 = TSimd.MultiplyAdd(b3, av, c03);
            if (TRows.Value > 1)
            {
                av = TSimd.Broadcast(Unsafe.Add(ref ap, ars));
                c10 = TSimd.MultiplyAdd(b0, av, c10);
                if (TVectors.Value > 1) c11 = TSimd.MultiplyAdd(b1, av, c11);
                if (TVectors.Value > 2) c12 = TSimd.MultiplyAdd(b2, av, c12);
                if (TVectors.Value > 3) c13 = TSimd.MultiplyAdd(b3, av, c13);
            }
            if (TRows.Value > 2)
            {
                av = TSimd.Broadcast(Unsafe.Add(ref ap, 2 * ars));
                c20 = TSimd.MultiplyAdd(b0, av, c20);
                if (TVectors.Value > 1) c21 = TSimd.MultiplyAdd(b1, av, c21);
                if (TVectors.Value > 2) c22 = TSimd.MultiplyAdd(b2, av, c22);
                if (TVectors.Value > 3) c23 = TSimd.MultiplyAdd(b3, av, c23);
            }
            if (TRows.Value > 3)
            {
                av = TSimd.Broadcast(Unsafe.Add(ref ap, 3 * ars));
                c30 = TSimd.MultiplyAdd(b0, av, c30);
                if (TVectors.Value > 1) c31 = TSimd.MultiplyAdd(b1, av, c31);
                if (TVectors.Value > 2) c32 = TSimd.MultiplyAdd(b2, av, c32);
                if (TVectors.Value > 3) c33 = TSimd.MultiplyAdd(b3, av, c33);
            }
            ap = ref Unsafe.Add(ref ap, acs);
            bp = ref Unsafe.Add(ref bp, ldb);
        }
        AddRow<TSimd, TVector, TVectors>(ref c, w, c00, c01, c02, c03);
        if (TRows.Value > 1) AddRow<TSimd, TVector, TVectors>(ref Unsafe.Add(ref c, ldc), w, c10, c11, c12, c13);
        if (TRows.Value > 2) AddRow<TSimd, TVector, TVectors>(ref Unsafe.Add(ref c, 2 * ldc), w, c20, c21, c22, c23);
        if (TRows.Value > 3) AddRow<TSimd, TVector, TVectors>(ref Unsafe.Add(ref c, 3 * ldc), w, c30, c31, c32, c33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow<TSimd, TVector, TVectors>(ref float c, nint w, TVector a0, TVector a1, TVector a2, TVector a3)
        where TSimd : struct, ISimd<TVector> where TVector : struct where TVectors : struct, IBlockSize
    {
        TSimd.Store(TSimd.Add(TSimd.Load(ref c), a0), ref c);
        if (TVectors.Value > 1) TSimd.Store(TSimd.Add(TSimd.Load(ref Unsafe.Add(ref c, w)), a1), ref Unsafe.Add(ref c, w));
        if (TVectors.Value > 2) TSimd.Store(TSimd.Add(TSimd.Load(ref Unsafe.Add(ref c, 2 * w)), a2), ref Unsafe.Add(ref c, 2 * w));
        if (TVectors.Value > 3) TSimd.Store(TSimd.Add(TSimd.Load(ref Unsafe.Add(ref c, 3 * w)), a3), ref Unsafe.Add(ref c, 3 * w));
    }
}
