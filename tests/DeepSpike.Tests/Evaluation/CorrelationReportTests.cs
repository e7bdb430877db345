using System.Text.Json;
using DeepSpike.Evaluation;
using DeepSpike.Tests.Data;

namespace DeepSpike.Tests.Evaluation;

public class CorrelationReportTests
{
    private static readonly CorrelationReport Report = new(
        [new TraceCorrelation("a", 0.75), new TraceCorrelation("silent", double.NaN), new TraceCorrelation("c", 0.25)],
        Mean: 0.5, Sem: 0.25, N: 2);

    [Fact]
    public void ToJson_Report_HasExactPropertyNamesAndValues()
    {
        using var doc = JsonDocument.Parse(Report.ToJson());
        JsonElement root = doc.RootElement;

        Assert.Equal(["mean_correlation", "sem", "n", "per_trace"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.5, root.GetProperty("mean_correlation").GetDouble());
        Assert.Equal(0.25, root.GetProperty("sem").GetDouble());
        Assert.Equal(2, root.GetProperty("n").GetInt32());
        JsonElement[] perTrace = root.GetProperty("per_trace").EnumerateArray().ToArray();
        Assert.Equal(3, perTrace.Length);
        Assert.Equal(["name", "correlation"], perTrace[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("a", perTrace[0].GetProperty("name").GetString());
        Assert.Equal(0.75, perTrace[0].GetProperty("correlation").GetDouble());
    }

    [Fact]
    public void ToJson_NaNValues_WrittenAsNull()
    {
        var empty = new CorrelationReport([new TraceCorrelation("silent", double.NaN)], double.NaN, double.NaN, 0);

        using var doc = JsonDocument.Parse(empty.ToJson());

        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("mean_correlation").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("sem").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("per_trace")[0].GetProperty("correlation").ValueKind);
    }

    [Fact]
    public void WriteJson_Report_WritesSameJsonAtomically()
    {
        using var dir = new TempDirectory();
        string path = dir.File("report.json");

        Report.WriteJson(path);

        Assert.Equal(Report.ToJson() + "\n", File.ReadAllText(path));
        Assert.Equal(["report.json"], dir.FileNames());
    }
}
