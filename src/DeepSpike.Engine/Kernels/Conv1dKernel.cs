using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSpike.Engine.Kernels;

/// <summary>
/// Dilated 1-D convolution with 'same' zero padding over one sequence, span in / span out, single-threaded.
/// <c>y[o, t] = Σ_i Σ_k w[o, i, k] · x[i, t + k·d − pad]</c>, pad = d·(kernel − 1)/2, kernel odd; x is
/// <c>[cin, frames]</c>, w <c>[cout, cin, kernel]</c>, y <c>[cout, frames]</c>, all row-major.
/// </summary>
/// <remarks>
/// <para>
/// Register-blocked: <see cref="Forward"/> keeps a block of up to 4 output channels × 4 vectors of frames
/// (64 frames with AVX-512; 2 channels with 256-bit or scalar registers, of which there are 16) in registers while it runs over every (input channel, tap) pair, so each load
/// of x feeds 4 FMAs and each broadcast weight feeds 4. <see cref="BackwardInput"/> is the same
/// convolution with input and output channels swapped and the taps reversed, read in place through
/// strides. <see cref="BackwardWeight"/> is a set of dot products over time; a block of 4 output channels ×
/// up to 5 taps shares each load of dy and x.
/// </para>
/// <para>
/// Tiles that reach past either end of the sequence are first copied into a zero-padded scratch buffer
/// (stack, or the shared array pool for large layers), so the inner loops never test bounds. A consequence:
/// a non-finite weight also reaches the padded frames (0 · ∞ = NaN), where a bounds-checked loop would skip it.
/// </para>
/// <para>
/// The generic kernels are compiled fully optimised on first call (<c>AggressiveOptimization</c>): tier-0 code
/// for them is ~50× slower, and a one-off inference over a single trace would otherwise finish before tiering up.
/// </para>
/// <para>
/// The widest accelerated vector type is used (Vector512, else Vector256, else scalar). Results differ
/// from a naive loop only by float summation order.
/// </para>
/// </remarks>
public static class Conv1dKernel
{
    /// <summary>Most taps per register block in <see cref="BackwardWeight"/>.</summary>
    private const int MaxTapBlock = 5;

    /// <summary>
    /// Frames per <see cref="BackwardWeight"/> chunk: 4 dy rows and one x row of 1024 frames (20 KB) stay in L1
    /// while a channel block runs over every input channel and tap. Must be a multiple of every tile width.
    /// </summary>
    private const int WeightChunkFrames = 1024;

    /// <summary>Scratch up to this many floats (16 KB) lives on the stack; larger layers rent from the pool.</summary>
    private const int StackScratchFloats = 4096;

    /// <summary>y += conv(x, w); shapes as on <see cref="Conv1dKernel"/>. Spans may be longer than needed.</summary>
    /// <exception cref="ArgumentException">A span is too short, the kernel is even, or the dilation is below 1.</exception>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y,
        int cin, int cout, int frames, int kernel, int dilation) =>
        ForwardAt(x, w, y, cin, cout, frames, kernel, dilation, SimdWidths.Best);

    /// <summary>dx += convᵀ(dy, w): the input gradient; dy is <c>[cout, frames]</c>, dx <c>[cin, frames]</c>.</summary>
    /// <exception cref="ArgumentException">A span is too short, the kernel is even, or the dilation is below 1.</exception>
    public static void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx,
        int cin, int cout, int frames, int kernel, int dilation) =>
        BackwardInputAt(dy, w, dx, cin, cout, frames, kernel, dilation, SimdWidths.Best);

    /// <summary>
    /// dw[o, i, k] += Σ_t dy[o, t] · x[i, t + k·d − pad]: the weight gradient; dy is <c>[cout, frames]</c>, dw
    /// <c>[cout, cin, kernel]</c>. A block of output channels is handled by passing the matching rows of dy and dw.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, the kernel is even, or the dilation is below 1.</exception>
    public static void BackwardWeight(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw,
        int cin, int cout, int frames, int kernel, int dilation) =>
        BackwardWeightAt(dy, x, dw, cin, cout, frames, kernel, dilation, SimdWidths.Best);

    /// <summary><see cref="Forward"/> at a chosen vector width (tests run every supported width).</summary>
    internal static void ForwardAt(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y,
        int cin, int cout, int frames, int kernel, int dilation, SimdWidth width)
    {
        CheckArguments(x.Length, nameof(x), cin, y.Length, nameof(y), cout, w.Length, frames, kernel, dilation);
        if (cin == 0 || cout == 0 || frames == 0) return;
        // Micro-kernel weight for (output c, input j, tap k) is origin[c·sOut + j·sIn + k·sTap].
        Convolve(x, y, cin, cout, frames, kernel, dilation, ref MemoryMarshal.GetReference(w), cin * kernel, kernel, 1, width);
    }

    /// <summary><see cref="BackwardInput"/> at a chosen vector width.</summary>
    internal static void BackwardInputAt(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx,
        int cin, int cout, int frames, int kernel, int dilation, SimdWidth width)
    {
        CheckArguments(dx.Length, nameof(dx), cin, dy.Length, nameof(dy), cout, w.Length, frames, kernel, dilation);
        if (cin == 0 || cout == 0 || frames == 0) return;
        // dx[i, s] = Σ_o Σ_k w[o, i, K−1−k] · dy[o, s + k·d − pad] (since (K−1)·d = 2·pad): a forward convolution
        // from cout to cin channels whose weight (c = i, j = o, k) sits at w[0, 0, K−1] + i·K + o·cin·K − k.
        ref float origin = ref Unsafe.Add(ref MemoryMarshal.GetReference(w), kernel - 1);
        Convolve(dy, dx, cout, cin, frames, kernel, dilation, ref origin, kernel, cin * kernel, -1, width);
    }

    /// <summary><see cref="BackwardWeight"/> at a chosen vector width.</summary>
    internal static void BackwardWeightAt(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw,
        int cin, int cout, int frames, int kernel, int dilation, SimdWidth width)
    {
        CheckArguments(x.Length, nameof(x), cin, dy.Length, nameof(dy), cout, dw.Length, frames, kernel, dilation, weightName: nameof(dw));
        if (cin == 0 || cout == 0 || frames == 0) return;
        switch (width)
        {
            case SimdWidth.Vector512: WeightGradient<Simd512, Vector512<float>, Block4>(dy, x, dw, cin, cout, frames, kernel, dilation); break;
            case SimdWidth.Vector256: WeightGradient<Simd256, Vector256<float>, Block2>(dy, x, dw, cin, cout, frames, kernel, dilation); break;
            default: WeightGradient<SimdScalar, float, Block2>(dy, x, dw, cin, cout, frames, kernel, dilation); break;
        }
    }

    private static void CheckArguments(int inLength, string inName, int cin, int outLength, string outName, int cout,
        int weightLength, int frames, int kernel, int dilation, string weightName = "w")
    {
        if (cin < 0 || cout < 0 || frames < 0)
            throw new ArgumentException($"Conv1d: channel and frame counts must be >= 0, got cin={cin}, cout={cout}, frames={frames}");
        if (kernel < 1 || kernel % 2 == 0) throw new ArgumentException($"Conv1d: 'same' padding needs an odd kernel size >= 1, got {kernel}");
        if (dilation < 1) throw new ArgumentException($"Conv1d: dilation must be >= 1, got {dilation}");
        if (inLength < (long)cin * frames)
            throw new ArgumentException($"Conv1d: {inName} has {inLength} values, needs cin·frames = {cin}·{frames}");
        if (outLength < (long)cout * frames)
            throw new ArgumentException($"Conv1d: {outName} has {outLength} values, needs cout·frames = {cout}·{frames}");
        if (weightLength < (long)cout * cin * kernel)
            throw new ArgumentException($"Conv1d: {weightName} has {weightLength} values, needs cout·cin·kernel = {cout}·{cin}·{kernel}");
    }

    // ---------------------------------------------------------------------------------------------------
    // Forward and input gradient: output[c, t] += Σ_j Σ_k W(c, j, k) · input[j, t + k·d − pad]
    // ---------------------------------------------------------------------------------------------------

    private static void Convolve(ReadOnlySpan<float> input, Span<float> output, int inChannels, int outChannels,
        int frames, int kernel, int dilation, ref float weights, nint sOut, nint sIn, nint sTap, SimdWidth width)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                Convolve<Simd512, Vector512<float>, Block4, Block4>(input, output, inChannels, outChannels, frames, kernel, dilation, ref weights, sOut, sIn, sTap);
                break;
            case SimdWidth.Vector256:
                // 16 registers: 2 channels × 4 vectors of accumulators + 4 inputs + 1 weight.
                Convolve<Simd256, Vector256<float>, Block2, Block4>(input, output, inChannels, outChannels, frames, kernel, dilation, ref weights, sOut, sIn, sTap);
                break;
            default:
                Convolve<SimdScalar, float, Block2, Block4>(input, output, inChannels, outChannels, frames, kernel, dilation, ref weights, sOut, sIn, sTap);
                break;
        }
    }

    /// <summary>Runs over time in tiles of TVectors registers; tiles touching the padding go through scratch.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convolve<TSimd, TVector, TChannels, TVectors>(ReadOnlySpan<float> input, Span<float> output,
        int inChannels, int outChannels, int frames, int kernel, int dilation, ref float weights, nint sOut, nint sIn, nint sTap)
        where TSimd : struct, ISimd<TVector> where TVector : struct
        where TChannels : struct, IBlockSize where TVectors : struct, IBlockSize
    {
        int tile = TVectors.Value * TSimd.Count;
        int pad = dilation * (kernel - 1) / 2;
        int inWidth = tile + 2 * pad;
        int scratchLength = inChannels * inWidth + outChannels * tile;
        float[]? rented = null;
        Span<float> scratch = scratchLength <= StackScratchFloats
            ? stackalloc float[StackScratchFloats]
            : (rented = ArrayPool<float>.Shared.Rent(scratchLength));
        try
        {
            var inTile = scratch[..(inChannels * inWidth)];
            var outTile = scratch.Slice(inChannels * inWidth, outChannels * tile);
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float y = ref MemoryMarshal.GetReference(output);
            for (int t0 = 0; t0 < frames; t0 += tile)
            {
                if (t0 >= pad && t0 + tile + pad <= frames)
                {
                    ConvolveTile<TSimd, TVector, TChannels, TVectors>(ref Unsafe.Add(ref x, t0 - pad), frames, ref weights, sOut, sIn, sTap,
                        ref Unsafe.Add(ref y, t0), frames, inChannels, outChannels, kernel, dilation);
                    continue;
                }
                Gather(input, inChannels, frames, t0 - pad, inWidth, inTile);
                Gather(output, outChannels, frames, t0, tile, outTile);
                ConvolveTile<TSimd, TVector, TChannels, TVectors>(ref MemoryMarshal.GetReference(inTile), inWidth, ref weights, sOut, sIn, sTap,
                    ref MemoryMarshal.GetReference(outTile), tile, inChannels, outChannels, kernel, dilation);
                int valid = Math.Min(tile, frames - t0);
                for (int c = 0; c < outChannels; c++)
                    outTile.Slice(c * tile, valid).CopyTo(output.Slice(c * frames + t0, valid));
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>All output channels of one tile, in register blocks of TChannels (then the 1–3 left over).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ConvolveTile<TSimd, TVector, TChannels, TVectors>(ref float x, nint xStride,
        ref float weights, nint sOut, nint sIn, nint sTap, ref float y, nint yStride,
        int inChannels, int outChannels, int kernel, int dilation)
        where TSimd : struct, ISimd<TVector> where TVector : struct
        where TChannels : struct, IBlockSize where TVectors : struct, IBlockSize
    {
        int c = 0;
        for (; c + TChannels.Value <= outChannels; c += TChannels.Value)
            ConvolveBlock<TSimd, TVector, TChannels, TVectors>(ref x, xStride, ref Unsafe.Add(ref weights, c * sOut), sOut, sIn, sTap,
                ref Unsafe.Add(ref y, c * yStride), yStride, inChannels, kernel, dilation);
        switch (outChannels - c)
        {
            case 0: break;
            case 1:
                ConvolveBlock<TSimd, TVector, Block1, TVectors>(ref x, xStride, ref Unsafe.Add(ref weights, c * sOut), sOut, sIn, sTap,
                    ref Unsafe.Add(ref y, c * yStride), yStride, inChannels, kernel, dilation);
                break;
            case 2:
                ConvolveBlock<TSimd, TVector, Block2, TVectors>(ref x, xStride, ref Unsafe.Add(ref weights, c * sOut), sOut, sIn, sTap,
                    ref Unsafe.Add(ref y, c * yStride), yStride, inChannels, kernel, dilation);
                break;
            default:
                Debug.Assert(outChannels - c == 3);
                ConvolveBlock<TSimd, TVector, Block3, TVectors>(ref x, xStride, ref Unsafe.Add(ref weights, c * sOut), sOut, sIn, sTap,
                    ref Unsafe.Add(ref y, c * yStride), yStride, inChannels, kernel, dilation);
                break;
        }
    }

    /// <summary>
    /// The micro-kernel: TChannels output channels × TVectors vectors of frames accumulate in registers over
    /// every (input channel, tap), then are added to y. x points at input frame (tile start − pad).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvolveBlock<TSimd, TVector, TChannels, TVectors>(ref float x, nint xStride,
        ref float w, nint sOut, nint sIn, nint sTap, ref float y, nint yStride,
        int inChannels, int kernel, nint dilation)
        where TSimd : struct, ISimd<TVector> where TVector : struct
        where TChannels : struct, IBlockSize where TVectors : struct, IBlockSize
    {
        nint n = TSimd.Count;
        TVector a00 = default, a01 = default, a02 = default, a03 = default;
        TVector a10 = default, a11 = default, a12 = default, a13 = default;
        TVector a20 = default, a21 = default, a22 = default, a23 = default;
        TVector a30 = default, a31 = default, a32 = default, a33 = default;
        for (nint j = 0; j < inChannels; j++)
        {
            ref float xj = ref Unsafe.Add(ref x, j * xStride);
            ref float wj = ref Unsafe.Add(ref w, j * sIn);
            for (nint k = 0; k < kernel; k++)
            {
                ref float xk = ref Unsafe.Add(ref xj, k * dilation);
                TVector x0 = TSimd.Load(ref xk);
                TVector x1 = TVectors.Value > 1 ? TSimd.Load(ref Unsafe.Add(ref xk, n)) : default;
                TVector x2 = TVectors.Value > 2 ? TSimd.Load(ref Unsafe.Add(ref xk, 2 * n)) : default;
                TVector x3 = TVectors.Value > 3 ? TSimd.Load(ref Unsafe.Add(ref xk, 3 * n)) : default;
                ref float wk = ref Unsafe.Add(ref wj, k * sTap);

                TVector wv = TSimd.Broadcast(wk);
                a00 = TSimd.MultiplyAdd(x0, wv, a00);
                if (TVectors.Value > 1) a01 = TSimd.MultiplyAdd(x1, wv, a01);
                if (TVectors.Value > 2) a02 = TSimd.MultiplyAdd(x2, wv, a02);
                if (TVectors.Value > 3) a03 = TSimd.MultiplyAdd(x3, wv, a03);
                if (TChannels.Value > 1)
                {
                    wv = TSimd.Broadcast(Unsafe.Add(ref wk, sOut));
                    a10 = TSimd.MultiplyAdd(x0, wv, a10);
                    if (TVectors.Value > 1) a11 = TSimd.MultiplyAdd(x1, wv, a11);
                    if (TVectors.Value > 2) a12 = TSimd.MultiplyAdd(x2, wv, a12);
                    if (TVectors.Value > 3) a13 = TSimd.MultiplyAdd(x3, wv, a13);
                }
                if (TChannels.Value > 2)
                {
                    wv = TSimd.Broadcast(Unsafe.Add(ref wk, 2 * sOut));
                    a20 = TSimd.MultiplyAdd(x0, wv, a20);
                    if (TVectors.Value > 1) a21 = TSimd.MultiplyAdd(x1, wv, a21);
                    if (TVectors.Value > 2) a22 = TSimd.MultiplyAdd(x2, wv, a22);
                    if (TVectors.Value > 3) a23 = TSimd.MultiplyAdd(x3, wv, a23);
                }
                if (TChannels.Value > 3)
                {
                    wv = TSimd.Broadcast(Unsafe.Add(ref wk, 3 * sOut));
                    a30 = TSimd.MultiplyAdd(x0, wv, a30);
                    if (TVectors.Value > 1) a31 = TSimd.MultiplyAdd(x1, wv, a31);
                    if (TVectors.Value > 2) a32 = TSimd.MultiplyAdd(x2, wv, a32);
                    if (TVectors.Value > 3) a33 = TSimd.MultiplyAdd(x3, wv, a33);
                }
            }
        }
        AddRow<TSimd, TVector, TVectors>(ref y, n, a00, a01, a02, a03);
        if (TChannels.Value > 1) AddRow<TSimd, TVector, TVectors>(ref Unsafe.Add(ref y, yStride), n, a10, a11, a12, a13);
        if (TChannels.Value > 2) AddRow<TSimd, TVector, TVectors>(ref Unsafe.Add(ref y, 2 * yStride), n, a20, a21, a22, a23);
        if (TChannels.Value > 3) AddRow<TSimd, TVector, TVectors>(ref Unsafe.Add(ref y, 3 * yStride), n, a30, a31, a32, a33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow<TSimd, TVector, TVectors>(ref float y, nint n, TVector a0, TVector a1, TVector a2, TVector a3)
        where TSimd : struct, ISimd<TVector> where TVector : struct where TVectors : struct, IBlockSize
    {
        TSimd.Store(TSimd.Add(TSimd.Load(ref y), a0), ref y);
        if (TVectors.Value > 1) TSimd.Store(TSimd.Add(TSimd.Load(ref Unsafe.Add(ref y, n)), a1), ref Unsafe.Add(ref y, n));
        if (TVectors.Value > 2) TSimd.Store(TSimd.Add(TSimd.Load(ref Unsafe.Add(ref y, 2 * n)), a2), ref Unsafe.Add(ref y, 2 * n));
        if (TVectors.Value > 3) TSimd.Store(TSimd.Add(TSimd.Load(ref Unsafe.Add(ref y, 3 * n)), a3), ref Unsafe.Add(ref y, 3 * n));
    }

    /// <summary>
    /// Copies frames [start, start + width) of each channel row into <paramref name="tile"/> (rows of
    /// <paramref name="width"/>), with zeros where the range leaves [0, frames).
    /// </summary>
    private static void Gather(ReadOnlySpan<float> source, int channels, int frames, int start, int width, Span<float> tile)
    {
        int lo = Math.Max(start, 0), hi = Math.Min(start + width, frames);
        for (int c = 0; c < channels; c++)
        {
            var row = tile.Slice(c * width, width);
            if (hi <= lo) { row.Clear(); continue; }
            row[..(lo - start)].Clear();
            source.Slice(c * frames + lo, hi - lo).CopyTo(row[(lo - start)..]);
            row[(hi - start)..].Clear();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Weight gradient: dw[o, i, k] += Σ_t dy[o, t] · x[i, t + k·d − pad]
    // ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Splits time into the interior run (read in place, in chunks) and the edge tiles (copied into zero-padded
    /// scratch). Each weight's dot product builds up lane-wise in a vector of partial sums that persists across
    /// segments (saving a horizontal sum per segment), and is summed across lanes into dw once at the end.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradient<TSimd, TVector, TChannels>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw,
        int cin, int cout, int frames, int kernel, int dilation)
        where TSimd : struct, ISimd<TVector> where TVector : struct where TChannels : struct, IBlockSize
    {
        int n = TSimd.Count, tile = 4 * n;
        Debug.Assert(WeightChunkFrames % tile == 0);
        int pad = dilation * (kernel - 1) / 2;
        int inWidth = tile + 2 * pad;
        int weights = cout * cin * kernel;
        int scratchLength = cin * inWidth + cout * tile + weights * n;
        float[]? rented = null;
        Span<float> scratch = scratchLength <= StackScratchFloats
            ? stackalloc float[StackScratchFloats]
            : (rented = ArrayPool<float>.Shared.Rent(scratchLength));
        try
        {
            var xTile = scratch[..(cin * inWidth)];
            var dyTile = scratch.Slice(cin * inWidth, cout * tile);
            var partial = scratch.Slice(cin * inWidth + cout * tile, weights * n);
            partial.Clear();
            ref float dy0 = ref MemoryMarshal.GetReference(dy);
            ref float x0 = ref MemoryMarshal.GetReference(x);
            ref float acc = ref MemoryMarshal.GetReference(partial);
            int t0 = 0;
            while (t0 < frames)
            {
                if (t0 >= pad && t0 + tile + pad <= frames)
                {
                    // Interior: every tap of every frame in [t0, t0 + run) lies inside the sequence.
                    int run = (frames - pad - t0) / tile * tile;
                    for (int c0 = t0; c0 < t0 + run; c0 += WeightChunkFrames)
                    {
                        int length = Math.Min(WeightChunkFrames, t0 + run - c0);
                        WeightSegment<TSimd, TVector, TChannels>(ref Unsafe.Add(ref dy0, c0), frames, ref Unsafe.Add(ref x0, c0 - pad), frames,
                            length / n, ref acc, cin, cout, kernel, dilation);
                    }
                    t0 += run;
                    continue;
                }
                // Zero-padded dy beyond the end contributes nothing, whatever x holds there.
                Gather(x, cin, frames, t0 - pad, inWidth, xTile);
                Gather(dy, cout, frames, t0, tile, dyTile);
                WeightSegment<TSimd, TVector, TChannels>(ref MemoryMarshal.GetReference(dyTile), tile, ref MemoryMarshal.GetReference(xTile), inWidth,
                    tile / n, ref acc, cin, cout, kernel, dilation);
                t0 += tile;
            }
            for (int j = 0; j < weights; j++)
                dw[j] += TSimd.Sum(TSimd.Load(ref Unsafe.Add(ref acc, j * n)));
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// One time segment of <paramref name="steps"/> vectors: all (channel block, input channel, tap block) dot
    /// products, added to the partial-sum vectors at <paramref name="acc"/> (one per weight, in dw's order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightSegment<TSimd, TVector, TChannels>(ref float dy, nint dyStride, ref float x, nint xStride, nint steps,
        ref float acc, int cin, int cout, int kernel, int dilation)
        where TSimd : struct, ISimd<TVector> where TVector : struct where TChannels : struct, IBlockSize
    {
        nint rowStride = (nint)cin * kernel * TSimd.Count;
        int c = 0;
        for (; c + TChannels.Value <= cout; c += TChannels.Value)
            WeightRows<TSimd, TVector, TChannels>(ref Unsafe.Add(ref dy, c * dyStride), dyStride, ref x, xStride, steps,
                ref Unsafe.Add(ref acc, c * rowStride), cin, kernel, dilation);
        switch (cout - c)
        {
            case 0: break;
            case 1:
                WeightRows<TSimd, TVector, Block1>(ref Unsafe.Add(ref dy, c * dyStride), dyStride, ref x, xStride, steps,
                    ref Unsafe.Add(ref acc, c * rowStride), cin, kernel, dilation);
                break;
            case 2:
                WeightRows<TSimd, TVector, Block2>(ref Unsafe.Add(ref dy, c * dyStride), dyStride, ref x, xStride, steps,
                    ref Unsafe.Add(ref acc, c * rowStride), cin, kernel, dilation);
                break;
            default:
                Debug.Assert(cout - c == 3);
                WeightRows<TSimd, TVector, Block3>(ref Unsafe.Add(ref dy, c * dyStride), dyStride, ref x, xStride, steps,
                    ref Unsafe.Add(ref acc, c * rowStride), cin, kernel, dilation);
                break;
        }
    }

    /// <summary>One block of output channels against every input channel, taps split into near-equal blocks of ≤ 5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightRows<TSimd, TVector, TChannels>(ref float dy, nint dyStride, ref float x, nint xStride, nint steps,
        ref float acc, int cin, int kernel, int dilation)
        where TSimd : struct, ISimd<TVector> where TVector : struct where TChannels : struct, IBlockSize
    {
        nint n = TSimd.Count, rowStride = (nint)cin * kernel * n;
        int blocks = (kernel + MaxTapBlock - 1) / MaxTapBlock;
        for (int i = 0; i < cin; i++)
        {
            ref float xi = ref Unsafe.Add(ref x, i * xStride);
            ref float acci = ref Unsafe.Add(ref acc, i * kernel * n);
            int k = 0;
            for (int b = 0; b < blocks; b++)
            {
                // 11 taps → 4 + 4 + 3 rather than 5 + 5 + 1: a 1-tap block would load dy for a single FMA per channel.
                int size = kernel / blocks + (b < kernel % blocks ? 1 : 0);
                ref float xk = ref Unsafe.Add(ref xi, k * dilation);
                ref float acck = ref Unsafe.Add(ref acci, k * n);
                switch (size)
                {
                    case 5: WeightBlock<TSimd, TVector, TChannels, Block5>(ref dy, dyStride, ref xk, dilation, steps, ref acck, rowStride); break;
                    case 4: WeightBlock<TSimd, TVector, TChannels, Block4>(ref dy, dyStride, ref xk, dilation, steps, ref acck, rowStride); break;
                    case 3: WeightBlock<TSimd, TVector, TChannels, Block3>(ref dy, dyStride, ref xk, dilation, steps, ref acck, rowStride); break;
                    case 2: WeightBlock<TSimd, TVector, TChannels, Block2>(ref dy, dyStride, ref xk, dilation, steps, ref acck, rowStride); break;
                    default: WeightBlock<TSimd, TVector, TChannels, Block1>(ref dy, dyStride, ref xk, dilation, steps, ref acck, rowStride); break;
                }
                k += size;
            }
            Debug.Assert(k == kernel);
        }
    }

    /// <summary>
    /// The micro-kernel: TChannels rows of dy × TTaps shifted views of one x row, as TChannels·TTaps vector
    /// accumulators over the segment, loaded from and stored back to the partial sums at <paramref name="acc"/>
    /// (tap j of channel c at <c>acc[(c·rowStride) + j·n]</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightBlock<TSimd, TVector, TChannels, TTaps>(ref float dy, nint dyStride, ref float x, nint dilation, nint steps,
        ref float acc, nint rowStride)
        where TSimd : struct, ISimd<TVector> where TVector : struct
        where TChannels : struct, IBlockSize where TTaps : struct, IBlockSize
    {
        nint n = TSimd.Count;
        // Plain assignments, not out parameters: taking a local's address would keep it out of registers.
        TVector a00 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 0, 0, rowStride, n);
        TVector a01 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 0, 1, rowStride, n);
        TVector a02 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 0, 2, rowStride, n);
        TVector a03 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 0, 3, rowStride, n);
        TVector a04 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 0, 4, rowStride, n);
        TVector a10 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 1, 0, rowStride, n);
        TVector a11 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 1, 1, rowStride, n);
        TVector a12 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 1, 2, rowStride, n);
        TVector a13 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 1, 3, rowStride, n);
        TVector a14 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 1, 4, rowStride, n);
        TVector a20 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 2, 0, rowStride, n);
        TVector a21 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 2, 1, rowStride, n);
        TVector a22 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 2, 2, rowStride, n);
        TVector a23 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 2, 3, rowStride, n);
        TVector a24 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 2, 4, rowStride, n);
        TVector a30 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 3, 0, rowStride, n);
        TVector a31 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 3, 1, rowStride, n);
        TVector a32 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 3, 2, rowStride, n);
        TVector a33 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 3, 3, rowStride, n);
        TVector a34 = LoadSum<TSimd, TVector, TChannels, TTaps>(ref acc, 3, 4, rowStride, n);
        for (nint s = 0, t = 0; s < steps; s++, t += n)
        {
            TVector d0 = TSimd.Load(ref Unsafe.Add(ref dy, t));
            TVector d1 = TChannels.Value > 1 ? TSimd.Load(ref Unsafe.Add(ref dy, dyStride + t)) : default;
            TVector d2 = TChannels.Value > 2 ? TSimd.Load(ref Unsafe.Add(ref dy, 2 * dyStride + t)) : default;
            TVector d3 = TChannels.Value > 3 ? TSimd.Load(ref Unsafe.Add(ref dy, 3 * dyStride + t)) : default;

            TVector xv = TSimd.Load(ref Unsafe.Add(ref x, t));
            a00 = TSimd.MultiplyAdd(d0, xv, a00);
            if (TChannels.Value > 1) a10 = TSimd.MultiplyAdd(d1, xv, a10);
            if (TChannels.Value > 2) a20 = TSimd.MultiplyAdd(d2, xv, a20);
            if (TChannels.Value > 3) a30 = TSimd.MultiplyAdd(d3, xv, a30);
            if (TTaps.Value > 1)
            {
                xv = TSimd.Load(ref Unsafe.Add(ref x, dilation + t));
                a01 = TSimd.MultiplyAdd(d0, xv, a01);
                if (TChannels.Value > 1) a11 = TSimd.MultiplyAdd(d1, xv, a11);
                if (TChannels.Value > 2) a21 = TSimd.MultiplyAdd(d2, xv, a21);
                if (TChannels.Value > 3) a31 = TSimd.MultiplyAdd(d3, xv, a31);
            }
            if (TTaps.Value > 2)
            {
                xv = TSimd.Load(ref Unsafe.Add(ref x, 2 * dilation + t));
                a02 = TSimd.MultiplyAdd(d0, xv, a02);
                if (TChannels.Value > 1) a12 = TSimd.MultiplyAdd(d1, xv, a12);
                if (TChannels.Value > 2) a22 = TSimd.MultiplyAdd(d2, xv, a22);
                if (TChannels.Value > 3) a32 = TSimd.MultiplyAdd(d3, xv, a32);
            }
            if (TTaps.Value > 3)
            {
                xv = TSimd.Load(ref Unsafe.Add(ref x, 3 * dilation + t));
                a03 = TSimd.MultiplyAdd(d0, xv, a03);
                if (TChannels.Value > 1) a13 = TSimd.MultiplyAdd(d1, xv, a13);
                if (TChannels.Value > 2) a23 = TSimd.MultiplyAdd(d2, xv, a23);
                if (TChannels.Value > 3) a33 = TSimd.MultiplyAdd(d3, xv, a33);
            }
            if (TTaps.Value > 4)
            {
                xv = TSimd.Load(ref Unsafe.Add(ref x, 4 * dilation + t));
                a04 = TSimd.MultiplyAdd(d0, xv, a04);
                if (TChannels.Value > 1) a14 = TSimd.MultiplyAdd(d1, xv, a14);
                if (TChannels.Value > 2) a24 = TSimd.MultiplyAdd(d2, xv, a24);
                if (TChannels.Value > 3) a34 = TSimd.MultiplyAdd(d3, xv, a34);
            }
        }
        StoreSums<TSimd, TVector, TTaps>(ref acc, n, a00, a01, a02, a03, a04);
        if (TChannels.Value > 1) StoreSums<TSimd, TVector, TTaps>(ref Unsafe.Add(ref acc, rowStride), n, a10, a11, a12, a13, a14);
        if (TChannels.Value > 2) StoreSums<TSimd, TVector, TTaps>(ref Unsafe.Add(ref acc, 2 * rowStride), n, a20, a21, a22, a23, a24);
        if (TChannels.Value > 3) StoreSums<TSimd, TVector, TTaps>(ref Unsafe.Add(ref acc, 3 * rowStride), n, a30, a31, a32, a33, a34);
    }

    /// <summary>The partial sum of (channel c, tap j) if the block has them, else zero (an unused register).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LoadSum<TSimd, TVector, TChannels, TTaps>(ref float acc, int c, int j, nint rowStride, nint n)
        where TSimd : struct, ISimd<TVector> where TVector : struct
        where TChannels : struct, IBlockSize where TTaps : struct, IBlockSize =>
        c < TChannels.Value && j < TTaps.Value ? TSimd.Load(ref Unsafe.Add(ref acc, c * rowStride + j * n)) : default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSums<TSimd, TVector, TTaps>(ref float acc, nint n, TVector a0, TVector a1, TVector a2, TVector a3, TVector a4)
        where TSimd : struct, ISimd<TVector> where TVector : struct where TTaps : struct, IBlockSize
    {
        TSimd.Store(a0, ref acc);
        if (TTaps.Value > 1) TSimd.Store(a1, ref Unsafe.Add(ref acc, n));
        if (TTaps.Value > 2) TSimd.Store(a2, ref Unsafe.Add(ref acc, 2 * n));
        if (TTaps.Value > 3) TSimd.Store(a3, ref Unsafe.Add(ref acc, 3 * n));
        if (TTaps.Value > 4) TSimd.Store(a4, ref Unsafe.Add(ref acc, 4 * n));
    }
}
