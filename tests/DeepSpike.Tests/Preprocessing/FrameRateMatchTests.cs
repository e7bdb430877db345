using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Preprocessing;

public sealed class FrameRateMatchTests
{
    [Theory]
    [InlineData(60.0, 60.0, false)]
    [InlineData(60.3, 60.0, false)] // 0.5 %: within the 1 % tolerance
    [InlineData(30.0, 60.0, true)]
    [InlineData(100.0, 60.0, true)]
    [InlineData(480.0, 60.0, true)] // exactly 8×
    [InlineData(7.5, 60.0, true)]   // exactly 1/8
    public void Plan_WithinEightTimes_KeepOrResample(double inputHz, double targetHz, bool resample)
    {
        FrameRatePlan plan = FrameRateMatch.Plan(inputHz, targetHz);

        Assert.Equal(resample, plan.Resample);
        Assert.Equal(inputHz / targetHz, plan.Ratio);
    }

    [Theory]
    [InlineData(500.0, 60.0, "8.33 times")]
    [InlineData(7.0, 60.0, "1/8.57 of")]
    public void Plan_MoreThanEightTimesApart_RefusedNamingBothRates(double inputHz, double targetHz, string relation)
    {
        var error = Assert.Throws<ArgumentException>(() => FrameRateMatch.Plan(inputHz, targetHz));

        Assert.Contains($"frame rate {inputHz} Hz is {relation} the target {targetHz} Hz", error.Message);
        Assert.Contains("refused", error.Message);
    }

    [Fact]
    public void Plan_CustomRatio_Respected() =>
        Assert.Throws<ArgumentException>(() => FrameRateMatch.Plan(30, 60, maxRatio: 1.5));

    [Theory]
    [InlineData(0.0, 60.0, 8.0)]
    [InlineData(60.0, double.NaN, 8.0)]
    [InlineData(60.0, 60.0, 0.5)]
    public void Plan_BadArguments_Throws(double inputHz, double targetHz, double maxRatio) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameRateMatch.Plan(inputHz, targetHz, maxRatio));
}
