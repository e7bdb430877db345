using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSpike.Baselines;

/// <summary>
/// In-place radix-2 complex FFT, <c>X_k = Σ_n x_n e^{−2πikn/N}</c>, for power-of-two N, on split real and
/// imaginary arrays. Twiddles (stored per stage, contiguously, so a stage's inner loop runs over 4 butterflies
/// per 256-bit vector) and the bit-reversal pairs are computed once per size and shared.
/// </summary>
internal sealed class Fft
{
    private static readonly ConcurrentDictionary<int, Fft> Plans = new();
    private readonly double[] _cos, _sin;     // stage with half-size h at offset h − 1: e^{−iπk/h}, k < h
    private readonly int[] _swaps;            // bit-reversal pairs (i, j), i < j

    private Fft(int n)
    {
        Size = n;
        _cos = new double[n];
        _sin = new double[n];
        for (int half = 1; half < n; half <<= 1)
        {
            for (int k = 0; k < half; k++)
            {
                _cos[half - 1 + k] = Math.Cos(Math.PI * k / half);
                _sin[half - 1 + k] = -Math.Sin(Math.PI * k / half);
            }
        }
        var swaps = new List<int>();
        int bits = System.Numerics.BitOperations.Log2((uint)n);
        for (int i = 0; i < n; i++)
        {
            int j = (int)(ReverseBits((uint)i) >> (32 - bits));
            if (j > i) { swaps.Add(i); swaps.Add(j); }
        }
        _swaps = swaps.ToArray();
        var reversal = new int[n];
        for (int i = 0; i < n; i++) reversal[i] = (int)(ReverseBits((uint)i) >> (32 - bits));
        BitReversal = reversal;
    }

    /// <summary>Transform length.</summary>
    public int Size { get; }

    /// <summary>The shared plan for length <paramref name="n"/> (a power of two ≥ 2).</summary>
    public static Fft ForSize(int n)
    {
        System.Diagnostics.Debug.Assert(n >= 2 && System.Numerics.BitOperations.IsPow2(n));
        return Plans.GetOrAdd(n, static size => new Fft(size));
    }

    /// <summary>Forward transform of <c>re + i·im</c>, in place; both arrays have length <see cref="Size"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(double[] re, double[] im)
    {
        int n = Size;
        System.Diagnostics.Debug.Assert(re.Length == n && im.Length == n);
        var swaps = _swaps;
        for (int s = 0; s < swaps.Length; s += 2)
        {
            int i = swaps[s], j = swaps[s + 1];
            (re[i], re[j]) = (re[j], re[i]);
            (im[i], im[j]) = (im[j], im[i]);
        }
        ForwardBitReversed(re, im);
    }

    /// <summary>Index <c>n</c> → its bit reversal: input loaded as <c>re[BitReversal[n]] = x_n</c> suits <see cref="ForwardBitReversed"/>.</summary>
    public int[] BitReversal { get; }

    /// <summary>The transform of input already stored in bit-reversed order (see <see cref="BitReversal"/>); result in natural order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ForwardBitReversed(double[] re, double[] im)
    {
        int n = Size;
        System.Diagnostics.Debug.Assert(re.Length >= n && im.Length >= n);
        // First two stages have twiddles 1 and −i: one radix-4 pass without multiplications.
        if (n >= 4)
        {
            ref double rr = ref MemoryMarshal.GetArrayDataReference(re);
            ref double ii = ref MemoryMarshal.GetArrayDataReference(im);
            for (int a = 0; a < n; a += 4)
            {
                ref double ra = ref Unsafe.Add(ref rr, a);
                ref double ia = ref Unsafe.Add(ref ii, a);
                double x0 = ra, x1 = Unsafe.Add(ref ra, 1), x2 = Unsafe.Add(ref ra, 2), x3 = Unsafe.Add(ref ra, 3);
                double y0 = ia, y1 = Unsafe.Add(ref ia, 1), y2 = Unsafe.Add(ref ia, 2), y3 = Unsafe.Add(ref ia, 3);
                double r0 = x0 + x1, i0 = y0 + y1;
                double r1 = x0 - x1, i1 = y0 - y1;
                double r2 = x2 + x3, i2 = y2 + y3;
                double r3 = x2 - x3, i3 = y2 - y3;
                ra = r0 + r2; ia = i0 + i2;
                Unsafe.Add(ref ra, 2) = r0 - r2; Unsafe.Add(ref ia, 2) = i0 - i2;
                // (r3 + i i3)(−i) = i3 − i r3
                Unsafe.Add(ref ra, 1) = r1 + i3; Unsafe.Add(ref ia, 1) = i1 - r3;
                Unsafe.Add(ref ra, 3) = r1 - i3; Unsafe.Add(ref ia, 3) = i1 + r3;
            }
        }
        else
        {
            double r = re[1], i = im[1];
            re[1] = re[0] - r; im[1] = im[0] - i;
            re[0] += r; im[0] += i;
            return;
        }
        for (int half = 4; half < n; half <<= 1)
        {
            if (Vector256.IsHardwareAccelerated) Stage256(re, im, half);
            else StageScalar(re, im, half);
        }
    }

    private void StageScalar(double[] re, double[] im, int half)
    {
        int n = Size, offset = half - 1;
        for (int start = 0; start < n; start += 2 * half)
        {
            for (int k = 0; k < half; k++)
            {
                double wr = _cos[offset + k], wi = _sin[offset + k];
                int a = start + k, b = a + half;
                double tr = wr * re[b] - wi * im[b];
                double ti = wr * im[b] + wi * re[b];
                re[b] = re[a] - tr; im[b] = im[a] - ti;
                re[a] += tr; im[a] += ti;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Stage256(double[] re, double[] im, int half)
    {
        int n = Size, offset = half - 1;
        ref double reRef = ref MemoryMarshal.GetArrayDataReference(re);
        ref double imRef = ref MemoryMarshal.GetArrayDataReference(im);
        ref double cosRef = ref MemoryMarshal.GetArrayDataReference(_cos);
        ref double sinRef = ref MemoryMarshal.GetArrayDataReference(_sin);
        for (int start = 0; start < n; start += 2 * half)
        {
            for (int k = 0; k < half; k += 4)
            {
                nuint a = (nuint)(start + k), b = a + (nuint)half, w = (nuint)(offset + k);
                var wr = Vector256.LoadUnsafe(ref cosRef, w);
                var wi = Vector256.LoadUnsafe(ref sinRef, w);
                var rb = Vector256.LoadUnsafe(ref reRef, b);
                var ib = Vector256.LoadUnsafe(ref imRef, b);
                var ra = Vector256.LoadUnsafe(ref reRef, a);
                var ia = Vector256.LoadUnsafe(ref imRef, a);
                var tr = wr * rb - wi * ib;
                var ti = wr * ib + wi * rb;
                (ra - tr).StoreUnsafe(ref reRef, b);
                (ia - ti).StoreUnsafe(ref imRef, b);
                (ra + tr).StoreUnsafe(ref reRef, a);
                (ia + ti).StoreUnsafe(ref imRef, a);
            }
        }
    }

    /// <summary>
    /// Forward transform of <c>re + i·im</c> in natural order, in place, by decimation in frequency: the
    /// result is left in bit-reversed order (bin k at <c>BitReversal[k]</c>). Needs <see cref="Size"/> ≥ 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ForwardToBitReversed(double[] re, double[] im)
    {
        int n = Size;
        if (n < 8 || re.Length < n || im.Length < n) throw new ArgumentException("transform needs >= 8 points and full-length arrays");
        ref double reRef = ref MemoryMarshal.GetArrayDataReference(re);
        ref double imRef = ref MemoryMarshal.GetArrayDataReference(im);
        ref double cosRef = ref MemoryMarshal.GetArrayDataReference(_cos);
        ref double sinRef = ref MemoryMarshal.GetArrayDataReference(_sin);
        for (int half = n / 2; half >= 4; half >>= 1)
        {
            int offset = half - 1;
            for (int start = 0; start < n; start += 2 * half)
            {
                for (int k = 0; k < half; k += 4)
                {
                    nuint a = (nuint)(start + k), b = a + (nuint)half, w = (nuint)(offset + k);
                    var ra = Vector256.LoadUnsafe(ref reRef, a);
                    var ia = Vector256.LoadUnsafe(ref imRef, a);
                    var rb = Vector256.LoadUnsafe(ref reRef, b);
                    var ib = Vector256.LoadUnsafe(ref imRef, b);
                    var wr = Vector256.LoadUnsafe(ref cosRef, w);
                    var wi = Vector256.LoadUnsafe(ref sinRef, w);
                    (ra + rb).StoreUnsafe(ref reRef, a);
                    (ia + ib).StoreUnsafe(ref imRef, a);
                    var dr = ra - rb;
                    var di = ia - ib;
                    (dr * wr - di * wi).StoreUnsafe(ref reRef, b);
                    (dr * wi + di * wr).StoreUnsafe(ref imRef, b);
                }
            }
        }
        // Last two stages (twiddles 1, −i and 1) as one radix-4 pass.
        for (int a = 0; a < n; a += 4)
        {
            ref double ra = ref Unsafe.Add(ref reRef, a);
            ref double ia = ref Unsafe.Add(ref imRef, a);
            double x0 = ra, x1 = Unsafe.Add(ref ra, 1), x2 = Unsafe.Add(ref ra, 2), x3 = Unsafe.Add(ref ra, 3);
            double y0 = ia, y1 = Unsafe.Add(ref ia, 1), y2 = Unsafe.Add(ref ia, 2), y3 = Unsafe.Add(ref ia, 3);
            double r0 = x0 + x2, i0 = y0 + y2, r1 = x1 + x3, i1 = y1 + y3;
            double r2 = x0 - x2, i2 = y0 - y2;
            // (x1 − x3)(−i) = (y1 − y3) − i (x1 − x3)
            double r3 = y1 - y3, i3 = x3 - x1;
            ra = r0 + r1; ia = i0 + i1;
            Unsafe.Add(ref ra, 1) = r0 - r1; Unsafe.Add(ref ia, 1) = i0 - i1;
            Unsafe.Add(ref ra, 2) = r2 + r3; Unsafe.Add(ref ia, 2) = i2 + i3;
            Unsafe.Add(ref ra, 3) = r2 - r3; Unsafe.Add(ref ia, 3) = i2 - i3;
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}
