using DeepSpike.Dynamics;

namespace DeepSpike.Tests.Dynamics;

/// <summary>Cutting a continuous recording into overlapping trials and stitching the outputs back.</summary>
public sealed class TrialChopperTests
{
    [Theory]
    [InlineData(100, 30, 10, new[] { 0, 20, 40, 60, 70 })]
    [InlineData(90, 30, 0, new[] { 0, 30, 60 })]
    [InlineData(30, 30, 5, new[] { 0 })]
    [InlineData(31, 30, 29, new[] { 0, 1 })]
    public void Starts_CoverTheRecordingWithTheLastSegmentAtItsEnd(int bins, int segment, int overlap, int[] expected) =>
        Assert.Equal(expected, new TrialChopper(segment, overlap).Starts(bins));

    [Fact]
    public void ChopThenStitch_OfTheInputItself_GivesTheRecordingBack()
    {
        var rng = new Random(1);
        float[][] traces = [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 257).Select(_ => rng.NextSingle()).ToArray())];
        var chopper = new TrialChopper(40, 12);

        var trials = chopper.Chop(traces);
        var stitched = chopper.Stitch(trials, 257);

        Assert.Equal((chopper.Starts(257).Length, 40, 3), (trials.Trials, trials.Bins, trials.Channels));
        for (int c = 0; c < 3; c++)
            for (int t = 0; t < 257; t++)
                Assert.Equal(traces[c][t], stitched[c][t], 5);
    }

    [Fact]
    public void Stitch_DisagreeingSegments_CrossFadesLinearlyAcrossTheOverlap()
    {
        // Two segments of 10 bins overlapping by 4: the first says 0 everywhere, the second 1.
        var chopper = new TrialChopper(10, 4);
        var segments = TrialArray.Zeros(2, 10, 1);
        for (int b = 0; b < 10; b++) segments[1, b, 0] = 1;

        float[] stitched = chopper.Stitch(segments, 16)[0];

        Assert.Equal([0f, 0f, 0f, 0f, 0f, 0f], stitched[..6]);
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 1f], stitched[10..]);
        // Across bins 6..9 the second segment's share rises strictly from above 0 to below 1.
        for (int t = 6; t < 10; t++) Assert.InRange(stitched[t], 0.01f, 0.99f);
        for (int t = 7; t < 10; t++) Assert.True(stitched[t] > stitched[t - 1]);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(10, 10)]
    [InlineData(10, -1)]
    public void Validate_BadSizes_Throw(int segment, int overlap) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrialChopper(segment, overlap).Validate());

    [Fact]
    public void Chop_RecordingShorterThanASegment_Throws() =>
        Assert.Throws<ArgumentException>(() => new TrialChopper(50, 10).Chop([new float[20]]));
}
