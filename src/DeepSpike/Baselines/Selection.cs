using System.Runtime.CompilerServices;
namespace DeepSpike.Baselines;

/// <summary>Order statistics in expected linear time (a percentile needs two ranks, not a sort).</summary>
internal static class Selection
{
    /// <summary>
    /// The q-th percentile (0–100) with linear interpolation between the two nearest ranks (NumPy's
    /// default), computed in place: <paramref name="values"/> is reordered.
    /// </summary>
    public static double Percentile(Span<double> values, double q)
    {
        if (values.Length == 0) return double.NaN;
        double position = Math.Clamp(q, 0, 100) / 100 * (values.Length - 1);
        int lo = (int)Math.Floor(position);
        double low = Select(values, lo);
        if (lo + 1 >= values.Length || position == lo) return low;
        // After selection everything right of lo is ≥ values[lo]: the next rank is their minimum.
        double high = double.PositiveInfinity;
        foreach (double v in values[(lo + 1)..]) high = Math.Min(high, v);
        return low + (position - lo) * (high - low);
    }

    /// <summary>The value of rank <paramref name="k"/> (0-based); partially reorders <paramref name="values"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Select(Span<double> values, int k)
    {
        int left = 0, right = values.Length - 1;
        while (right > left)
        {
            // Median of three guards against already-sorted input.
            int mid = left + (right - left) / 2;
            if (values[mid] < values[left]) Swap(values, mid, left);
            if (values[right] < values[left]) Swap(values, right, left);
            if (values[right] < values[mid]) Swap(values, right, mid);
            double pivot = values[mid];
            int i = left, j = right;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) { Swap(values, i, j); i++; j--; }
            }
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return values[k];
        }
        return values[k];
    }

    private static void Swap(Span<double> v, int a, int b) => (v[a], v[b]) = (v[b], v[a]);
}
