using DeepSpike.Benchmarks;

namespace DeepSpike.Tests.Benchmarks;

public sealed class RssCurveTests
{
    /// <summary>
    /// One reading a second for 10 minutes: 500 MiB plus a 60 s sawtooth of 0–100 MiB during the first 3 minutes (warm-up),
    /// then a line rising 2 MiB/min plus the same sawtooth; a round ends every 60 s.
    /// </summary>
    private static (List<RssSample> Samples, List<RoundEnd> Ends) Curve()
    {
        var samples = new List<RssSample>();
        var ends = new List<RoundEnd>();
        for (int t = 0; t <= 600; t++)
        {
            double sawtooth = 100.0 * (t % 60) / 60;
            double trend = t < 180 ? 0 : 2.0 * (t - 180) / 60;
            samples.Add(new RssSample(t, 500 + sawtooth + trend, t / 60));
            if (t % 60 == 59) ends.Add(new RoundEnd(t, 500 + sawtooth + trend, 50 + trend / 10));
        }
        return (samples, ends);
    }

    [Fact]
    public void Summarize_LineAfterWarmup_SlopesAreTheLinesAndWarmupIsLeftOut()
    {
        var (samples, ends) = Curve();

        var s = RssCurve.Summarize(samples, warmupSeconds: 180, ends);

        Assert.Equal(180, s.WarmupEndSeconds);
        Assert.Equal(180, s.WarmupSamples);
        Assert.Equal(601, s.Samples);
        Assert.Equal(10, s.Rounds);
        Assert.Equal(500 + 100.0 * 59 / 60, s.WarmupPeakMebibytes, 9);
        // The round ends and round peaks sit at the same phase of the sawtooth: exactly the trend.
        Assert.Equal(2.0, s.RoundEndSlopeMebibytesPerMinute, 9);
        Assert.Equal(2.0, s.RoundPeakSlopeMebibytesPerMinute, 9);
        Assert.Equal(0.2, s.HeapSlopeMebibytesPerMinute, 9);
        // All readings: the trend, plus up to the sawtooth's height over the time fitted (100 MiB / 7 min), which is why the
        // soak also reports the per-round slopes.
        Assert.InRange(s.SlopeMebibytesPerMinute, 2.0 - 100.0 / 7, 2.0 + 100.0 / 7);
    }

    [Fact]
    public void Summarize_WarmupLongerThanTheRun_SlopesAreNaN()
    {
        var (samples, ends) = Curve();

        var s = RssCurve.Summarize(samples, warmupSeconds: 10_000, ends);

        Assert.Equal(601, s.WarmupSamples);
        Assert.True(double.IsNaN(s.SlopeMebibytesPerMinute) && double.IsNaN(s.RoundEndSlopeMebibytesPerMinute) && double.IsNaN(s.PeakAfterWarmupMebibytes));
    }

    [Fact]
    public void CurrentMebibytes_IsThisProcesssResidentSetSize()
    {
        double rss = RssCurve.CurrentMebibytes();

        // A running .NET test host holds at least its runtime and at most what Environment reports with generous slack.
        Assert.InRange(rss, 10, Environment.WorkingSet / (1024.0 * 1024.0) * 2 + 100);
    }
}
