using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Preprocessing;

public sealed class GapFillingTests
{
    [Fact]
    public void FillShortGaps_InteriorGap_LinearBetweenNeighbours()
    {
        float[] trace = [1f, float.NaN, float.NaN, 4f, 5f];

        GapFillReport report = GapFilling.FillShortGaps(trace, maxGapFrames: 2);

        Assert.Equal([1f, 2f, 3f, 4f, 5f], trace);
        Assert.Equal(new GapFillReport(GapsFilled: 1, FramesFilled: 2, UnfilledGaps: 0, LongestUnfilled: null), report);
        Assert.True(report.Complete);
    }

    [Fact]
    public void FillShortGaps_GapsAtBothEnds_HoldNearestValue()
    {
        float[] trace = [float.NaN, float.PositiveInfinity, 3f, 7f, float.NaN];

        GapFillReport report = GapFilling.FillShortGaps(trace, maxGapFrames: 2);

        Assert.Equal([3f, 3f, 3f, 7f, 7f], trace);
        Assert.Equal(2, report.GapsFilled);
        Assert.Equal(3, report.FramesFilled);
    }

    [Fact]
    public void FillShortGaps_GapLongerThanLimit_LeftAndReported()
    {
        float[] trace = [1f, float.NaN, 3f, float.NaN, float.NaN, float.NaN, 7f];

        GapFillReport report = GapFilling.FillShortGaps(trace, maxGapFrames: 2);

        Assert.Equal(2f, trace[1]);
        Assert.True(trace[3..6].All(float.IsNaN));
        Assert.Equal(new GapFillReport(1, 1, 1, new FrameRange(3, 3)), report);
        Assert.Equal(5, report.LongestUnfilled!.Value.Last);
    }

    [Fact]
    public void FillShortGaps_NoFiniteValue_ReportedUnfilled()
    {
        float[] trace = [float.NaN, float.NaN];

        GapFillReport report = GapFilling.FillShortGaps(trace, maxGapFrames: 100);

        Assert.False(report.Complete);
        Assert.Equal(new FrameRange(0, 2), report.LongestUnfilled);
    }

    [Fact]
    public void FillShortGaps_ZeroLimit_FillsNothing()
    {
        float[] trace = [1f, float.NaN, 3f];

        Assert.Equal(1, GapFilling.FillShortGaps(trace, 0).UnfilledGaps);
        Assert.True(float.IsNaN(trace[1]));
    }

    [Theory]
    [InlineData(0.5, 60, 30)]
    [InlineData(0.5, 7.5, 3)]
    [InlineData(0.5, 30.0, 15)]
    [InlineData(0.0, 30.0, 0)]
    public void MaxGapFrames_SecondsTimesRate_RoundedDown(double seconds, double rateHz, int expected) =>
        Assert.Equal(expected, GapFilling.MaxGapFrames(seconds, rateHz));
}
