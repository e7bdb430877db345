using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
namespace DeepSpike.Baselines;

/// <summary>Checks that baselines apply to one fluorescence trace before any arithmetic touches it.</summary>
internal static class TraceValidation
{
    /// <summary>
    /// Copies <paramref name="fluorescence"/> to doubles after checking it is non-empty, finite and not
    /// constant, and at least <paramref name="minFrames"/> long.
    /// </summary>
    /// <exception cref="ArgumentException">The message names the problem and, for a non-finite value, the frame.</exception>
    public static double[] ToCheckedDoubles(ReadOnlySpan<float> fluorescence, int minFrames = 1)
    {
        if (fluorescence.Length == 0) throw new ArgumentException("trace is empty: nothing to deconvolve");
        var y = GC.AllocateUninitializedArray<double>(fluorescence.Length); // every element is written below
        ToCheckedDoubles(fluorescence, y, minFrames);
        return y;
    }

    /// <summary>As <see cref="ToCheckedDoubles(ReadOnlySpan{float}, int)"/>, into <paramref name="y"/> (as long as the trace).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToCheckedDoubles(ReadOnlySpan<float> fluorescence, double[] y, int minFrames = 1)
    {
        if (fluorescence.Length == 0) throw new ArgumentException("trace is empty: nothing to deconvolve");
        if (y.Length != fluorescence.Length) throw new ArgumentException($"destination has {y.Length} elements for a trace of {fluorescence.Length} frames", nameof(y));
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        bool finite = true;
        int t0 = 0;
        if (Vector256.IsHardwareAccelerated && y.Length >= 8)
        {
            // v − v is 0 for finite v and NaN otherwise; a NaN anywhere survives the sum.
            var nan = Vector256<float>.Zero;
            var lo = Vector256.Create(float.PositiveInfinity);
            var hi = Vector256.Create(float.NegativeInfinity);
            ref float source = ref MemoryMarshal.GetReference(fluorescence);
            ref double target = ref MemoryMarshal.GetArrayDataReference(y);
            for (; t0 <= y.Length - 8; t0 += 8)
            {
                var v = Vector256.LoadUnsafe(ref source, (nuint)t0);
                nan += v - v;
                lo = Vector256.Min(lo, v);
                hi = Vector256.Max(hi, v);
                var (lower, upper) = Vector256.Widen(v);
                lower.StoreUnsafe(ref target, (nuint)t0);
                upper.StoreUnsafe(ref target, (nuint)(t0 + 4));
            }
            finite = float.IsFinite(Vector256.Sum(nan));
            for (int i = 0; i < 8; i++)
            {
                min = Math.Min(min, lo[i]);
                max = Math.Max(max, hi[i]);
            }
        }
        for (int t = t0; t < y.Length; t++)
        {
            float v = fluorescence[t];
            finite &= float.IsFinite(v);
            if (v < min) min = v;
            if (v > max) max = v;
            y[t] = v;
        }
        if (!finite)
        {
            int t = 0;
            while (float.IsFinite(fluorescence[t])) t++;
            throw new ArgumentException($"trace has {fluorescence[t]} at frame {t}; remove or interpolate non-finite values first");
        }
        if (y.Length > 1 && min == max)
            throw new ArgumentException($"trace is constant (every frame is {fluorescence[0]}): there is no signal to deconvolve");
        if (fluorescence.Length < minFrames)
            throw new ArgumentException($"trace has {fluorescence.Length} frames; need at least {minFrames} to estimate the noise and AR coefficients (or give them)");
    }

    /// <summary>Throws unless <paramref name="frameRateHz"/> is finite and &gt; 0.</summary>
    public static void CheckFrameRate(double frameRateHz)
    {
        if (!(frameRateHz > 0 && double.IsFinite(frameRateHz)))
            throw new ArgumentOutOfRangeException(nameof(frameRateHz), frameRateHz, $"frame rate must be > 0 Hz, got {frameRateHz}");
    }
}
