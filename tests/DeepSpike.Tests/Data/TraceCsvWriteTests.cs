using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public class TraceCsvWriteTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float[][] RandomRaggedTraces(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, 6).Select(_ =>
            Enumerable.Range(0, rng.Next(1, 200)).Select(_ =>
                // Random bit patterns cover subnormals and extreme exponents; skip non-finite ones.
                BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue)) is var f && float.IsFinite(f) ? f : 0.25f)
            .ToArray()).ToArray();
    }

    [Theory]
    [InlineData("out.csv")]
    [InlineData("out.csv.gz")]
    public void Write_ThenRead_RoundTripsBitsExactly(string fileName)
    {
        float[][] traces = RandomRaggedTraces(seed: 7);
        traces[0][0] = float.MaxValue;
        traces[1][0] = -float.Epsilon;
        string[] names = traces.Select((_, j) => $"cell{j}").ToArray();
        string path = _dir.File(fileName);

        TraceCsv.Write(path, names, traces);
        TraceSet back = TraceCsv.Read(path);

        Assert.Equal(names, back.Names);
        for (int j = 0; j < traces.Length; j++)
            Assert.Equal(traces[j].Select(BitConverter.SingleToInt32Bits), back.Traces[j].Select(BitConverter.SingleToInt32Bits));
        Assert.Equal([fileName], _dir.FileNames());
    }

    [Fact]
    public void Write_GzPath_WritesGzipMagicBytes()
    {
        string path = _dir.File("out.csv.gz");
        TraceCsv.Write(path, ["a"], [[1f]]);

        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal([0x1f, 0x8b], bytes[..2]);
    }

    [Fact]
    public void Write_RaggedTraces_PadsWithEmptyFields()
    {
        string path = _dir.File("out.csv");
        TraceCsv.Write(path, ["a", "b", "c"], [[1f, 2f, 3f], [0.1f], [-2.5f, 1e-7f]]);

        Assert.Equal("a,b,c\n1,0.1,-2.5\n2,,1E-07\n3,,\n", File.ReadAllText(path));
    }

    [Fact]
    public void Write_NaNValue_WrittenAsEmptyField()
    {
        string path = _dir.File("out.csv");
        TraceCsv.Write(path, ["a", "b"], [[1f, float.NaN, 3f], [4f, 5f, float.NaN]]);

        Assert.Equal("a,b\n1,4\n,5\n3,\n", File.ReadAllText(path));
    }

    [Fact]
    public void Write_NamesWithCommaAndQuote_QuotedAndReadBack()
    {
        string path = _dir.File("out.csv");
        string[] names = ["x,1", "say \"hi\"", " padded "];
        TraceCsv.Write(path, names, [[1f], [2f], [3f]]);

        Assert.Equal(names, TraceCsv.Read(path).Names);
    }

    [Fact]
    public void Write_TraceSetOverload_WritesSameAsLists()
    {
        var set = new TraceSet(["a"], [[1f, 2f]], 30);
        TraceCsv.Write(_dir.File("one.csv"), set);
        TraceCsv.Write(_dir.File("two.csv"), set.Names, set.Traces);

        Assert.Equal(File.ReadAllText(_dir.File("one.csv")), File.ReadAllText(_dir.File("two.csv")));
    }

    [Fact]
    public void Write_ExistingFile_Replaced()
    {
        string path = _dir.WriteText("out.csv", "old content that is longer than the new one\n");
        TraceCsv.Write(path, ["a"], [[1f]]);

        Assert.Equal("a\n1\n", File.ReadAllText(path));
    }

    [Fact]
    public void Write_InfiniteValue_ThrowsNamingFrameAndLeavesNoFile()
    {
        string path = _dir.File("out.csv");
        var e = Assert.Throws<ArgumentException>(() => TraceCsv.Write(path, ["a", "b"], [[1f], [1f, 2f, float.NegativeInfinity]]));

        Assert.StartsWith("trace 'b' has an infinite value at frame 2", e.Message);
        Assert.Empty(_dir.FileNames());
    }

    public static TheoryData<string[], float[][], string> BadArguments => new()
    {
        { [], [], "at least one trace" },
        { ["a", "b"], [[1f]], "2 names but 1 traces" },
        { ["a", "a"], [[1f], [2f]], "'a' appears more than once" },
        { ["a", ""], [[1f], [2f]], "trace name 1 is empty" },
        { ["a\nb"], [[1f]], "contains a line break" },
        { ["a"], [[]], "trace 'a' is empty" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Write_BadArguments_ThrowsAndLeavesNoFile(string[] names, float[][] traces, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => TraceCsv.Write(_dir.File("out.csv"), names, traces));

        Assert.Contains(expected, e.Message);
        Assert.Empty(_dir.FileNames());
    }
}
