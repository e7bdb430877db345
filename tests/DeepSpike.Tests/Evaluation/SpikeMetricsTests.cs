using DeepSpike.Data;
using DeepSpike.Evaluation;

namespace DeepSpike.Tests.Evaluation;

public class SpikeMetricsTests
{
    private const double Tolerance = 1e-12;

    [Theory]
    [InlineData(100.0, 40.0, 4)]
    [InlineData(60.0601, 40.0, 2)]   // 2.40 frames
    [InlineData(60.0, 16.6, 1)]      // 0.996 frames
    [InlineData(30.0, 50.0, 2)]      // 1.5 rounds away from zero
    [InlineData(100.0, 25.0, 3)]     // 2.5 rounds away from zero, not to even
    [InlineData(10.0, 25.0, 1)]      // 0.25 frames: at least one
    public void FramesPerBin_KnownRates_RoundsToNearestAtLeastOne(double frameRateHz, double binMs, int expected) =>
        Assert.Equal(expected, SpikeMetrics.FramesPerBin(frameRateHz, binMs));

    [Theory]
    [InlineData(0.0, 40.0)]
    [InlineData(-3.0, 40.0)]
    [InlineData(double.NaN, 40.0)]
    [InlineData(60.0, 0.0)]
    [InlineData(60.0, double.NaN)]
    [InlineData(60.0, double.PositiveInfinity)]
    public void FramesPerBin_BadArguments_Throws(double frameRateHz, double binMs) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SpikeMetrics.FramesPerBin(frameRateHz, binMs));

    [Fact]
    public void Bin_SevenFramesInThrees_SumsAndDropsIncompleteTail()
    {
        float[] x = [1, 2, 3, 4, 5, 6, 7];

        Assert.Equal([6f, 15f], SpikeMetrics.Bin(x, frameRateHz: 100, binMs: 30));
    }

    [Fact]
    public void Bin_OneFramePerBin_Identity()
    {
        float[] x = [0.5f, -1f, 2f];

        Assert.Equal(x, SpikeMetrics.Bin(x, frameRateHz: 60, binMs: 16.6));
    }

    [Fact]
    public void Bin_ShorterThanOneBin_Empty() =>
        Assert.Empty(SpikeMetrics.Bin([1f, 2f, 3f], frameRateHz: 100, binMs: 40));

    [Fact]
    public void Pearson_HandComputedVectors_MatchesExactValue()
    {
        // ā = 2.5, b̄ = 5: Σ(da·db) = 11, Σda² = 5, Σdb² = 26, so r = 11/√130.
        double r = SpikeMetrics.Pearson([1, 2, 3, 4], [2, 4, 5, 9]);

        Assert.Equal(11 / Math.Sqrt(130), r, Tolerance);
    }

    [Fact]
    public void Pearson_RandomVectors_MatchesNaiveDoubleLoop()
    {
        var rng = new Random(42);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = rng.Next(2, 500);
            float[] a = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
            float[] b = a.Select(v => (float)(0.3 * v + rng.NextDouble())).ToArray();

            Assert.Equal(NaivePearson(a, b), SpikeMetrics.Pearson(a, b), 1e-9);
        }
    }

    // Textbook one-pass formula: less stable, but plainly the definition.
    private static double NaivePearson(float[] a, float[] b)
    {
        double n = a.Length, sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sa += a[i];
            sb += b[i];
            sab += (double)a[i] * b[i];
            saa += (double)a[i] * a[i];
            sbb += (double)b[i] * b[i];
        }
        return (n * sab - sa * sb) / Math.Sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
    }

    [Fact]
    public void Pearson_ProportionalAndAnti_IsExactlyPlusMinusOne()
    {
        Assert.Equal(1.0, SpikeMetrics.Pearson([0.1f, 0.2f, 0.7f], [1f, 2f, 7f]), Tolerance);
        Assert.Equal(-1.0, SpikeMetrics.Pearson([0.1f, 0.2f, 0.7f], [-1f, -2f, -7f]), Tolerance);
    }

    [Fact]
    public void Pearson_LargeOffset_StillAccurate()
    {
        // A one-pass formula loses everything here; centred sums do not.
        float[] a = [10000.5f, 10001.5f, 10002.5f, 10003.5f];
        Assert.Equal(11 / Math.Sqrt(130), SpikeMetrics.Pearson(a, [2, 4, 5, 9]), 1e-9);
    }

    [Theory]
    [InlineData(new float[] { 3, 3, 3 }, new float[] { 1, 2, 3 })]
    [InlineData(new float[] { 1, 2, 3 }, new float[] { 0, 0, 0 })]
    [InlineData(new float[] { 1 }, new float[] { 2 })]
    [InlineData(new float[] { 1, float.NaN, 3 }, new float[] { 1, 2, 3 })]
    public void Pearson_ConstantShortOrNaN_IsNaN(float[] a, float[] b) =>
        Assert.True(double.IsNaN(SpikeMetrics.Pearson(a, b)));

    [Fact]
    public void Pearson_LengthMismatch_Throws() =>
        Assert.Throws<ArgumentException>(() => SpikeMetrics.Pearson([1f, 2f], [1f, 2f, 3f]));

    [Fact]
    public void MeanAndStandardError_KnownNumbers_MatchHandComputed()
    {
        double[] x = [1, 2, 3, 4];

        Assert.Equal(2.5, SpikeMetrics.Mean(x), Tolerance);
        // s² = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3, SEM = √(5/3) / 2.
        Assert.Equal(Math.Sqrt(5.0 / 3.0) / 2.0, SpikeMetrics.StandardError(x), Tolerance);
    }

    [Fact]
    public void MeanAndStandardError_TooFewValues_NaN()
    {
        Assert.True(double.IsNaN(SpikeMetrics.Mean([])));
        Assert.True(double.IsNaN(SpikeMetrics.StandardError([0.5])));
    }

    [Fact]
    public void Evaluate_TracesInDifferentOrder_MatchesByNameAndMatchesHandComputed()
    {
        // 100 Hz, 20 ms bins = 2 frames.
        var truth = new TraceSet(["a", "b"], [[0, 1, 1, 0, 0, 0, 2, 1], [1, 0, 0, 0, 0, 1, 0, 0]], 100);
        var predicted = new TraceSet(["b", "a", "extra"], [[0.5f, 0.5f, 0, 0, 0.2f, 0.3f, 0, 0], [0, 0.5f, 1, 1, 0, 0, 1, 1], [1f]], double.NaN);

        CorrelationReport report = SpikeMetrics.Evaluate(predicted, truth, binMs: 20);

        double ra = SpikeMetrics.Pearson([1, 1, 0, 3], [0.5f, 2, 0, 2]);
        double rb = SpikeMetrics.Pearson([1, 0, 1, 0], [1, 0, 0.5f, 0]);
        Assert.Equal(["a", "b"], report.PerTrace.Select(t => t.Name));
        Assert.Equal(ra, report.PerTrace[0].Correlation, Tolerance);
        Assert.Equal(rb, report.PerTrace[1].Correlation, Tolerance);
        Assert.Equal(2, report.N);
        Assert.Equal((ra + rb) / 2, report.Mean, Tolerance);
        Assert.Equal(Math.Abs(ra - rb) / 2, report.Sem, Tolerance); // n = 2: s = |ra − rb|/√2, SEM = s/√2
    }

    [Fact]
    public void EvaluateGrouped_TwoRecordingsOfOneCell_CorrelatesTheirConcatenatedBins()
    {
        // 100 Hz, 20 ms bins; c1_rec1 has an odd length, so its last frame is dropped by binning, not carried over.
        var truth = new TraceSet(["c1_rec1", "c2_rec1", "c1_rec2"],
            [[0, 1, 1, 0, 0, 0, 2], [1, 0, 0, 0, 0, 1, 0, 0], [0, 0, 3, 0]], 100);
        var predicted = new TraceSet(["c1_rec1", "c2_rec1", "c1_rec2"],
            [[0, 0.5f, 1, 1, 0, 0, 1], [0.5f, 0.5f, 0, 0, 0.2f, 0.3f, 0, 0], [0.1f, 0, 2, 0.5f]], 100);

        var report = SpikeMetrics.EvaluateGrouped(predicted, truth, 20, name => name[..2]);

        double c1 = SpikeMetrics.Pearson([0.5f, 2, 0, 0.1f, 2.5f], [1, 1, 0, 0, 3]);
        double c2 = SpikeMetrics.Pearson([1, 0, 0.5f, 0], [1, 0, 1, 0]);
        Assert.Equal(["c1", "c2"], report.PerTrace.Select(t => t.Name));
        Assert.Equal(c1, report.PerTrace[0].Correlation, Tolerance);
        Assert.Equal(c2, report.PerTrace[1].Correlation, Tolerance);
        Assert.Equal(2, report.N);
    }

    [Fact]
    public void EvaluateGrouped_OneTracePerGroup_EqualsEvaluate()
    {
        var truth = new TraceSet(["a", "b"], [[0, 1, 1, 0, 0, 0, 2, 1], [1, 0, 0, 0, 0, 1, 0, 0]], 100);
        var predicted = new TraceSet(["a", "b"], [[0, 0.5f, 1, 1, 0, 0, 1, 1], [0.5f, 0.5f, 0, 0, 0.2f, 0.3f, 0, 0]], 100);

        var grouped = SpikeMetrics.EvaluateGrouped(predicted, truth, 20, name => name);
        var plain = SpikeMetrics.Evaluate(predicted, truth, 20);

        Assert.Equal(plain.Mean, grouped.Mean, Tolerance);
        Assert.Equal(plain.Sem, grouped.Sem, Tolerance);
    }

    [Fact]
    public void Evaluate_TraceWithoutSpikes_ReportedAsNaNAndExcludedFromMean()
    {
        var truth = new TraceSet(["a", "silent", "c"], [[0, 1, 0, 2], [0, 0, 0, 0], [1, 0, 0, 1]], 60);
        var predicted = new TraceSet(["a", "silent", "c"], [[0, 1, 0, 1], [0.1f, 0.2f, 0, 0], [1, 0, 1, 1]], 60);

        CorrelationReport report = SpikeMetrics.Evaluate(predicted, truth, binMs: 16.6);

        Assert.Equal(3, report.PerTrace.Count);
        Assert.True(double.IsNaN(report.PerTrace[1].Correlation));
        Assert.Equal(2, report.N);
        double ra = report.PerTrace[0].Correlation, rc = report.PerTrace[2].Correlation;
        Assert.Equal((ra + rc) / 2, report.Mean, Tolerance);
        Assert.Equal(SpikeMetrics.StandardError([ra, rc]), report.Sem, Tolerance);
    }

    [Fact]
    public void Evaluate_PredictionMissingATruthTrace_ThrowsNamingTrace()
    {
        var truth = new TraceSet(["a", "b"], [[0, 1], [1, 0]], 60);
        var predicted = new TraceSet(["a"], [[0, 1]], 60);

        var e = Assert.Throws<ArgumentException>(() => SpikeMetrics.Evaluate(predicted, truth, 16.6));

        Assert.StartsWith("trace 'b' is in the ground truth but not in the predictions", e.Message);
    }

    [Fact]
    public void Evaluate_LengthsDifferByOneBin_UsesCommonLength()
    {
        // 100 Hz, 20 ms = 2 frames; prediction has 2 extra frames that must be ignored.
        var truth = new TraceSet(["a"], [[1, 0, 0, 0, 1, 1]], 100);
        var predicted = new TraceSet(["a"], [[1, 0, 0, 0, 1, 1, 50, 50]], 100);

        CorrelationReport report = SpikeMetrics.Evaluate(predicted, truth, 20);

        Assert.Equal(1.0, report.Mean, Tolerance);
    }

    [Fact]
    public void Evaluate_LengthsDifferByMoreThanOneBin_Throws()
    {
        var truth = new TraceSet(["a"], [[1, 0, 0, 0, 1, 1]], 100);
        var predicted = new TraceSet(["a"], [[1, 0, 0]], 100);

        var e = Assert.Throws<ArgumentException>(() => SpikeMetrics.Evaluate(predicted, truth, 20));

        Assert.StartsWith("trace 'a' has 3 predicted frames but 6 true frames", e.Message);
    }

    [Fact]
    public void Evaluate_FrameRateMismatch_Throws()
    {
        var truth = new TraceSet(["a"], [[1, 0, 1]], 60);
        var predicted = new TraceSet(["a"], [[1, 0, 1]], 30);

        Assert.StartsWith("frame-rate mismatch", Assert.Throws<ArgumentException>(() => SpikeMetrics.Evaluate(predicted, truth, 40)).Message);
    }

    [Fact]
    public void Evaluate_NoFrameRateAnywhere_Throws()
    {
        var set = new TraceSet(["a"], [[1, 0, 1]]);

        Assert.StartsWith("frame rate unknown", Assert.Throws<ArgumentException>(() => SpikeMetrics.Evaluate(set, set, 40)).Message);
    }
}
