using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSpike.Engine.Kernels;

/// <summary>
/// One step of a gated recurrent unit (PyTorch convention, as <c>Nn.GruCell</c>) for a block of rows, and its
/// exact backward, span in / span out, single-threaded, no allocation:
/// <c>r = σ(g_r + h U_r + c_r)</c>, <c>z = σ(g_z + h U_z + c_z)</c>, <c>n = tanh(g_n + r ⊙ (h U_n + c_n))</c>,
/// <c>h' = n + z ⊙ (h − n)</c>, where g = x W + b is the precomputed input projection.
/// </summary>
/// <remarks>
/// <para>
/// Per-gate blocks are stored <b>gate-major</b>: a <c>[3, rows, H]</c> span holds all rows' r-values, then all
/// z-values, then all n-values, so the elementwise stages are one pass over <c>rows·H</c> values and each
/// recurrent product is one <see cref="Gemm.MultiplyAdd"/> per gate. States are <c>[rows, H]</c>, row-major.
/// </para>
/// <para>
/// With AVX-512 the gate nonlinearities run in one fused pass with a single-precision exp (Cephes' expf,
/// a few ulp; σ and tanh from it to ~1e-7 absolute), about 3× faster than <see cref="TensorPrimitives"/>,
/// which evaluates them in double. Without it, <see cref="TensorPrimitives"/> is used. Either way a value's
/// arithmetic does not depend on its row's position in the block, so a row gives the same bits however many
/// rows run with it.
/// </para>
/// <para>
/// Backward recomputes the gates from <c>h</c> and <c>g</c> (one more product per step) instead of storing
/// four gate values per row and frame, so a sequence op only keeps its states. Given <c>∂L/∂h'</c>:
/// <c>∂n = ∂h' ⊙ (1 − z)</c>, <c>∂a_n = ∂n ⊙ (1 − n²)</c>, <c>∂a_z = ∂h' ⊙ (h − n) ⊙ z(1 − z)</c>,
/// <c>∂a_r = ∂a_n ⊙ (h U_n + c_n) ⊙ r(1 − r)</c>; then <c>∂g = [∂a_r, ∂a_z, ∂a_n]</c>, the hidden pre-activation
/// gradient is <c>∂q = [∂a_r, ∂a_z, r ⊙ ∂a_n]</c>, <c>∂h = ∂h' ⊙ z + ∂q Uᵀ</c>, <c>∂U += hᵀ ∂q</c>, <c>∂c += Σ_rows ∂q</c>.
/// </para>
/// </remarks>
public static class GruKernel
{
    /// <summary>Gate blocks in <see cref="Forward"/>'s and <see cref="Backward"/>'s scratch: r, z, h U_n + c_n, n.</summary>
    public const int ScratchBlocks = 4;

    /// <summary>
    /// Repeats the hidden bias c <c>[3H]</c> into a gate-major block <c>[3, rows, H]</c> (done once per sequence,
    /// so each step adds it with one vector call).
    /// </summary>
    public static void BroadcastBias(ReadOnlySpan<float> hiddenBias, Span<float> biasBlock, int rows, int hidden)
    {
        if (hiddenBias.Length < 3 * hidden || biasBlock.Length < 3 * rows * hidden)
            throw new ArgumentException($"GRU: bias needs 3H = {3 * hidden} values and its block 3·rows·H = {3 * rows * hidden}");
        for (int g = 0; g < 3; g++)
            for (int i = 0; i < rows; i++)
                hiddenBias.Slice(g * hidden, hidden).CopyTo(biasBlock.Slice((g * rows + i) * hidden, hidden));
    }

    /// <summary>
    /// Writes <c>h'</c> <c>[rows, H]</c> from the input projection <paramref name="gx"/> <c>[3, rows, H]</c> and the
    /// previous state <paramref name="hPrevious"/> <c>[rows, H]</c>. <paramref name="hiddenWeight"/> is U
    /// <c>[H, 3H]</c> (columns r, z, n), <paramref name="biasBlock"/> c from <see cref="BroadcastBias"/>,
    /// <paramref name="scratch"/> holds <see cref="ScratchBlocks"/>·rows·H values. h' must not overlap h.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> gx, ReadOnlySpan<float> hPrevious, ReadOnlySpan<float> hiddenWeight,
        ReadOnlySpan<float> biasBlock, Span<float> scratch, Span<float> h, int rows, int hidden)
    {
        int block = rows * hidden;
        CheckSizes(gx.Length, hPrevious.Length, hiddenWeight.Length, biasBlock.Length, scratch.Length, h.Length, block, hidden);
        Gates(gx, hPrevious, hiddenWeight, biasBlock, scratch, h[..block], rows, hidden);
    }

    /// <summary>
    /// The exact backward of <see cref="Forward"/> given <paramref name="dh"/> = ∂L/∂h' <c>[rows, H]</c>: writes
    /// ∂L/∂g into <paramref name="dgx"/> <c>[3, rows, H]</c> and ∂L/∂h into <paramref name="dhPrevious"/>
    /// (overwritten), adds ∂L/∂U into <paramref name="dHiddenWeight"/> <c>[H, 3H]</c> and the hidden bias gradient,
    /// per row, into <paramref name="dBiasBlock"/> <c>[3, rows, H]</c> (sum its rows once at the end).
    /// <paramref name="hiddenWeightTransposed"/> is Uᵀ <c>[3H, H]</c>; <paramref name="dghn"/> is scratch
    /// <c>[rows, H]</c>. Gates are recomputed, so the inputs are those of the forward step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> gx, ReadOnlySpan<float> hPrevious, ReadOnlySpan<float> hiddenWeight,
        ReadOnlySpan<float> hiddenWeightTransposed, ReadOnlySpan<float> biasBlock, ReadOnlySpan<float> dh, Span<float> scratch,
        Span<float> dgx, Span<float> dghn, Span<float> dhPrevious, Span<float> dHiddenWeight, Span<float> dBiasBlock, int rows, int hidden)
    {
        int block = rows * hidden, gates = 3 * hidden;
        CheckSizes(gx.Length, hPrevious.Length, hiddenWeight.Length, biasBlock.Length, scratch.Length, dhPrevious.Length, block, hidden);
        if (hiddenWeightTransposed.Length < gates * hidden || dh.Length < block || dgx.Length < 3 * block || dghn.Length < block
            || dHiddenWeight.Length < hidden * gates || dBiasBlock.Length < 3 * block)
            throw new ArgumentException($"GRU backward: a gradient span is too short for rows={rows}, H={hidden}");
        Gates(gx, hPrevious, hiddenWeight, biasBlock, scratch, [], rows, hidden);
        GateGradients(hPrevious[..block], scratch[..(ScratchBlocks * block)], dh[..block], dgx[..(3 * block)], dghn[..block], dhPrevious[..block]);

        TensorPrimitives.Add(dBiasBlock[..(2 * block)], dgx[..(2 * block)], dBiasBlock[..(2 * block)]);
        var dcn = dBiasBlock.Slice(2 * block, block);
        TensorPrimitives.Add(dcn, dghn[..block], dcn);
        for (int g = 0; g < 3; g++)
        {
            ReadOnlySpan<float> dq = g < 2 ? dgx.Slice(g * block, block) : dghn[..block];
            // ∂h += ∂q_g U_gᵀ ; ∂U_g += hᵀ ∂q_g
            Gemm.MultiplyAdd(dq, hidden, 1, hiddenWeightTransposed[(g * hidden * hidden)..], hidden, dhPrevious, hidden, rows, hidden, hidden);
            Gemm.MultiplyAdd(hPrevious, 1, hidden, dq, hidden, dHiddenWeight[(g * hidden)..], gates, hidden, hidden, rows);
        }
    }

    /// <summary>Uᵀ <c>[3H, H]</c> from U <c>[H, 3H]</c>, for <see cref="Backward"/>.</summary>
    public static void Transpose(ReadOnlySpan<float> hiddenWeight, Span<float> transposed, int hidden)
    {
        int gates = 3 * hidden;
        if (hiddenWeight.Length < hidden * gates || transposed.Length < hidden * gates)
            throw new ArgumentException($"GRU: hidden weight needs H·3H = {hidden * gates} values");
        for (int i = 0; i < hidden; i++)
            for (int j = 0; j < gates; j++) transposed[j * hidden + i] = hiddenWeight[i * gates + j];
    }

    private static void CheckSizes(int gx, int hPrevious, int weight, int bias, int scratch, int h, int block, int hidden)
    {
        if (gx < 3 * block || hPrevious < block || weight < 3 * hidden * hidden || bias < 3 * block || scratch < ScratchBlocks * block || h < block)
            throw new ArgumentException($"GRU step: a span is too short for rows·H = {block}, H = {hidden}");
    }

    /// <summary>scratch ← [r, z, h U_n + c_n, n]; also h' when <paramref name="h"/> is not empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gates(ReadOnlySpan<float> gx, ReadOnlySpan<float> hPrevious, ReadOnlySpan<float> hiddenWeight,
        ReadOnlySpan<float> biasBlock, Span<float> scratch, Span<float> h, int rows, int hidden)
    {
        int block = rows * hidden, gates = 3 * hidden;
        biasBlock[..(3 * block)].CopyTo(scratch);
        for (int g = 0; g < 3; g++)
            Gemm.MultiplyAdd(hPrevious, hidden, 1, hiddenWeight[(g * hidden)..], gates, scratch[(g * block)..], hidden, rows, hidden, hidden);
        if (Vector512.IsHardwareAccelerated)
        {
            Activate512(gx[..(3 * block)], hPrevious[..block], scratch[..(ScratchBlocks * block)], h.IsEmpty ? h : h[..block]);
            return;
        }
        var rz = scratch[..(2 * block)];
        var hn = scratch.Slice(2 * block, block);
        var n = scratch.Slice(3 * block, block);
        TensorPrimitives.Add(rz, gx[..(2 * block)], rz);
        TensorPrimitives.Sigmoid(rz, rz);
        // n = tanh(g_n + r ⊙ (h U_n + c_n))
        TensorPrimitives.FusedMultiplyAdd(rz[..block], hn, gx.Slice(2 * block, block), n);
        TensorPrimitives.Tanh(n, n);
        if (h.IsEmpty) return;
        // h' = n + z ⊙ (h − n)
        h = h[..block];
        TensorPrimitives.Subtract(hPrevious[..block], n, h);
        TensorPrimitives.FusedMultiplyAdd(rz.Slice(block, block), h, n, h);
    }

    /// <summary>
    /// The gate nonlinearities in one pass with AVX-512, scratch holding <c>h U + c</c> on entry. σ and tanh use
    /// <see cref="Exp512"/> (a few ulp; <see cref="TensorPrimitives"/> computes them in double, 3–4× slower),
    /// and the scalar tail repeats the vector arithmetic exactly, so a value does not depend on its position.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Activate512(ReadOnlySpan<float> gx, ReadOnlySpan<float> hPrevious, Span<float> scratch, Span<float> h)
    {
        int block = hPrevious.Length;
        ref float gr = ref MemoryMarshal.GetReference(gx);
        ref float gz = ref Unsafe.Add(ref gr, block);
        ref float gn = ref Unsafe.Add(ref gr, 2 * block);
        ref float sr = ref MemoryMarshal.GetReference(scratch);
        ref float sz = ref Unsafe.Add(ref sr, block);
        ref float sn = ref Unsafe.Add(ref sr, 2 * block);
        ref float so = ref Unsafe.Add(ref sr, 3 * block);
        ref float hp = ref MemoryMarshal.GetReference(hPrevious);
        ref float ho = ref MemoryMarshal.GetReference(h);
        bool state = !h.IsEmpty;
        int i = 0;
        for (; i + Vector512<float>.Count <= block; i += Vector512<float>.Count)
        {
            nuint u = (nuint)i;
            var r = Sigmoid512(Vector512.LoadUnsafe(ref gr, u) + Vector512.LoadUnsafe(ref sr, u));
            var z = Sigmoid512(Vector512.LoadUnsafe(ref gz, u) + Vector512.LoadUnsafe(ref sz, u));
            var n = Tanh512(Vector512.FusedMultiplyAdd(r, Vector512.LoadUnsafe(ref sn, u), Vector512.LoadUnsafe(ref gn, u)));
            r.StoreUnsafe(ref sr, u);
            z.StoreUnsafe(ref sz, u);
            n.StoreUnsafe(ref so, u);
            if (state) Vector512.FusedMultiplyAdd(z, Vector512.LoadUnsafe(ref hp, u) - n, n).StoreUnsafe(ref ho, u);
        }
        for (; i < block; i++)
        {
            float r = Sigmoid(Unsafe.Add(ref gr, i) + Unsafe.Add(ref sr, i));
            float z = Sigmoid(Unsafe.Add(ref gz, i) + Unsafe.Add(ref sz, i));
            float n = Tanh(MathF.FusedMultiplyAdd(r, Unsafe.Add(ref sn, i), Unsafe.Add(ref gn, i)));
            Unsafe.Add(ref sr, i) = r;
            Unsafe.Add(ref sz, i) = z;
            Unsafe.Add(ref so, i) = n;
            if (state) Unsafe.Add(ref ho, i) = MathF.FusedMultiplyAdd(z, Unsafe.Add(ref hp, i) - n, n);
        }
    }

    // e^x after Cephes' expf: x = n ln2 + f with |f| ≤ ln2/2 (ln2 split in two for exactness), a degree-5
    // polynomial for e^f, and 2^n built in the exponent bits. Inputs are clamped to ±87 so 2^n stays normal.
    private const float ExpClamp = 87f, Log2E = 1.44269504088896341f, Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp512(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-ExpClamp)), Vector512.Create(ExpClamp));
        var n = Vector512.Floor(Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(0.5f)));
        var f = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), x);
        f = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), f);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), f, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P5));
        var y = Vector512.FusedMultiplyAdd(p, f * f, f) + Vector512<float>.One;
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return y * scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Exp(float x)
    {
        x = MathF.Min(MathF.Max(x, -ExpClamp), ExpClamp);
        float n = MathF.Floor(MathF.FusedMultiplyAdd(x, Log2E, 0.5f));
        float f = MathF.FusedMultiplyAdd(n, -Ln2High, x);
        f = MathF.FusedMultiplyAdd(n, -Ln2Low, f);
        float p = MathF.FusedMultiplyAdd(P0, f, P1);
        p = MathF.FusedMultiplyAdd(p, f, P2);
        p = MathF.FusedMultiplyAdd(p, f, P3);
        p = MathF.FusedMultiplyAdd(p, f, P4);
        p = MathF.FusedMultiplyAdd(p, f, P5);
        float y = MathF.FusedMultiplyAdd(p, f * f, f) + 1f;
        return y * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sigmoid512(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp512(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    /// <summary>tanh x = 1 − 2 / (1 + e^{2x}): absolute error a few 1e-8 (relative error grows only as x → 0, where it is harmless here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tanh512(Vector512<float> x) =>
        Vector512<float>.One - Vector512.Create(2f) / (Vector512<float>.One + Exp512(x + x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tanh(float x) => 1f - 2f / (1f + Exp(x + x));

    /// <summary>The elementwise part of the backward step, one pass over the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GateGradients(ReadOnlySpan<float> hPrevious, ReadOnlySpan<float> scratch, ReadOnlySpan<float> dh,
        Span<float> dgx, Span<float> dghn, Span<float> dhPrevious)
    {
        int block = dh.Length;
        Debug.Assert(scratch.Length == ScratchBlocks * block && dgx.Length == 3 * block);
        ref float hp = ref MemoryMarshal.GetReference(hPrevious);
        ref float r = ref MemoryMarshal.GetReference(scratch);
        ref float z = ref Unsafe.Add(ref r, block);
        ref float hn = ref Unsafe.Add(ref r, 2 * block);
        ref float n = ref Unsafe.Add(ref r, 3 * block);
        ref float d = ref MemoryMarshal.GetReference(dh);
        ref float dr = ref MemoryMarshal.GetReference(dgx);
        ref float dz = ref Unsafe.Add(ref dr, block);
        ref float dn = ref Unsafe.Add(ref dr, 2 * block);
        ref float dq = ref MemoryMarshal.GetReference(dghn);
        ref float dhp = ref MemoryMarshal.GetReference(dhPrevious);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; i + Vector<float>.Count <= block; i += Vector<float>.Count)
            {
                var vd = Vector.LoadUnsafe(ref d, (nuint)i);
                var vr = Vector.LoadUnsafe(ref r, (nuint)i);
                var vz = Vector.LoadUnsafe(ref z, (nuint)i);
                var vn = Vector.LoadUnsafe(ref n, (nuint)i);
                var an = vd * (one - vz) * (one - vn * vn);
                var az = vd * (Vector.LoadUnsafe(ref hp, (nuint)i) - vn) * vz * (one - vz);
                var ar = an * Vector.LoadUnsafe(ref hn, (nuint)i) * vr * (one - vr);
                ar.StoreUnsafe(ref dr, (nuint)i);
                az.StoreUnsafe(ref dz, (nuint)i);
                an.StoreUnsafe(ref dn, (nuint)i);
                (an * vr).StoreUnsafe(ref dq, (nuint)i);
                (vd * vz).StoreUnsafe(ref dhp, (nuint)i);
            }
        }
        for (; i < block; i++)
        {
            float vd = Unsafe.Add(ref d, i), vr = Unsafe.Add(ref r, i), vz = Unsafe.Add(ref z, i), vn = Unsafe.Add(ref n, i);
            float an = vd * (1 - vz) * (1 - vn * vn);
            float az = vd * (Unsafe.Add(ref hp, i) - vn) * vz * (1 - vz);
            float ar = an * Unsafe.Add(ref hn, i) * vr * (1 - vr);
            Unsafe.Add(ref dr, i) = ar;
            Unsafe.Add(ref dz, i) = az;
            Unsafe.Add(ref dn, i) = an;
            Unsafe.Add(ref dq, i) = an * vr;
            Unsafe.Add(ref dhp, i) = vd * vz;
        }
    }
}
