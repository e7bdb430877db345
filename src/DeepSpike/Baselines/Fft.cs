using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSpike.Baselines;

/// <summary>
/// In-place radix-4/2 complex FFT, <c>X_k = Σ_n x_n e^{−2πikn/N}</c>, for power-of-two N, of
/// <see cref="Vector512{T}.Count"/> sequences at once on split real and imaginary spans of vectors (without
/// AVX-512 a <see cref="Vector512{T}"/> runs as two 256-bit halves). Twiddles (per stage, contiguous) and the
/// bit-reversal table are computed once per size and shared.
/// </summary>
internal sealed class Fft
{
    private static readonly ConcurrentDictionary<int, Fft> Plans = new();
    private readonly double[] _cos, _sin;     // stage with half-size h at offset h − 1: e^{−iπk/h}, k < h
    private readonly double[] _cos3, _sin3;   // for radix-4 passes, stage h at offset h/2 − 1: e^{−3iπk/h}, k < h/2

    private Fft(int n)
    {
        Size = n;
        _cos = new double[n];
        _sin = new double[n];
        _cos3 = new double[n / 2];
        _sin3 = new double[n / 2];
        for (int half = 1; half < n; half <<= 1)
        {
            for (int k = 0; k < half; k++)
            {
                _cos[half - 1 + k] = Math.Cos(Math.PI * k / half);
                _sin[half - 1 + k] = -Math.Sin(Math.PI * k / half);
            }
            for (int k = 0; k < half / 2; k++)
            {
                _cos3[half / 2 - 1 + k] = Math.Cos(3 * Math.PI * k / half);
                _sin3[half / 2 - 1 + k] = -Math.Sin(3 * Math.PI * k / half);
            }
        }
        int bits = System.Numerics.BitOperations.Log2((uint)n);
        var reversal = new int[n];
        for (int i = 0; i < n; i++) reversal[i] = (int)(ReverseBits((uint)i) >> (32 - bits));
        BitReversal = reversal;
    }

    /// <summary>Transform length.</summary>
    public int Size { get; }

    /// <summary>Index → its bit reversal: where a decimation-in-frequency transform leaves each bin.</summary>
    public int[] BitReversal { get; }

    /// <summary>The shared plan for length <paramref name="n"/> (a power of two ≥ 2).</summary>
    public static Fft ForSize(int n)
    {
        System.Diagnostics.Debug.Assert(n >= 2 && System.Numerics.BitOperations.IsPow2(n));
        return Plans.GetOrAdd(n, static size => new Fft(size));
    }

    /// <summary>
    /// Forward transforms of <see cref="Vector512{T}.Count"/> independent sequences at once, one per lane: element
    /// n of <paramref name="re"/> and <paramref name="im"/> holds sample n of every sequence. In place, by
    /// decimation in frequency, so bin k ends up at <see cref="BitReversal"/>[k]. Butterflies are whole-vector
    /// operations with broadcast twiddles and no shuffles: the lanes never mix. Needs <see cref="Size"/> ≥ 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ForwardLanesToBitReversed(Span<Vector512<double>> re, Span<Vector512<double>> im)
    {
        int n = Size;
        if (n < 4 || re.Length < n || im.Length < n) throw new ArgumentException("transform needs >= 4 points and full-length spans");
        ref var reRef = ref MemoryMarshal.GetReference(re);
        ref var imRef = ref MemoryMarshal.GetReference(im);
        // Stages of half-size n/2 … 4 in pairs (radix 4: half the loads and stores of two radix-2 passes), one
        // radix-2 stage if their count is odd, then the last two stages without multiplications.
        int half = n / 2;
        for (; half >= 8; half >>= 2) Radix4Stage(ref reRef, ref imRef, half);
        if (half == 4)
        {
            for (int start = 0; start < n; start += 8)
            {
                for (int k = 0; k < 4; k++)
                {
                    ref var ra = ref Unsafe.Add(ref reRef, start + k);
                    ref var ia = ref Unsafe.Add(ref imRef, start + k);
                    ref var rb = ref Unsafe.Add(ref ra, 4);
                    ref var ib = ref Unsafe.Add(ref ia, 4);
                    var wr = Vector512.Create(_cos[3 + k]);
                    var wi = Vector512.Create(_sin[3 + k]);
                    var (xr, xi, zr, zi) = (ra, ia, rb, ib);
                    ra = xr + zr;
                    ia = xi + zi;
                    var dr = xr - zr;
                    var di = xi - zi;
                    rb = dr * wr - di * wi;
                    ib = dr * wi + di * wr;
                }
            }
        }
        // Last two stages (twiddles 1, −i and 1) as one radix-4 pass.
        for (int a = 0; a < n; a += 4)
        {
            ref var r0 = ref Unsafe.Add(ref reRef, a);
            ref var i0 = ref Unsafe.Add(ref imRef, a);
            var (x0, x1, x2, x3) = (r0, Unsafe.Add(ref r0, 1), Unsafe.Add(ref r0, 2), Unsafe.Add(ref r0, 3));
            var (y0, y1, y2, y3) = (i0, Unsafe.Add(ref i0, 1), Unsafe.Add(ref i0, 2), Unsafe.Add(ref i0, 3));
            var (sr0, si0, sr1, si1) = (x0 + x2, y0 + y2, x1 + x3, y1 + y3);
            var (dr0, di0) = (x0 - x2, y0 - y2);
            // (x1 − x3)(−i) = (y1 − y3) − i (x1 − x3)
            var (dr1, di1) = (y1 - y3, x3 - x1);
            r0 = sr0 + sr1; i0 = si0 + si1;
            Unsafe.Add(ref r0, 1) = sr0 - sr1; Unsafe.Add(ref i0, 1) = si0 - si1;
            Unsafe.Add(ref r0, 2) = dr0 + dr1; Unsafe.Add(ref i0, 2) = di0 + di1;
            Unsafe.Add(ref r0, 3) = dr0 - dr1; Unsafe.Add(ref i0, 3) = di0 - di1;
        }
    }

    /// <summary>
    /// The decimation-in-frequency stages of half-sizes h and h/2 at once. With q = h/2, w = e^{−iπ/h} and the
    /// four inputs x0..x3 at k, k + q, k + h, k + h + q of a block (k &lt; q), the two radix-2 stages give
    /// <c>y0 = (x0 + x2) + (x1 + x3)</c>, <c>y1 = ((x0 + x2) − (x1 + x3)) w^{2k}</c>,
    /// <c>y2 = ((x0 − x2) − i(x1 − x3)) w^k</c> and <c>y3 = ((x0 − x2) + i(x1 − x3)) w^{3k}</c>, in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Radix4Stage(ref Vector512<double> reRef, ref Vector512<double> imRef, int half)
    {
        int n = Size, quarter = half / 2;
        ref double cos1 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cos), half - 1);
        ref double sin1 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sin), half - 1);
        ref double cos2 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cos), quarter - 1);
        ref double sin2 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sin), quarter - 1);
        ref double cos3 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cos3), quarter - 1);
        ref double sin3 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sin3), quarter - 1);
        for (int start = 0; start < n; start += 2 * half)
        {
            for (int k = 0; k < quarter; k++)
            {
                ref var r0 = ref Unsafe.Add(ref reRef, start + k);
                ref var i0 = ref Unsafe.Add(ref imRef, start + k);
                ref var r1 = ref Unsafe.Add(ref r0, quarter);
                ref var i1 = ref Unsafe.Add(ref i0, quarter);
                ref var r2 = ref Unsafe.Add(ref r0, half);
                ref var i2 = ref Unsafe.Add(ref i0, half);
                ref var r3 = ref Unsafe.Add(ref r2, quarter);
                ref var i3 = ref Unsafe.Add(ref i2, quarter);
                var (sr02, si02, dr02, di02) = (r0 + r2, i0 + i2, r0 - r2, i0 - i2);
                var (sr13, si13, dr13, di13) = (r1 + r3, i1 + i3, r1 - r3, i1 - i3);
                r0 = sr02 + sr13;
                i0 = si02 + si13;
                Rotate(sr02 - sr13, si02 - si13, Unsafe.Add(ref cos2, k), Unsafe.Add(ref sin2, k), out r1, out i1);
                // −i(x1 − x3) = (di13, −dr13)
                Rotate(dr02 + di13, di02 - dr13, Unsafe.Add(ref cos1, k), Unsafe.Add(ref sin1, k), out r2, out i2);
                Rotate(dr02 - di13, di02 + dr13, Unsafe.Add(ref cos3, k), Unsafe.Add(ref sin3, k), out r3, out i3);
            }
        }
    }

    /// <summary><c>(xr + i·xi)(cos + i·sin)</c> on every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rotate(Vector512<double> xr, Vector512<double> xi, double cos, double sin, out Vector512<double> re, out Vector512<double> im)
    {
        var (wr, wi) = (Vector512.Create(cos), Vector512.Create(sin));
        re = xr * wr - xi * wi;
        im = xr * wi + xi * wr;
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
