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
        if (Vector256.IsHardwareAccelerated && n >= 8)
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
        if (Vector256.IsHardwareAccelerated && n >= 8)
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

    /// <summary>Copies with a float conversion (round to nearest).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] ToSingle(ReadOnlySpan<double> x)
    {
        var result = new float[x.Length];
        for (int i = 0; i < x.Length; i++) result[i] = (float)x[i];
        return result;
    }
}
