using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public class TraceSetTests
{
    [Fact]
    public void MaxLength_RaggedTraces_IsLongest()
    {
        var set = new TraceSet(["a", "b", "c"], [new float[3], new float[7], new float[5]], 30.0);

        Assert.Equal(7, set.MaxLength);
        Assert.Equal(3, set.Count);
        Assert.Equal(30.0, set.FrameRateHz);
    }

    [Fact]
    public void MaxLength_NoTraces_IsZero() => Assert.Equal(0, new TraceSet([], []).MaxLength);

    [Fact]
    public void IndexOf_KnownAndUnknownNames_FindsOrMinusOne()
    {
        float[] b = [1f, 2f];
        var set = new TraceSet(["a", "b"], [new float[1], b]);

        Assert.Equal(1, set.IndexOf("b"));
        Assert.Equal(-1, set.IndexOf("zz"));
        Assert.Same(b, set["b"]);
        Assert.Throws<KeyNotFoundException>(() => set["zz"]);
    }

    [Fact]
    public void Constructor_DuplicateNames_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new TraceSet(["a", "a"], [new float[1], new float[1]]));
        Assert.Contains("'a' appears more than once", e.Message);
    }

    [Fact]
    public void Constructor_CountMismatch_Throws() =>
        Assert.Throws<ArgumentException>(() => new TraceSet(["a", "b"], [new float[1]]));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-3.0)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_BadFrameRate_Throws(double frameRateHz) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceSet(["a"], [new float[1]], frameRateHz));

    [Fact]
    public void Constructor_NaNFrameRate_MeansUnknown() =>
        Assert.True(double.IsNaN(new TraceSet(["a"], [new float[1]]).FrameRateHz));

    [Fact]
    public void Subset_Indices_KeepsThoseTracesInThatOrderWithTheFrameRate()
    {
        var set = new TraceSet(["a", "b", "c"], [[1f], [2f, 2f], [3f]], 30);

        var subset = set.Subset([2, 0]);

        Assert.Equal(["c", "a"], subset.Names);
        Assert.Equal([3f], subset.Traces[0]);
        Assert.Equal(30, subset.FrameRateHz);
    }
}
