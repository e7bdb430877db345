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
    [InlineData("{ \"frame_rate_hz\": 60, ", "invalid JSON")]
    [InlineData("{ \"frame_rate_hz\": 60 ] ", "invalid JSON")]
    [InlineData("{ \"frame_rate_hz\": \"fast\" }", "'frame_rate_hz' must be a number (the sampling rate in Hz), got the text 'fast'")]
    [InlineData("{ \"frame_rate_hz\": [30] }", "'frame_rate_hz' must be a number (the sampling rate in Hz), got a list")]
    [InlineData("[1, 2]", "expected a JSON object, got a list")]
    [InlineData("\"30\"", "expected a JSON object, got the text '30'")]
    public void Read_InvalidJsonOrFrameRate_ThrowsNamingFile(string json, string problem)
    {
        string path = _dir.WriteText("meta.json", json);

        var e = Assert.Throws<DataFormatException>(() => DatasetMeta.Read(path));

        Assert.StartsWith($"{path}: {problem}", e.Message);
    }

    [Fact]
    public void Read_FrameRateAsNumericText_Accepted()
    {
        string path = _dir.WriteText("meta.json", """{ "frame_rate_hz": " 30.5" }""");

        DatasetMeta meta = DatasetMeta.Read(path);

        Assert.Equal(30.5, meta.FrameRateHz);
        Assert.Empty(meta.Warnings);
    }

    [Theory]
    [InlineData("""{ "frame_rate_hz": 30, "traces": [ { "parameters": {} } ] }""", "'traces' (entry 0 is an object without a text 'name'")]
    [InlineData("""{ "frame_rate_hz": 30, "traces": [ "cell1", "cell2" ] }""", "'traces' (entry 0 is the text 'cell1'")]
    [InlineData("""{ "frame_rate_hz": 30, "traces": [ { "id": 3, "roi": [1, 2] } ] }""", "'traces' (entry 0 is an object without a text 'name'")]
    [InlineData("""{ "frame_rate_hz": 30, "traces": [ { "name": 7 } ] }""", "'traces' (entry 0 is an object without a text 'name'")]
    [InlineData("""{ "frame_rate_hz": 30, "traces": { "cell1": {} } }""", "'traces' (an object, expected a list")]
    [InlineData("""{ "frame_rate_hz": 30, "traces": 12 }""", "'traces' (the number 12, expected a list")]
    public void Read_ForeignTracesList_IgnoredWithOneWarning(string json, string warning)
    {
        string path = _dir.WriteText("meta.json", json);

        DatasetMeta meta = DatasetMeta.Read(path);

        Assert.Equal(30, meta.FrameRateHz);
        Assert.Null(meta.Traces);
        string line = Assert.Single(meta.Warnings);
        Assert.StartsWith($"{path}: ignored what is not in the shape this tool reads: ", line);
        Assert.Contains(warning, line);
    }

    [Fact]
    public void Read_ManyForeignFields_StillOneWarningLineAndTheUsableRestKept()
    {
        string path = _dir.WriteText("meta.json", """
            {
              // written by another tool
              "frame_rate_hz": 30,
              "indicator": 6,
              "generative": { "kind": "scf" },
              "columns": ["time", "cell1"],
              "units": { "time": "s" },
              "traces": [ { "name": "cell1", "parameters": { "tau_decay_s": 0.4, "sensor": "GCaMP6s", "gain": "high" } } ],
            }
            """);

        DatasetMeta meta = DatasetMeta.Read(path);

        string line = Assert.Single(meta.Warnings);
        Assert.Contains("'indicator' (the number 6, expected text)", line);
        Assert.Contains("'generative' (an object, expected text)", line);
        Assert.Contains("2 parameter(s) that are not numbers (traces[0].parameters.sensor, traces[0].parameters.gain)", line);
        Assert.DoesNotContain("columns", line);
        Assert.Null(meta.Indicator);
        Assert.Null(meta.Generative);
        TraceMeta trace = Assert.Single(meta.Traces!);
        Assert.Equal("cell1", trace.Name);
        Assert.Equal(0.4, Assert.Single(trace.Parameters).Value);
    }

    [Fact]
    public void Read_OwnSchema_NoWarnings()
    {
        string path = _dir.WriteText("meta.json", """{ "frame_rate_hz": 60, "indicator": "GCaMP6f", "generative": "SCF", "traces": [ { "name": "a", "parameters": { "tau_decay_s": 0.4 } } ] }""");

        DatasetMeta meta = DatasetMeta.Read(path);

        Assert.Empty(meta.Warnings);
        Assert.Equal("GCaMP6f", meta.Indicator);
        Assert.Equal("a", Assert.Single(meta.Traces!).Name);
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
