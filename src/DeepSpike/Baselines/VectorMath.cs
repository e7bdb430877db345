using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSpike.Baselines;

/// <summary>
/// The few double-precision reductions the baselines need, compiled fully optimised on first call
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>) so that per-trace timings do not depend on
/// whether tiered compilation has caught up yet.
/// </summary>
internal static class VectorMath
{
    /// <summary><c>Σ_i a_i b_i</c> over the shorter length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int n = Math.Min(a.Length, b.Length), i = 0;
        ref double ra = ref MemoryMarshal.GetReference(a);
        ref double rb = ref MemoryMarshal.GetReference(b);
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            // Two accumulators: the adds' latency, not the loads, bounds a single one.
            var acc0 = Vector512<double>.Zero;
            var acc1 = Vector512<double>.Zero;
            for (; i <= n - 16; i += 16)
            {
                acc0 += Vector512.LoadUnsafe(ref ra, (nuint)i) * Vector512.LoadUnsafe(ref rb, (nuint)i);
                acc1 += Vector512.LoadUnsafe(ref ra, (nuint)(i + 8)) * Vector512.LoadUnsafe(ref rb, (nuint)(i + 8));
            }
            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (; i <= n - 8; i += 8)
            {
                acc0 += Vector256.LoadUnsafe(ref ra, (nuint)i) * Vector256.LoadUnsafe(ref rb, (nuint)i);
                acc1 += Vector256.LoadUnsafe(ref ra, (nuint)(i + 4)) * Vector256.LoadUnsafe(ref rb, (nuint)(i + 4));
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
        return sum;
    }

    /// <summary><c>Σ_i a_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Sum(ReadOnlySpan<double> a)
    {
        int n = a.Length, i = 0;
        ref double ra = ref MemoryMarshal.GetReference(a);
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc0 = Vector512<double>.Zero;
            var acc1 = Vector512<double>.Zero;
            for (; i <= n - 16; i += 16)
            {
                acc0 += Vector512.LoadUnsafe(ref ra, (nuint)i);
                acc1 += Vector512.LoadUnsafe(ref ra, (nuint)(i + 8));
            }
            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (; i <= n - 8; i += 8)
            {
                acc0 += Vector256.LoadUnsafe(ref ra, (nuint)i);
                acc1 += Vector256.LoadUnsafe(ref ra, (nuint)(i + 4));
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref ra, i);
        return sum;
    }

    /// <summary><c>result_i = a_i − b</c> for i &lt; <c>a.Length</c> (≤ <c>result.Length</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Subtract(ReadOnlySpan<double> a, double b, Span<double> result)
    {
        int n = a.Length, i = 0;
        if (result.Length < n) throw new ArgumentException($"result has {result.Length} elements for {n} inputs", nameof(result));
        ref double ra = ref MemoryMarshal.GetReference(a);
        ref double rr = ref MemoryMarshal.GetReference(result);
        if (Vector512.IsHardwareAccelerated)
        {
            var vb = Vector512.Create(b);
            for (; i <= n - 8; i += 8) (Vector512.LoadUnsafe(ref ra, (nuint)i) - vb).StoreUnsafe(ref rr, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vb = Vector256.Create(b);
            for (; i <= n - 4; i += 4) (Vector256.LoadUnsafe(ref ra, (nuint)i) - vb).StoreUnsafe(ref rr, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref rr, i) = Unsafe.Add(ref ra, i) - b;
    }

    /// <summary>Copies with a float conversion (round to nearest).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] ToSingle(ReadOnlySpan<double> x)
    {
        var result = new float[x.Length];
        for (int i = 0; i < x.Length; i++) result[i] = (float)x[i];
        return result;
    }
}
