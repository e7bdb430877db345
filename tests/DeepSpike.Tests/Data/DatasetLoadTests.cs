using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public class DatasetLoadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Calcium = "a,b\n0.1,0.5\n0.2,0.6\n0.3,\n";
    private const string Spikes = "a,b\n0,1\n1,0\n0,\n";

    private void WriteFolder(string calcium = Calcium, string? spikes = Spikes, string? metaJson = """{ "frame_rate_hz": 30 }""")
    {
        _dir.WriteText("calcium.csv", calcium);
        if (spikes is not null)
            _dir.WriteText("spikes.csv", spikes);
        if (metaJson is not null)
            _dir.WriteText("meta.json", metaJson);
    }

    [Fact]
    public void Load_FolderWithCalciumSpikesMeta_LoadsAll()
    {
        WriteFolder();

        Dataset data = Dataset.Load(_dir.Path);

        Assert.Equal(["a", "b"], data.Calcium.Names);
        Assert.Equal([0.1f, 0.2f, 0.3f], data.Calcium["a"]);
        Assert.Equal([0.5f, 0.6f], data.Calcium["b"]);
        Assert.NotNull(data.Spikes);
        Assert.Equal([1f, 0f], data.Spikes["b"]);
        Assert.Equal(30, data.FrameRateHz);
        Assert.Equal(30, data.Calcium.FrameRateHz);
        Assert.Equal(30, data.Spikes.FrameRateHz);
    }

    [Fact]
    public void Load_FolderWithGzippedFiles_Loads()
    {
        TraceCsv.Write(_dir.File("calcium.csv.gz"), ["x"], [[1f, 2f]]);
        TraceCsv.Write(_dir.File("spikes.csv.gz"), ["x"], [[0f, 1f]]);

        Dataset data = Dataset.Load(_dir.Path, frameRateHzOverride: 100);

        Assert.Equal([1f, 2f], data.Calcium["x"]);
        Assert.Equal([0f, 1f], data.Spikes!["x"]);
        Assert.Equal(100, data.Meta.FrameRateHz);
    }

    [Fact]
    public void Load_FolderWithoutSpikes_SpikesNull()
    {
        WriteFolder(spikes: null);

        Assert.Null(Dataset.Load(_dir.Path).Spikes);
    }

    [Fact]
    public void Load_WithoutSpikes_IgnoresEvenAMalformedSpikesCsv()
    {
        WriteFolder(spikes: "this,is\nnot,numbers\n");

        Dataset data = Dataset.Load(_dir.Path, includeSpikes: false);

        Assert.Null(data.Spikes);
        Assert.Equal([0.1f, 0.2f, 0.3f], data.Calcium["a"]);
        Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path));
    }

    [Fact]
    public void Load_OverrideAndMeta_OverrideWinsAndMetaKept()
    {
        WriteFolder(metaJson: """{ "frame_rate_hz": 30, "generative": "SCF" }""");

        Dataset data = Dataset.Load(_dir.Path, frameRateHzOverride: 60);

        Assert.Equal(60, data.FrameRateHz);
        Assert.Equal(60, data.Calcium.FrameRateHz);
        Assert.Equal("SCF", data.Meta.Generative);
    }

    [Fact]
    public void Load_FolderWithoutMetaOrOverride_ThrowsFrameRateUnknown()
    {
        WriteFolder(metaJson: null);

        var e = Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path));

        Assert.StartsWith("frame rate unknown: there is no meta.json", e.Problem);
        Assert.Equal(FormatRemedy.GiveFrameRate, e.Remedy);
    }

    [Fact]
    public void Load_SingleCsvWithOverride_LoadsCalciumOnly()
    {
        string path = _dir.WriteText("traces.csv", Calcium);

        Dataset data = Dataset.Load(path, frameRateHzOverride: 15);

        Assert.Equal(["a", "b"], data.Calcium.Names);
        Assert.Null(data.Spikes);
        Assert.Equal(15, data.FrameRateHz);
    }

    [Fact]
    public void Load_SingleCsvWithMetaBeside_UsesMetaFrameRate()
    {
        WriteFolder();

        Dataset data = Dataset.Load(_dir.File("calcium.csv"));

        Assert.Equal(30, data.FrameRateHz);
        Assert.Null(data.Spikes);
    }

    [Fact]
    public void Load_SingleCsvWithoutFrameRate_ThrowsNamingFileAndFlag()
    {
        string path = _dir.WriteText("traces.csv", Calcium);

        var e = Assert.Throws<DataFormatException>(() => Dataset.Load(path));

        Assert.StartsWith($"{path}: frame rate unknown: there is no meta.json", e.Message);
        Assert.Equal(FormatRemedy.GiveFrameRate, e.Remedy);
    }

    [Theory]
    [InlineData(-3.0, "frame rate must be > 0, got -3")]
    [InlineData(0.0, "frame rate must be > 0, got 0")]
    [InlineData(double.NaN, "frame rate must be > 0, got NaN")]
    [InlineData(double.PositiveInfinity, "frame rate must be > 0, got Infinity")]
    public void Load_BadFrameRateOverride_Throws(double frameRateHz, string expected)
    {
        WriteFolder();

        var e = Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path, frameRateHz));

        Assert.Equal(expected, e.Problem);
    }

    [Fact]
    public void Load_MetaWithBadFrameRate_ThrowsNamingMetaFile()
    {
        WriteFolder(metaJson: """{ "frame_rate_hz": -3 }""");

        var e = Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path));

        Assert.Equal(_dir.File("meta.json"), e.FilePath);
    }

    [Fact]
    public void Load_MissingPath_ThrowsFileNotFound()
    {
        string path = _dir.File("nowhere");
        Assert.Equal($"{path}: file not found", Assert.Throws<DataFormatException>(() => Dataset.Load(path, 30)).Message);
    }

    [Fact]
    public void Load_FolderWithoutCalcium_Throws()
    {
        _dir.WriteText("meta.json", """{ "frame_rate_hz": 30 }""");

        Assert.Contains("no calcium.csv or calcium.csv.gz", Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path)).Message);
    }

    [Fact]
    public void Load_FolderWithCsvAndGz_ThrowsAmbiguous()
    {
        WriteFolder();
        TraceCsv.Write(_dir.File("calcium.csv.gz"), ["a"], [[1f]]);

        Assert.Contains("has both calcium.csv and calcium.csv.gz", Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path)).Message);
    }

    [Fact]
    public void Load_SpikesWithDifferentNames_ThrowsNamingColumn()
    {
        WriteFolder(spikes: "a,c\n0,1\n1,0\n0,\n");

        var e = Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path));

        Assert.Equal(_dir.File("spikes.csv"), e.FilePath);
        Assert.Equal("column 2 is 'c' but in calcium.csv it is 'b'", e.Problem);
    }

    [Fact]
    public void Load_SpikesWithDifferentLength_ThrowsNamingTrace()
    {
        WriteFolder(spikes: "a,b\n0,1\n1,0\n0,0\n");

        var e = Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path));

        Assert.Equal("trace 'b' has 3 frames but calcium.csv has 2", e.Problem);
    }

    [Fact]
    public void Load_SpikesWithFewerTraces_Throws()
    {
        WriteFolder(spikes: "a\n0\n1\n0\n");

        Assert.Contains("has 1 traces but calcium.csv has 2", Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path)).Message);
    }

    [Fact]
    public void Load_MalformedCalcium_ErrorNamesCalciumFile()
    {
        WriteFolder(calcium: "a,b\n1,x\n");

        Assert.Equal(_dir.File("calcium.csv"), Assert.Throws<DataFormatException>(() => Dataset.Load(_dir.Path)).FilePath);
    }

    [RealDataFact("genie-gcamp6f-ds09")]
    public void Load_RealGenieGcamp6fDs09_Has33MatchingColumns()
    {
        Dataset data = Dataset.Load(RealDataFactAttribute.PathOf("genie-gcamp6f-ds09"));

        Assert.Equal(33, data.Calcium.Count);
        Assert.Equal(33, data.Spikes!.Count);
        Assert.Equal(60.0601, data.FrameRateHz);
        Assert.Equal(14400, data.Calcium.MaxLength);
        Assert.All(data.Calcium.Traces, t => Assert.All(t, v => Assert.True(float.IsFinite(v))));
    }
}
