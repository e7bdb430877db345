using System.Buffers;
using System.Numerics;

namespace DeepSpike.Preprocessing;

/// <summary>
/// A running percentile, the usual fluorescence baseline F₀: for every frame t, the q-th percentile
/// of the trace over a centred window of W frames, <c>[t − ⌊W/2⌋, t + W − 1 − ⌊W/2⌋]</c> (the window
/// of <c>scipy.ndimage.percentile_filter</c>), truncated at the ends of the trace rather than padded.
/// Percentiles interpolate linearly between ranks, as <see cref="OrderStatistics.Percentile{T}"/> and NumPy do.
/// </summary>
/// <remarks>
/// O(T log T) time and O(T) memory for a trace of T frames, whatever W: values are ranked once by a
/// sort, and a Fenwick tree over ranks holds the window, so each step is one insertion, one removal and
/// one or two k-th-rank searches of O(log T). A 10⁵-frame trace with W = 6000 takes a few milliseconds.
/// The result is exact (no decimation).
/// </remarks>
public static class RunningPercentile
{
    /// <summary>The window in frames for a window of <paramref name="windowSeconds"/> at <paramref name="frameRateHz"/>:
    /// <c>max(1, round(seconds · rate))</c>. 100 s at 60 Hz gives 6000 frames.</summary>
    public static int WindowFrames(double windowSeconds, double frameRateHz)
    {
        if (!(windowSeconds > 0 && double.IsFinite(windowSeconds)))
            throw new ArgumentOutOfRangeException(nameof(windowSeconds), windowSeconds, $"baseline window must be > 0 s, got {windowSeconds}");
        if (!(frameRateHz > 0 && double.IsFinite(frameRateHz)))
            throw new ArgumentOutOfRangeException(nameof(frameRateHz), frameRateHz, $"frame rate must be > 0 Hz, got {frameRateHz}");
        return (int)Math.Clamp(Math.Round(windowSeconds * frameRateHz), 1, Array.MaxLength);
    }

    /// <summary>The running q-th percentile of <paramref name="trace"/> over windows of <paramref name="windowFrames"/> frames.</summary>
    /// <exception cref="ArgumentException">See <see cref="Compute(ReadOnlySpan{float}, int, double, Span{float})"/>.</exception>
    public static float[] Compute(ReadOnlySpan<float> trace, int windowFrames, double percentile)
    {
        var result = new float[trace.Length];
        Compute(trace, windowFrames, percentile, result);
        return result;
    }

    /// <summary>Writes the running q-th percentile of <paramref name="trace"/> into <paramref name="destination"/>,
    /// which may alias <paramref name="trace"/>.</summary>
    /// <param name="trace">The values, all finite (fill gaps first, e.g. with <see cref="GapFilling"/>).</param>
    /// <param name="windowFrames">Window length W ≥ 1 in frames; a window longer than the trace covers all of it near the middle.</param>
    /// <param name="percentile">q in [0, 100]; 5 for the usual fluorescence baseline.</param>
    /// <param name="destination">As long as the trace.</param>
    /// <exception cref="ArgumentException">W &lt; 1, q outside [0, 100], a NaN or infinite value (its frame is named),
    /// or a destination of another length.</exception>
    public static void Compute(ReadOnlySpan<float> trace, int windowFrames, double percentile, Span<float> destination)
    {
        if (windowFrames < 1)
            throw new ArgumentOutOfRangeException(nameof(windowFrames), windowFrames, $"window must be >= 1 frame, got {windowFrames}");
        if (!(percentile >= 0 && percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, $"percentile must be in [0, 100], got {percentile}");
        if (destination.Length != trace.Length)
            throw new ArgumentException($"destination has {destination.Length} frames but the trace has {trace.Length}", nameof(destination));
        int n = trace.Length;
        for (int t = 0; t < n; t++)
        {
            if (!float.IsFinite(trace[t]))
                throw new ArgumentException($"trace has {trace[t]} at frame {t}; a running percentile needs finite values (fill gaps first)", nameof(trace));
        }
        if (n == 0) return;

        float[] sorted = ArrayPool<float>.Shared.Rent(n);
        int[] order = ArrayPool<int>.Shared.Rent(n), rank = ArrayPool<int>.Shared.Rent(n), tree = ArrayPool<int>.Shared.Rent(n + 1);
        try
        {
            // Ties get distinct ranks in any order: the k-th value is the same either way.
            trace.CopyTo(sorted);
            for (int i = 0; i < n; i++) order[i] = i;
            Array.Sort(sorted, order, 0, n);
            for (int r = 0; r < n; r++) rank[order[r]] = r;
            var window = new RankWindow(tree.AsSpan(0, n + 1));
            window.Clear();

            int left = windowFrames / 2, right = windowFrames - 1 - left;
            for (int s = 0; s <= Math.Min(right, n - 1); s++) window.Add(rank[s]);
            for (int t = 0; t < n; t++)
            {
                if (t > 0)
                {
                    long entering = (long)t + right, leaving = (long)t - left - 1;
                    if (entering < n) window.Add(rank[entering]);
                    if (leaving >= 0) window.Remove(rank[leaving]);
                }
                double position = percentile / 100 * (window.Count - 1);
                int low = (int)Math.Floor(position);
                double fraction = position - low, value = sorted[window.Select(low)];
                if (fraction > 0) value += fraction * (sorted[window.Select(low + 1)] - value);
                destination[t] = (float)value;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sorted);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(rank);
            ArrayPool<int>.Shared.Return(tree);
        }
    }

    /// <summary>The ranks currently in the window: a Fenwick (binary indexed) tree of 0/1 counts over ranks 0..n−1.</summary>
    private readonly ref struct RankWindow(Span<int> tree)
    {
        private readonly Span<int> _tree = tree; // 1-based; _tree[0] holds the count
        private readonly int _size = tree.Length - 1;
        private readonly int _topStep = tree.Length > 1 ? (int)BitOperations.RoundUpToPowerOf2((uint)(tree.Length - 1) + 1) >> 1 : 0;

        public int Count => _tree[0];

        public void Clear() => _tree.Clear();

        public void Add(int rank) => Update(rank, +1);

        public void Remove(int rank) => Update(rank, -1);

        /// <summary>The rank of the k-th smallest (0-based) value in the window.</summary>
        public int Select(int k)
        {
            System.Diagnostics.Debug.Assert(k >= 0 && k < Count);
            int position = 0, remaining = k + 1;
            for (int step = _topStep; step > 0; step >>= 1)
            {
                int next = position + step;
                if (next <= _size && _tree[next] < remaining)
                {
                    position = next;
                    remaining -= _tree[next];
                }
            }
            return position; // the 1-based index position + 1, as a 0-based rank
        }

        private void Update(int rank, int delta)
        {
            _tree[0] += delta;
            for (int i = rank + 1; i <= _size; i += i & -i) _tree[i] += delta;
        }
    }
}
