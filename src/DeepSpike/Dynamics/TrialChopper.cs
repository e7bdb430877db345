namespace DeepSpike.Dynamics;

/// <summary>
/// Turns a continuous recording into overlapping trials and the models' per-trial outputs back into continuous traces, as
/// LFADS is run on data without a trial structure: segments of <see cref="SegmentBins"/> bins start every
/// <c>SegmentBins − OverlapBins</c> bins, the last one aligned to the recording's end; where two segments overlap the
/// stitched value cross-fades linearly from the earlier segment to the later one, so no seam shows a jump.
/// </summary>
/// <param name="SegmentBins">Bins per segment, ≥ 2.</param>
/// <param name="OverlapBins">Bins shared by consecutive segments, 0 ≤ overlap &lt; segment.</param>
public sealed record TrialChopper(int SegmentBins, int OverlapBins)
{
    /// <summary>Checks the sizes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public TrialChopper Validate()
    {
        if (SegmentBins < 2) throw new ArgumentOutOfRangeException(nameof(SegmentBins), SegmentBins, "segments need at least 2 bins");
        if (OverlapBins < 0 || OverlapBins >= SegmentBins)
            throw new ArgumentOutOfRangeException(nameof(OverlapBins), OverlapBins, $"overlap must be in [0, {SegmentBins}) bins");
        return this;
    }

    /// <summary>The first bin of each segment of a recording of <paramref name="bins"/> bins.</summary>
    /// <exception cref="ArgumentException">The recording is shorter than one segment.</exception>
    public int[] Starts(int bins)
    {
        Validate();
        if (bins < SegmentBins) throw new ArgumentException($"the recording has {bins} bins, fewer than one segment of {SegmentBins}");
        int stride = SegmentBins - OverlapBins;
        var starts = new List<int>();
        for (int start = 0; start + SegmentBins <= bins; start += stride) starts.Add(start);
        if (starts[^1] + SegmentBins < bins) starts.Add(bins - SegmentBins);
        return [.. starts];
    }

    /// <summary>Segments of <paramref name="traces"/> (cells, each of the same length) as trials × bins × cells.</summary>
    public TrialArray Chop(IReadOnlyList<float[]> traces)
    {
        ArgumentNullException.ThrowIfNull(traces);
        if (traces.Count == 0) throw new ArgumentException("no traces to chop");
        int bins = traces[0].Length;
        if (traces.Any(t => t.Length != bins)) throw new ArgumentException("every trace must have the same length to be cut into trials");
        int[] starts = Starts(bins);
        var trials = TrialArray.Zeros(starts.Length, SegmentBins, traces.Count);
        for (int s = 0; s < starts.Length; s++)
            for (int b = 0; b < SegmentBins; b++)
                for (int c = 0; c < traces.Count; c++)
                    trials[s, b, c] = traces[c][starts[s] + b];
        return trials;
    }

    /// <summary>
    /// Continuous traces of <paramref name="bins"/> bins, one per channel of <paramref name="segments"/> (made by <see cref="Chop"/>
    /// from a recording of that length): each bin the weighted mean of the segments covering it, the weights falling linearly
    /// across each overlap (a segment's weight is 1 away from its overlaps).
    /// </summary>
    public float[][] Stitch(TrialArray segments, int bins)
    {
        int[] starts = Starts(bins);
        if (segments.Trials != starts.Length || segments.Bins != SegmentBins)
            throw new ArgumentException($"{segments.ShapeText} is not the segmentation of {bins} bins into {starts.Length} segments of {SegmentBins}");
        var sums = new double[segments.Channels, bins];
        var weights = new double[bins];
        for (int s = 0; s < starts.Length; s++)
        {
            int previousEnd = s > 0 ? starts[s - 1] + SegmentBins : 0, nextStart = s + 1 < starts.Length ? starts[s + 1] : int.MaxValue;
            for (int b = 0; b < SegmentBins; b++)
            {
                int t = starts[s] + b;
                // Rising over the overlap with the previous segment, falling over the overlap with the next.
                double w = 1;
                if (t < previousEnd) w = Math.Min(w, (t - starts[s] + 1.0) / (previousEnd - starts[s] + 1));
                if (t >= nextStart) w = Math.Min(w, (starts[s] + SegmentBins - t) / (starts[s] + SegmentBins - nextStart + 1.0));
                weights[t] += w;
                for (int c = 0; c < segments.Channels; c++) sums[c, t] += w * segments[s, b, c];
            }
        }
        var result = new float[segments.Channels][];
        for (int c = 0; c < segments.Channels; c++)
        {
            result[c] = new float[bins];
            for (int t = 0; t < bins; t++) result[c][t] = (float)(sums[c, t] / weights[t]);
        }
        return result;
    }
}
