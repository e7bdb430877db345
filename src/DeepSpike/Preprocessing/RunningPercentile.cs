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
/// O(T) time and memory for a trace of T frames, whatever W. Values are ranked once by a radix
/// sort; the window is a bitmap over ranks with a pointer to its k-th member. Sliding by one frame
/// adds one rank and removes one, which shifts k by at most a couple of members, so the pointer walks
/// to a neighbour (a word scan, with a summary level that bounds the scan) instead of re-selecting.
/// The result is exact (no decimation).
/// </remarks>
public static class RunningPercentile
{
    /// <summary>Radix sort digits: 11 bits, so three passes cover a 32-bit key and a histogram fits in L1.</summary>
    private const int DigitBits = 11, Digits = 1 << DigitBits, Passes = (32 + DigitBits - 1) / DigitBits;

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

        uint[] keys = ArrayPool<uint>.Shared.Rent(2 * n);
        int[] frames = ArrayPool<int>.Shared.Rent(2 * n);
        float[] sorted = ArrayPool<float>.Shared.Rent(n);
        int[] rank = ArrayPool<int>.Shared.Rent(n);
        var window = new RankSet(n);
        try
        {
            // Rank every frame once; ties get distinct ranks, which changes no order statistic.
            Span<int> order = RadixSort(trace, keys.AsSpan(0, 2 * n), frames.AsSpan(0, 2 * n));
            for (int r = 0; r < n; r++)
            {
                int t = order[r];
                sorted[r] = trace[t];
                rank[t] = r;
            }

            // The window is a set of ranks; `low` is the rank of its k-th smallest member and `index` = k. Each frame
            // adds one rank and drops one, which moves k by at most one or two places: a walk to a neighbouring member.
            int left = windowFrames / 2, right = windowFrames - 1 - left;
            int count = 0;
            for (int s = 0; s <= Math.Min(right, n - 1); s++, count++) window.Add(rank[s]);
            int low = window.Next(-1), index = 0;
            for (int t = 0; t < n; t++)
            {
                if (t > 0)
                {
                    long entering = (long)t + right, leaving = (long)t - left - 1;
                    if (entering < n)
                    {
                        int r = rank[entering];
                        window.Add(r);
                        count++;
                        if (r < low) index++;
                    }
                    if (leaving >= 0)
                    {
                        int r = rank[leaving];
                        if (r == low)
                        {
                            // Step off the leaving member; the next one inherits its index, the previous one keeps its own.
                            int next = window.Next(low);
                            if (next >= 0) low = next;
                            else { low = window.Previous(low); index--; }
                        }
                        else if (r < low) index--;
                        window.Remove(r);
                        count--;
                    }
                }
                double position = percentile / 100 * (count - 1);
                int k = (int)Math.Floor(position);
                for (; index < k; index++) low = window.Next(low);
                for (; index > k; index--) low = window.Previous(low);
                double fraction = position - k, value = sorted[low];
                if (fraction > 0) value += fraction * (sorted[window.Next(low)] - value);
                destination[t] = (float)value;
            }
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(frames);
            ArrayPool<float>.Shared.Return(sorted);
            ArrayPool<int>.Shared.Return(rank);
        }
    }

    /// <summary>
    /// Frame indices in ascending order of value: an LSD radix sort of the values' order-preserving bits, three
    /// passes of 11 bits (stable, O(T)); a pass whose digit is the same for every value (e.g. the exponent of a
    /// trace within one octave) is skipped.
    /// </summary>
    /// <param name="values">The trace.</param>
    /// <param name="keys">Scratch of 2T keys.</param>
    /// <param name="frames">Scratch of 2T indices; the result is a slice of it.</param>
    private static Span<int> RadixSort(ReadOnlySpan<float> values, Span<uint> keys, Span<int> frames)
    {
        int n = values.Length;
        Span<uint> keyIn = keys[..n], keyOut = keys[n..];
        Span<int> frameIn = frames[..n], frameOut = frames[n..];
        int[] counts = ArrayPool<int>.Shared.Rent(Passes * Digits);
        try
        {
            Span<int> histogram = counts.AsSpan(0, Passes * Digits);
            histogram.Clear();
            for (int t = 0; t < n; t++)
            {
                uint key = OrderedBits(values[t]);
                keyIn[t] = key;
                frameIn[t] = t;
                for (int pass = 0; pass < Passes; pass++) histogram[pass * Digits + (int)(key >> (pass * DigitBits) & (Digits - 1))]++;
            }
            for (int pass = 0; pass < Passes; pass++)
            {
                Span<int> start = histogram.Slice(pass * Digits, Digits);
                int shift = pass * DigitBits;
                if (start[(int)(keyIn[0] >> shift & (Digits - 1))] == n) continue; // one digit value: nothing to reorder
                for (int d = 0, sum = 0; d < Digits; d++) (start[d], sum) = (sum, sum + start[d]);
                for (int i = 0; i < n; i++)
                {
                    int slot = start[(int)(keyIn[i] >> shift & (Digits - 1))]++;
                    keyOut[slot] = keyIn[i];
                    frameOut[slot] = frameIn[i];
                }
                Swap(ref keyIn, ref keyOut);
                Swap(ref frameIn, ref frameOut);
            }
            return frameIn;
        }
        finally { ArrayPool<int>.Shared.Return(counts); }
    }

    private static void Swap<T>(ref Span<T> a, ref Span<T> b)
    {
        Span<T> c = a;
        a = b;
        b = c;
    }

    /// <summary>The bits of a finite float as an unsigned integer with the same order (negatives flipped).</summary>
    private static uint OrderedBits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    /// <summary>
    /// A set of ranks 0..n−1 as a two-level bitmap: one bit per rank, and one summary bit per 64-rank word that is
    /// nonempty. Neighbour searches look at one word, then at most n/4096 summary words, so a walk to the next member
    /// costs O(1) word operations for any realistic n even when members are far apart in rank.
    /// </summary>
    private readonly struct RankSet(int size)
    {
        private readonly ulong[] _words = new ulong[(size + 63) >> 6];
        private readonly ulong[] _summary = new ulong[(((size + 63) >> 6) + 63) >> 6];

        public void Add(int rank)
        {
            _words[rank >> 6] |= 1UL << rank;
            _summary[rank >> 12] |= 1UL << (rank >> 6);
        }

        public void Remove(int rank)
        {
            int word = rank >> 6;
            if ((_words[word] &= ~(1UL << rank)) == 0) _summary[word >> 6] &= ~(1UL << word);
        }

        /// <summary>The smallest member greater than <paramref name="rank"/> (which may be −1), or −1.</summary>
        public int Next(int rank)
        {
            int from = rank + 1;
            int word = from >> 6;
            if (word >= _words.Length) return -1;
            ulong bits = _words[word] & (~0UL << from);
            if (bits != 0) return word << 6 | BitOperations.TrailingZeroCount(bits);
            int nextWord = word + 1, group = nextWord >> 6;
            if (group >= _summary.Length) return -1;
            ulong summary = _summary[group] & (~0UL << nextWord);
            while (summary == 0)
            {
                if (++group >= _summary.Length) return -1;
                summary = _summary[group];
            }
            int found = group << 6 | BitOperations.TrailingZeroCount(summary);
            return found << 6 | BitOperations.TrailingZeroCount(_words[found]);
        }

        /// <summary>The largest member smaller than <paramref name="rank"/>, or −1.</summary>
        public int Previous(int rank)
        {
            int to = rank - 1;
            if (to < 0) return -1;
            int word = to >> 6;
            ulong bits = _words[word] & (~0UL >> (63 - (to & 63)));
            if (bits != 0) return word << 6 | 63 - BitOperations.LeadingZeroCount(bits);
            int previousWord = word - 1;
            if (previousWord < 0) return -1;
            int group = previousWord >> 6;
            ulong summary = _summary[group] & (~0UL >> (63 - (previousWord & 63)));
            while (summary == 0)
            {
                if (--group < 0) return -1;
                summary = _summary[group];
            }
            int found = group << 6 | 63 - BitOperations.LeadingZeroCount(summary);
            return found << 6 | 63 - BitOperations.LeadingZeroCount(_words[found]);
        }
    }
}
