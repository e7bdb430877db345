using System.Numerics;
using System.Runtime.CompilerServices;

namespace DeepSpike.Preprocessing;

/// <summary>Order statistics in expected linear time: a percentile needs two ranks, not a sort.</summary>
public static class OrderStatistics
{
    /// <summary>
    /// The q-th percentile (0–100) with linear interpolation between the two nearest ranks (NumPy's
    /// default), computed in place: <paramref name="values"/> is reordered. NaN for an empty span.
    /// </summary>
    public static double Percentile<T>(Span<T> values, double q) where T : struct, IFloatingPoint<T>
    {
        if (values.Length == 0) return double.NaN;
        double position = Math.Clamp(q, 0, 100) / 100 * (values.Length - 1);
        int lo = (int)Math.Floor(position);
        double low = double.CreateChecked(Select(values, lo));
        if (lo + 1 >= values.Length || position == lo) return low;
        // After selection everything right of lo is ≥ values[lo]: the next rank is their minimum.
        T high = values[lo + 1];
        foreach (T v in values[(lo + 1)..]) if (v < high) high = v;
        return low + (position - lo) * (double.CreateChecked(high) - low);
    }

    /// <summary>The q-th percentile of a copy of <paramref name="values"/> (the input is not modified).</summary>
    public static double Percentile(ReadOnlySpan<float> values, double q)
    {
        if (values.Length == 0) return double.NaN;
        var pool = System.Buffers.ArrayPool<float>.Shared;
        var copy = pool.Rent(values.Length);
        try
        {
            values.CopyTo(copy);
            return Percentile(copy.AsSpan(0, values.Length), q);
        }
        finally { pool.Return(copy); }
    }

    /// <summary>The value of rank <paramref name="k"/> (0-based, Hoare quickselect); partially reorders <paramref name="values"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Select<T>(Span<T> values, int k) where T : struct, IFloatingPoint<T>
    {
        if ((uint)k >= (uint)values.Length) throw new ArgumentOutOfRangeException(nameof(k), $"rank {k} is outside 0..{values.Length - 1}");
        int left = 0, right = values.Length - 1;
        while (right > left)
        {
            // Median of three guards against already-sorted input.
            int mid = left + (right - left) / 2;
            if (values[mid] < values[left]) (values[mid], values[left]) = (values[left], values[mid]);
            if (values[right] < values[left]) (values[right], values[left]) = (values[left], values[right]);
            if (values[right] < values[mid]) (values[right], values[mid]) = (values[mid], values[right]);
            T pivot = values[mid];
            int i = left, j = right;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) { (values[i], values[j]) = (values[j], values[i]); i++; j--; }
            }
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return values[k];
        }
        return values[k];
    }
}
