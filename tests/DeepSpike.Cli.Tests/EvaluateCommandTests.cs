using System.Text.Json;
using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Evaluation;

namespace DeepSpike.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class EvaluateCommandTests(TrainedModelFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private CliResult Evaluate(string predicted, string json) =>
        CliHost.Succeed("evaluate", "--predicted", predicted, "--truth", fixture.SpikesCsv, "--frame-rate", "60", "--bin-ms", "16.6", "--json", json);

    [Fact]
    public void Evaluate_PredictedEqualsTruth_MeanCorrelationIsOne()
    {
        string json = _dir.Sub("report.json");

        var result = Evaluate(fixture.SpikesCsv, json);

        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var root = report.RootElement;
        Assert.Equal(1.0, root.GetProperty("mean_correlation").GetDouble(), 12);
        Assert.Equal(0.0, root.GetProperty("sem").GetDouble(), 12);
        Assert.Equal(2, root.GetProperty("n").GetInt32());
        var perTrace = root.GetProperty("per_trace").EnumerateArray().ToList();
        Assert.Equal(fixture.Data.Spikes!.Names, perTrace.Select(t => t.GetProperty("name").GetString()));
        Assert.All(perTrace, t => Assert.Equal(1.0, t.GetProperty("correlation").GetDouble(), 12));
        Assert.Contains("1.000", result.StdOut);
    }

    [Fact]
    public void Evaluate_InferredProbabilities_JsonMatchesLibraryReport()
    {
        CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", fixture.DataFolder, "--out", _dir.Sub("out"));
        string predicted = Path.Combine(_dir.Sub("out"), "probabilities.csv"), json = _dir.Sub("report.json");

        Evaluate(predicted, json);

        var expected = SpikeMetrics.Evaluate(TraceCsv.Read(predicted, 60), TraceCsv.Read(fixture.SpikesCsv, 60), 16.6);
        Assert.Equal(expected.ToJson().Trim(), File.ReadAllText(json).Trim());
    }
}
