using DeepSpike.Data;

namespace DeepSpike.Evaluation;

/// <summary>
/// The field's accuracy measure for spike inference (DeepSpike paper §2.4, Spikefinder): Pearson
/// correlation between predicted rate and true spike counts after summing both into bins
/// (16.6 ms for simulated 60 Hz data, 40 ms for real data), then mean ± SEM over traces.
/// </summary>
public static class SpikeMetrics
{
    /// <summary>Bin width of the real-data evaluation (Spikefinder, DeepSpike Table 1): 40 ms = 25 Hz.</summary>
    public const double RealDataBinMs = 40.0;

    /// <summary>Bin width of the simulated-data evaluation at 60 Hz (DeepSpike Table 1): one frame.</summary>
    public const double SimulatedBinMs = 16.6;

    /// <summary>
    /// Frames per bin: <c>max(1, round(binMs / 1000 · frameRateHz))</c>, halves rounded away
    /// from zero. E.g. 40 ms at 100 Hz → 4, at 60.06 Hz → 2 (2.40), 16.6 ms at 60 Hz → 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate or width is not finite and &gt; 0.</exception>
    public static int FramesPerBin(double frameRateHz, double binMs)
    {
        if (!(frameRateHz > 0 && double.IsFinite(frameRateHz)))
            throw new ArgumentOutOfRangeException(nameof(frameRateHz), frameRateHz, $"frame rate must be > 0, got {frameRateHz}");
        if (!(binMs > 0 && double.IsFinite(binMs)))
            throw new ArgumentOutOfRangeException(nameof(binMs), binMs, $"bin width must be > 0 ms, got {binMs}");
        double frames = Math.Round(binMs / 1000.0 * frameRateHz, MidpointRounding.AwayFromZero);
        return (int)Math.Clamp(frames, 1, int.MaxValue);
    }

    /// <summary>
    /// Sums consecutive frames into bins: <c>y[k] = Σ_{i=0}^{w−1} x[k·w + i]</c> with
    /// w = <see cref="FramesPerBin"/>, for k = 0 … ⌊n/w⌋ − 1; an incomplete trailing bin is dropped.
    /// Sums are accumulated in double. NaN in a bin gives NaN for that bin.
    /// </summary>
    public static float[] Bin(ReadOnlySpan<float> x, double frameRateHz, double binMs)
    {
        int width = FramesPerBin(frameRateHz, binMs);
        var bins = new float[x.Length / width];
        for (int k = 0; k < bins.Length; k++)
        {
            double sum = 0;
            foreach (float v in x.Slice(k * width, width))
                sum += v;
            bins[k] = (float)sum;
        }
        return bins;
    }

    /// <summary>
    /// Pearson correlation <c>r = Σ(a−ā)(b−b̄) / √(Σ(a−ā)² · Σ(b−b̄)²)</c>, computed in double with
    /// centred (two-pass) sums for accuracy. Range [−1, 1].
    /// </summary>
    /// <returns>NaN if either input is constant, has fewer than 2 elements, or contains NaN.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static double Pearson(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"vectors must have the same length, got {a.Length} and {b.Length}", nameof(b));
        int n = a.Length;
        if (n < 2)
            return double.NaN;

        double sumA = 0, sumB = 0;
        for (int i = 0; i < n; i++)
        {
            sumA += a[i];
            sumB += b[i];
        }
        double meanA = sumA / n, meanB = sumB / n;

        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            double da = a[i] - meanA, db = b[i] - meanB;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        // A constant vector's deviations are exactly 0 (the mean of equal floats is exact in double).
        if (saa == 0 || sbb == 0)
            return double.NaN;
        // Rounding can push |r| a hair above 1 for (anti)proportional inputs.
        return Math.Clamp(sab / Math.Sqrt(saa * sbb), -1.0, 1.0);
    }

    /// <summary>Arithmetic mean <c>Σx / n</c>; NaN if empty or if any value is NaN.</summary>
    public static double Mean(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
            return double.NaN;
        double sum = 0;
        foreach (double v in values)
            sum += v;
        return sum / values.Length;
    }

    /// <summary>
    /// Standard error of the mean <c>s / √n</c> with the sample standard deviation
    /// <c>s = √(Σ(x−x̄)² / (n−1))</c>; NaN if n &lt; 2 or if any value is NaN.
    /// </summary>
    public static double StandardError(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n < 2)
            return double.NaN;
        double mean = Mean(values);
        double ss = 0;
        foreach (double v in values)
            ss += (v - mean) * (v - mean);
        return Math.Sqrt(ss / (n - 1)) / Math.Sqrt(n);
    }

    /// <summary>
    /// Correlates each ground-truth trace with the prediction of the same name, both binned to
    /// <paramref name="binMs"/>, and summarises them as mean ± SEM.
    /// </summary>
    /// <param name="predicted">Predicted rates or probabilities per frame; may hold extra traces (ignored).</param>
    /// <param name="truth">True spike counts per frame.</param>
    /// <param name="binMs">Bin width in ms, e.g. <see cref="RealDataBinMs"/>.</param>
    /// <returns>
    /// One <see cref="TraceCorrelation"/> per truth trace, in truth order. A trace whose correlation
    /// is NaN (constant prediction or truth, e.g. no spikes) is listed with NaN but left out of
    /// <see cref="CorrelationReport.Mean"/>, <see cref="CorrelationReport.Sem"/> and
    /// <see cref="CorrelationReport.N"/>.
    /// </returns>
    /// <remarks>
    /// The frame rate is <paramref name="truth"/>'s, or <paramref name="predicted"/>'s if truth's is
    /// NaN. The two traces of a pair are cut to their common length before binning; a length
    /// difference of more than one bin means the files do not belong together and is an error.
    /// </remarks>
    /// <exception cref="ArgumentException">A truth trace has no prediction, lengths differ by more
    /// than one bin, the two frame rates differ, or neither is known.</exception>
    public static CorrelationReport Evaluate(TraceSet predicted, TraceSet truth, double binMs) =>
        EvaluateGrouped(predicted, truth, binMs, name => name);

    /// <summary>
    /// As <see cref="Evaluate"/>, but one r per group of traces: each trace is binned on its own, the bins of a
    /// group's traces are concatenated (in the truth's order), and r is taken over them — e.g. one r per neuron
    /// over all its recordings. The report lists the groups by name, in order of first appearance.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Evaluate"/>.</exception>
    public static CorrelationReport EvaluateGrouped(TraceSet predicted, TraceSet truth, double binMs, Func<string, string> groupOf)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(groupOf);
        double frameRateHz = CommonFrameRate(predicted.FrameRateHz, truth.FrameRateHz);
        int width = FramesPerBin(frameRateHz, binMs);

        var groups = new List<(string Name, List<float> Predicted, List<float> True)>();
        var index = new Dictionary<string, int>();
        for (int j = 0; j < truth.Count; j++)
        {
            string name = truth.Names[j];
            float[] spikes = truth.Traces[j];
            if (!predicted.TryGetTrace(name, out float[]? prediction))
                throw new ArgumentException($"trace '{name}' is in the ground truth but not in the predictions", nameof(predicted));
            if (Math.Abs(prediction.Length - spikes.Length) > width)
                throw new ArgumentException(
                    $"trace '{name}' has {prediction.Length} predicted frames but {spikes.Length} true frames; they may differ by at most one bin ({width} frames)",
                    nameof(predicted));

            int length = Math.Min(prediction.Length, spikes.Length);
            string group = groupOf(name);
            if (!index.TryGetValue(group, out int g))
            {
                index[group] = g = groups.Count;
                groups.Add((group, [], []));
            }
            groups[g].Predicted.AddRange(Bin(prediction.AsSpan(0, length), frameRateHz, binMs));
            groups[g].True.AddRange(Bin(spikes.AsSpan(0, length), frameRateHz, binMs));
        }

        var perGroup = new List<TraceCorrelation>(groups.Count);
        var finite = new List<double>(groups.Count);
        foreach (var (name, p, t) in groups)
        {
            double r = Pearson(p.ToArray(), t.ToArray());
            perGroup.Add(new TraceCorrelation(name, r));
            if (!double.IsNaN(r))
                finite.Add(r);
        }
        return new CorrelationReport(perGroup, Mean(finite.ToArray()), StandardError(finite.ToArray()), finite.Count);
    }

    private static double CommonFrameRate(double predictedHz, double truthHz)
    {
        if (double.IsNaN(truthHz) && double.IsNaN(predictedHz))
            throw new ArgumentException("frame rate unknown: neither the predictions nor the ground truth carry one");
        if (double.IsNaN(truthHz))
            return predictedHz;
        // Relative tolerance: a rate that went through text (JSON, CSV) may lose the last digit.
        const double RelativeTolerance = 1e-6;
        if (!double.IsNaN(predictedHz) && Math.Abs(predictedHz - truthHz) > RelativeTolerance * truthHz)
            throw new ArgumentException($"frame-rate mismatch: predictions are at {predictedHz} Hz but the ground truth is at {truthHz} Hz");
        return truthHz;
    }
}
