using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Preprocessing;

public sealed class OrderStatisticsTests
{
    /// <summary>NumPy's linear-interpolation percentile on a sorted copy: the reference.</summary>
    private static double SortedPercentile(float[] values, double q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        double pos = q / 100 * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 0)]
    [InlineData(7, 5)]
    [InlineData(100, 50)]
    [InlineData(1001, 2)]
    [InlineData(1001, 99.5)]
    [InlineData(10_000, 100)]
    public void Percentile_RandomValues_MatchesSortedReference(int n, double q)
    {
        var rng = new Random(n);
        var values = Enumerable.Range(0, n).Select(_ => (float)Math.Round(rng.NextDouble() * 20, 1)).ToArray(); // with ties
        var copy = (float[])values.Clone();
        Assert.Equal(SortedPercentile(values, q), OrderStatistics.Percentile(copy, q), 5);
        Assert.Equal(values, copy); // the ReadOnlySpan overload leaves the input alone
    }

    [Fact]
    public void Select_SortedAndReversedInput_FindsEveryRank()
    {
        var sorted = Enumerable.Range(0, 257).Select(i => (double)i).ToArray();
        for (int k = 0; k < sorted.Length; k++)
        {
            Assert.Equal(k, OrderStatistics.Select((double[])sorted.Clone(), k));
            Assert.Equal(k, OrderStatistics.Select(sorted.Reverse().ToArray(), k));
        }
    }

    [Fact]
    public void Percentile_Empty_IsNaN() => Assert.True(double.IsNaN(OrderStatistics.Percentile(ReadOnlySpan<float>.Empty, 50)));
}
