using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Preprocessing;

public sealed class RunningPercentileTests
{
    /// <summary>The reference: for every frame, sort the window's values and interpolate between ranks (NumPy's rule).</summary>
    private static float[] BruteForce(float[] trace, int window, double q)
    {
        int left = window / 2, right = window - 1 - left;
        var result = new float[trace.Length];
        for (int t = 0; t < trace.Length; t++)
        {
            int from = Math.Max(0, t - left), to = Math.Min(trace.Length - 1, t + right);
            float[] sorted = trace[from..(to + 1)];
            Array.Sort(sorted);
            double position = q / 100 * (sorted.Length - 1);
            int lo = (int)Math.Floor(position), hi = Math.Min(lo + 1, sorted.Length - 1);
            result[t] = (float)(sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]));
        }
        return result;
    }

    [Theory]
    [InlineData(1, 1, 5)]
    [InlineData(10, 3, 50)]
    [InlineData(200, 1, 5)]
    [InlineData(200, 7, 5)]
    [InlineData(200, 50, 5)]
    [InlineData(200, 51, 5)]
    [InlineData(200, 500, 5)] // window longer than the trace
    [InlineData(1000, 64, 0)]
    [InlineData(1000, 101, 100)]
    [InlineData(1000, 100, 37.5)]
    [InlineData(3000, 600, 5)]
    public void Compute_RandomTraceWithTies_MatchesSortPerWindow(int frames, int window, double q)
    {
        var rng = new Random(frames * 31 + window);
        // Rounded to 0.1 so that many values tie.
        var trace = Enumerable.Range(0, frames).Select(_ => (float)Math.Round(rng.NextDouble() * 20 - 5, 1)).ToArray();

        float[] actual = RunningPercentile.Compute(trace, window, q);

        float[] expected = BruteForce(trace, window, q);
        for (int t = 0; t < frames; t++) Assert.Equal(expected[t], actual[t], 1e-4f);
    }

    /// <summary>Shapes whose windows hold ranks far apart (two clusters), in order, reversed or all tied.</summary>
    [Theory]
    [InlineData("square", 301, 50)]
    [InlineData("square", 600, 5)]
    [InlineData("ascending", 257, 5)]
    [InlineData("descending", 64, 95)]
    [InlineData("constant", 100, 5)]
    public void Compute_StructuredTrace_MatchesSortPerWindow(string shape, int window, double q)
    {
        const int Frames = 10_000; // more than 4096 ranks: walks cross summary words of the rank bitmap
        var rng = new Random(window);
        float[] trace = Enumerable.Range(0, Frames).Select(t => shape switch
        {
            "square" => (t / 150 % 2 == 0 ? 0f : 100f) + (float)rng.NextDouble(),
            "ascending" => t * 0.01f,
            "descending" => -t * 0.01f,
            _ => 3f,
        }).ToArray();

        float[] actual = RunningPercentile.Compute(trace, window, q);

        float[] expected = BruteForce(trace, window, q);
        for (int t = 0; t < Frames; t++) Assert.Equal(expected[t], actual[t], 1e-4f);
    }

    [Fact]
    public void Compute_DestinationAliasesTrace_SameAsSeparateOutput()
    {
        var rng = new Random(5);
        var trace = Enumerable.Range(0, 500).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] separate = RunningPercentile.Compute(trace, 40, 5);

        RunningPercentile.Compute(trace, 40, 5, trace);

        Assert.Equal(separate, trace);
    }

    [Fact]
    public void Compute_EmptyTrace_Empty() => Assert.Empty(RunningPercentile.Compute([], 10, 5));

    [Fact]
    public void Compute_NaNInTrace_ThrowsNamingFrame()
    {
        var error = Assert.Throws<ArgumentException>(() => RunningPercentile.Compute([1f, 2f, float.NaN, 4f], 3, 5));
        Assert.Contains("frame 2", error.Message);
    }

    [Theory]
    [InlineData(0, 5.0)]
    [InlineData(-1, 5.0)]
    [InlineData(10, -0.1)]
    [InlineData(10, 100.1)]
    [InlineData(10, double.NaN)]
    public void Compute_BadWindowOrPercentile_Throws(int window, double q) =>
        Assert.ThrowsAny<ArgumentException>(() => RunningPercentile.Compute([1f, 2f, 3f], window, q));

    [Theory]
    [InlineData(100, 60, 6000)]
    [InlineData(100, 30, 3000)]
    [InlineData(100, 7.5, 750)]
    [InlineData(0.001, 10, 1)] // never below one frame
    public void WindowFrames_SecondsTimesRate_Rounded(double seconds, double rateHz, int expected) =>
        Assert.Equal(expected, RunningPercentile.WindowFrames(seconds, rateHz));

    [Theory]
    [InlineData(0, 60)]
    [InlineData(100, 0)]
    [InlineData(double.NaN, 60)]
    public void WindowFrames_BadArguments_Throws(double seconds, double rateHz) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RunningPercentile.WindowFrames(seconds, rateHz));
}
