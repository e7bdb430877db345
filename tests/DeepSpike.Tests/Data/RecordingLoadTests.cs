using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public sealed class RecordingLoadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_NpyFileWithRate_TracesNamedByRow()
    {
        string path = _dir.File("F.npy");
        File.WriteAllBytes(path, NpyTestFiles.Float32([[1f, 2f, 3f], [4f, 5f, 6f]]));

        Recording recording = Recording.Load(path, frameRateHz: 20);

        Assert.Equal(["roi0", "roi1"], recording.Fluorescence.Names);
        Assert.Equal(20, recording.FrameRateHz);
        Assert.Null(recording.Neuropil);
    }

    [Fact]
    public void Load_NpyFileWithoutRate_ErrorAsksForIt()
    {
        string path = _dir.File("F.npy");
        File.WriteAllBytes(path, NpyTestFiles.Float32([[1f, 2f]]));

        var error = Assert.Throws<DataFormatException>(() => Recording.Load(path));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(FormatRemedy.GiveFrameRate, error.Remedy);
    }

    [Fact]
    public void Load_NpyWithNpyNeuropil_MatchedByRow()
    {
        string f = _dir.File("F.npy"), fneu = _dir.File("Fneu.npy");
        File.WriteAllBytes(f, NpyTestFiles.Float32([[1f, 2f], [3f, 4f]]));
        File.WriteAllBytes(fneu, NpyTestFiles.Float32([[0.1f, 0.2f], [0.3f, 0.4f]]));

        Recording recording = Recording.Load(f, 30, fneu);

        Assert.Equal([0.3f, 0.4f], recording.Neuropil!["roi1"]);
    }

    [Fact]
    public void Load_NeuropilRowCountDiffers_ErrorNamingNeuropilFile()
    {
        string f = _dir.File("F.npy"), fneu = _dir.File("Fneu.npy");
        File.WriteAllBytes(f, NpyTestFiles.Float32([[1f, 2f], [3f, 4f]]));
        File.WriteAllBytes(fneu, NpyTestFiles.Float32([[0.1f, 0.2f]]));

        var error = Assert.Throws<DataFormatException>(() => Recording.Load(f, 30, fneu));

        Assert.Equal(fneu, error.FilePath);
        Assert.Contains("has 1 neuropil traces but there are 2 fluorescence traces", error.Message);
    }

    [Fact]
    public void Load_CsvWithGapAndNeuropilCsv_GapKeptAsNaNAndNeuropilMatchedByName()
    {
        string f = _dir.WriteText("calcium.csv", "a,b\n1,5\n,6\n3,7\n");
        string fneu = _dir.WriteText("neuropil.csv", "b,a\n0.5,0.1\n0.6,0.2\n0.7,0.3\n");

        Recording recording = Recording.Load(f, 30, fneu);

        Assert.True(float.IsNaN(recording.Fluorescence["a"][1]));
        Assert.Equal(["a", "b"], recording.Neuropil!.Names);
        Assert.Equal([0.1f, 0.2f, 0.3f], recording.Neuropil["a"]);
    }

    [Fact]
    public void Load_NeuropilCsvMissingName_Error()
    {
        string f = _dir.WriteText("calcium.csv", "a,b\n1,5\n2,6\n");
        string fneu = _dir.WriteText("neuropil.csv", "a,c\n1,5\n2,6\n");

        var error = Assert.Throws<DataFormatException>(() => Recording.Load(f, 30, fneu));

        Assert.Contains("has no neuropil trace named 'b'", error.Message);
    }

    [Fact]
    public void Load_NeuropilLengthDiffers_Error()
    {
        string f = _dir.WriteText("calcium.csv", "a\n1\n2\n3\n");
        string fneu = _dir.WriteText("neuropil.csv", "a\n1\n2\n");

        var error = Assert.Throws<DataFormatException>(() => Recording.Load(f, 30, fneu));

        Assert.Contains("neuropil for trace 'a' has 2 frames but the fluorescence has 3", error.Message);
    }

    [Fact]
    public void Load_DatasetFolder_UsesMetaJson()
    {
        _dir.WriteText("calcium.csv", "x\n1\n2\n");
        _dir.WriteText("meta.json", """{ "frame_rate_hz": 25 }""");

        Recording recording = Recording.Load(_dir.Path);

        Assert.Equal(25, recording.FrameRateHz);
        Assert.Equal(["x"], recording.Fluorescence.Names);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    public void Load_BadFrameRate_Error(double rate)
    {
        string f = _dir.WriteText("calcium.csv", "x\n1\n2\n");
        Assert.Throws<DataFormatException>(() => Recording.Load(f, rate));
    }

    [Fact]
    public void Constructor_NeuropilNamesDiffer_Throws()
    {
        var f = new TraceSet(["a"], [[1f]], 30);
        var n = new TraceSet(["b"], [[1f]], 30);
        Assert.Throws<ArgumentException>(() => new Recording(f, n, "test"));
    }
}
