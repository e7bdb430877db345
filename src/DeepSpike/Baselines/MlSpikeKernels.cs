using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSpike.Baselines;

/// <summary>
/// The row operations <see cref="MlSpikeHmm"/> is made of: span in, span out, no allocation, eight floats per
/// step with a scalar tail. Lengths are the destination's; callers pass equal lengths (asserted).
/// </summary>
internal static class MlSpikeKernels
{
    /// <summary><c>y += a · x</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(ReadOnlySpan<float> x, float a, Span<float> y)
    {
        Debug.Assert(x.Length == y.Length);
        int n = y.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rx, (nuint)i), va, Vector256.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ry, i) += a * Unsafe.Add(ref rx, i);
    }

    /// <summary><c>y_i += x_i · w_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddProduct(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y)
    {
        Debug.Assert(x.Length == y.Length && w.Length == y.Length);
        int n = y.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float ry = ref MemoryMarshal.GetReference(y);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rx, (nuint)i), Vector256.LoadUnsafe(ref rw, (nuint)i), Vector256.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ry, i) += Unsafe.Add(ref rx, i) * Unsafe.Add(ref rw, i);
    }

    /// <summary><c>y_i = x_i · w_i</c>, with <c>x_i</c> read as 0 below <paramref name="floor"/>; returns <c>Σ_i y_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, float floor = 0)
    {
        Debug.Assert(x.Length == y.Length && w.Length == y.Length);
        int n = y.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float ry = ref MemoryMarshal.GetReference(y);
        double sum = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            var vf = Vector256.Create(floor);
            for (; i <= n - 8; i += 8)
            {
                var a = Vector256.LoadUnsafe(ref rx, (nuint)i);
                var v = (a & Vector256.GreaterThanOrEqual(a, vf)) * Vector256.LoadUnsafe(ref rw, (nuint)i);
                v.StoreUnsafe(ref ry, (nuint)i);
                acc += v;
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++)
        {
            float a = Unsafe.Add(ref rx, i);
            float v = a >= floor ? a * Unsafe.Add(ref rw, i) : 0;
            Unsafe.Add(ref ry, i) = v;
            sum += v;
        }
        return sum;
    }

    /// <summary>True when every <c>x_i</c> is 0 (probabilities are never negative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsZero(ReadOnlySpan<float> x)
    {
        int n = x.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        if (Vector256.IsHardwareAccelerated)
        {
            var any = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) any = Vector256.Max(any, Vector256.LoadUnsafe(ref rx, (nuint)i));
            if (any != Vector256<float>.Zero) return false;
        }
        for (; i < n; i++)
            if (Unsafe.Add(ref rx, i) != 0) return false;
        return true;
    }

    /// <summary><c>x_i ← a · x_i</c>, then 0 where below <paramref name="floor"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(Span<float> x, float a, float floor = 0)
    {
        int n = x.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            var vf = Vector256.Create(floor);
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref rx, (nuint)i) * va;
                (v & Vector256.GreaterThanOrEqual(v, vf)).StoreUnsafe(ref rx, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref rx, i) * a;
            Unsafe.Add(ref rx, i) = v >= floor ? v : 0;
        }
    }

    /// <summary><c>q_i = −h (y − μ_i)²</c> (−∞ where μ_i = ±∞); returns <c>max_i q_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float LogGaussian(ReadOnlySpan<float> mean, float y, float h, Span<float> q)
    {
        Debug.Assert(mean.Length == q.Length);
        int n = q.Length, i = 0;
        ref float rm = ref MemoryMarshal.GetReference(mean);
        ref float rq = ref MemoryMarshal.GetReference(q);
        float max = float.NegativeInfinity;
        if (Vector256.IsHardwareAccelerated)
        {
            var vy = Vector256.Create(y);
            var vh = Vector256.Create(-h);
            var vmax = Vector256.Create(float.NegativeInfinity);
            for (; i <= n - 8; i += 8)
            {
                var r = vy - Vector256.LoadUnsafe(ref rm, (nuint)i);
                var v = r * r * vh;
                v.StoreUnsafe(ref rq, (nuint)i);
                vmax = Vector256.Max(vmax, v);
            }
            for (int k = 0; k < 8; k++) max = Math.Max(max, vmax[k]);
        }
        for (; i < n; i++)
        {
            float r = y - Unsafe.Add(ref rm, i);
            float v = -h * r * r;
            Unsafe.Add(ref rq, i) = v;
            max = Math.Max(max, v);
        }
        return max;
    }

    /// <summary>
    /// <c>x_i ← exp(x_i)</c> for <c>x_i ≤ 0</c> (the shifted log-likelihoods), to float precision (relative error
    /// &lt; 3e-7), and 0 below <paramref name="cutoff"/> (≥ <see cref="MinExpArgument"/>), including −∞.
    /// </summary>
    /// <remarks>Cephes' <c>expf</c>: <c>x = m ln 2 + r</c>, |r| ≤ ln 2 / 2, a degree-6 polynomial for <c>e^r</c>,
    /// then <c>2^m</c> through the exponent bits.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ExpNonPositive(Span<float> x, float cutoff = MinExpArgument)
    {
        Debug.Assert(cutoff >= MinExpArgument);
        int n = x.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        if (Vector256.IsHardwareAccelerated)
        {
            var lowest = Vector256.Create(cutoff);
            for (; i <= n - 8; i += 8) Exp(Vector256.LoadUnsafe(ref rx, (nuint)i), lowest).StoreUnsafe(ref rx, (nuint)i);
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref rx, i);
            Unsafe.Add(ref rx, i) = v < cutoff ? 0 : MathF.Exp(v);
        }
    }

    /// <summary>
    /// <c>ℓ_i = exp(q_i − shift)</c> (0 below <paramref name="cutoff"/>, see <see cref="ExpNonPositive"/>), stored in
    /// <paramref name="q"/>, and <c>y_i = p_i ℓ_i</c> with <c>p_i</c> read as 0 below <paramref name="floor"/>;
    /// returns <c>Σ_i y_i</c>. Requires <c>q_i ≤ shift</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double ExpMultiply(Span<float> q, float shift, float cutoff, ReadOnlySpan<float> p, float floor, Span<float> y)
    {
        Debug.Assert(q.Length == y.Length && p.Length == y.Length && cutoff >= MinExpArgument);
        int n = q.Length, i = 0;
        ref float rq = ref MemoryMarshal.GetReference(q);
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float ry = ref MemoryMarshal.GetReference(y);
        double sum = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var lowest = Vector256.Create(cutoff);
            var vs = Vector256.Create(shift);
            var vf = Vector256.Create(floor);
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var ell = Exp(Vector256.LoadUnsafe(ref rq, (nuint)i) - vs, lowest);
                ell.StoreUnsafe(ref rq, (nuint)i);
                var a = Vector256.LoadUnsafe(ref rp, (nuint)i);
                var v = (a & Vector256.GreaterThanOrEqual(a, vf)) * ell;
                v.StoreUnsafe(ref ry, (nuint)i);
                acc += v;
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++)
        {
            float e = Unsafe.Add(ref rq, i) - shift;
            float ell = e < cutoff ? 0 : MathF.Exp(e);
            Unsafe.Add(ref rq, i) = ell;
            float a = Unsafe.Add(ref rp, i);
            float v = a >= floor ? a * ell : 0;
            Unsafe.Add(ref ry, i) = v;
            sum += v;
        }
        return sum;
    }

    /// <summary>exp of each lane (see <see cref="ExpNonPositive"/>), 0 below <paramref name="lowest"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> v, Vector256<float> lowest)
    {
        var underflow = Vector256.LessThan(v, lowest);
        v = Vector256.Max(v, lowest);
        var m = Vector256.Round(v * Vector256.Create(1.44269504088896341f));
        var r = v - m * Vector256.Create(0.693359375f) - m * Vector256.Create(-2.12194440e-4f);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(1.9875691500e-4f), r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        var e = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256.Create(1f);
        var scaled = (e.AsInt32() + (Vector256.ConvertToInt32(m) << 23)).AsSingle();
        return Vector256.AndNot(scaled, underflow);
    }

    /// <summary>ln of float's smallest normal number: <see cref="ExpNonPositive"/> returns 0 below it.</summary>
    public const float MinExpArgument = -87.33654f;

    /// <summary><c>y_i = min(y_i, x_i + a)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MinPlus(ReadOnlySpan<float> x, float a, Span<float> y)
    {
        Debug.Assert(x.Length == y.Length);
        int n = y.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 8; i += 8)
                Vector256.Min(Vector256.LoadUnsafe(ref ry, (nuint)i), Vector256.LoadUnsafe(ref rx, (nuint)i) + va).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ry, i) = Math.Min(Unsafe.Add(ref ry, i), Unsafe.Add(ref rx, i) + a);
    }

    /// <summary><c>y_i = min(y_i, x_i + w_i)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MinPlus(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y)
    {
        Debug.Assert(x.Length == y.Length && w.Length == y.Length);
        int n = y.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float ry = ref MemoryMarshal.GetReference(y);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
                Vector256.Min(Vector256.LoadUnsafe(ref ry, (nuint)i), Vector256.LoadUnsafe(ref rx, (nuint)i) + Vector256.LoadUnsafe(ref rw, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ry, i) = Math.Min(Unsafe.Add(ref ry, i), Unsafe.Add(ref rx, i) + Unsafe.Add(ref rw, i));
    }

    /// <summary><c>y_i = min(y_i, a0 · x0_i + a1 · x1_i + c)</c> for <c>a0, a1 &gt; 0</c> (so +∞ stays +∞, never NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MinInterpolated(ReadOnlySpan<float> x0, float a0, ReadOnlySpan<float> x1, float a1, float c, Span<float> y)
    {
        Debug.Assert(x0.Length == y.Length && x1.Length == y.Length && a0 > 0 && a1 > 0);
        int n = y.Length, i = 0;
        ref float r0 = ref MemoryMarshal.GetReference(x0);
        ref float r1 = ref MemoryMarshal.GetReference(x1);
        ref float ry = ref MemoryMarshal.GetReference(y);
        if (Vector256.IsHardwareAccelerated)
        {
            var v0 = Vector256.Create(a0);
            var v1 = Vector256.Create(a1);
            var vc = Vector256.Create(c);
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, (nuint)i), v1, Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)i), v0, vc));
                Vector256.Min(Vector256.LoadUnsafe(ref ry, (nuint)i), v).StoreUnsafe(ref ry, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref ry, i) = Math.Min(Unsafe.Add(ref ry, i), a0 * Unsafe.Add(ref r0, i) + a1 * Unsafe.Add(ref r1, i) + c);
    }
}
