using System.Text.Json;
using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public class DatasetMetaTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Write_ThenRead_RoundTrips()
    {
        var meta = new DatasetMeta(60.0, "SCF",
        [
            new TraceMeta("cell1", new Dictionary<string, double> { ["tau_decay_s"] = 0.4, ["alpha"] = 1.25 }),
            new TraceMeta("cell2", new Dictionary<string, double>()),
        ]);
        string path = _dir.File("meta.json");

        meta.Write(path);
        DatasetMeta back = DatasetMeta.Read(path);

        Assert.Equal(60.0, back.FrameRateHz);
        Assert.Equal("SCF", back.Generative);
        Assert.Equal(["cell1", "cell2"], back.Traces!.Select(t => t.Name));
        Assert.Equal(0.4, back.Traces![0].Parameters["tau_decay_s"]);
        Assert.Equal(1.25, back.Traces![0].Parameters["alpha"]);
        Assert.Empty(back.Traces![1].Parameters);
        Assert.Equal(["meta.json"], _dir.FileNames());
    }

    [Fact]
    public void Indicator_WrittenAndReadBack_BlankReadsAsNull()
    {
        string path = _dir.File("meta.json");
        new DatasetMeta(60.0, Indicator: "GCaMP6s").Write(path);
        Assert.Equal("GCaMP6s", DatasetMeta.Read(path).Indicator);

        File.WriteAllText(path, """{"frame_rate_hz": 60, "indicator": "  "}""");
        Assert.Null(DatasetMeta.Read(path).Indicator);
    }

    [Fact]
    public void Serialize_SnakeCaseNamesAndNullsOmitted()
    {
        using var doc = JsonDocument.Parse(DatasetMetaJson.Serialize(new DatasetMeta(100.0)));

        Assert.Equal(["frame_rate_hz"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(100.0, doc.RootElement.GetProperty("frame_rate_hz").GetDouble());
    }

    [Fact]
    public void Parse_RealDatasetShapeWithExtraFields_ReadsFrameRate()
    {
        // Abridged from a real /work/shared/data meta.json: nested unknown objects and arrays.
        const string json = """
            {
             "frame_rate_hz": 60.0601,
             "name": "DS09-GCaMP6f-m-V1",
             "rate_hz": 60.0601,
             "n_columns": 33,
             "raw_files": [ { "file": "a.mat", "sha1": "0bce", "bytes": 1095813 } ],
             "columns": [ { "column": "cell10_rec1", "rate_hz": 60.0601, "n_samples": 14400, "t0_s": 0.0086 } ]
            }
            """;

        DatasetMeta meta = DatasetMetaJson.Parse(json, "meta.json");

        Assert.Equal(60.0601, meta.FrameRateHz);
        Assert.Null(meta.Generative);
        Assert.Null(meta.Traces);
    }

    [Fact]
    public void Read_MissingFrameRate_ThrowsNamingFile()
    {
        string path = _dir.WriteText("meta.json", """{ "generative": "SCF" }""");

        var e = Assert.Throws<DataFormatException>(() => DatasetMeta.Read(path));

        Assert.Equal($"{path}: missing 'frame_rate_hz' (the sampling rate in Hz)", e.Message);
    }

    [Theory]
    [InlineData("0", "got 0")]
    [InlineData("-3", "got -3")]
    public void Read_NonPositiveFrameRate_ThrowsNamingValue(string rate, string expected)
    {
        string path = _dir.WriteText("meta.json", $$"""{ "frame_rate_hz": {{rate}} }""");

        var e = Assert.Throws<DataFormatException>(() => DatasetMeta.Read(path));

        Assert.StartsWith($"{path}: 'frame_rate_hz' must be > 0", e.Message);
        Assert.EndsWith(expected, e.Message);
    }

    [Theory]
    [InlineData("{ \"frame_rate_hz\": 60, ")]
    [InlineData("{ \"frame_rate_hz\": \"fast\" }")]
    [InlineData("[1, 2]")]
    public void Read_InvalidJson_ThrowsNamingFile(string json)
    {
        string path = _dir.WriteText("meta.json", json);

        var e = Assert.Throws<DataFormatException>(() => DatasetMeta.Read(path));

        Assert.StartsWith($"{path}: invalid JSON", e.Message);
    }

    [Fact]
    public void Read_TraceWithoutName_Throws()
    {
        string path = _dir.WriteText("meta.json", """{ "frame_rate_hz": 30, "traces": [ { "parameters": {} } ] }""");

        Assert.Contains("'traces[0]' has no 'name'", Assert.Throws<DataFormatException>(() => DatasetMeta.Read(path)).Message);
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        string path = _dir.File("meta.json");
        Assert.Equal($"{path}: file not found", Assert.Throws<DataFormatException>(() => DatasetMeta.Read(path)).Message);
    }

    [Fact]
    public void Write_NonPositiveFrameRate_Throws() =>
        Assert.Throws<ArgumentException>(() => new DatasetMeta(-1).Write(_dir.File("meta.json")));
}
