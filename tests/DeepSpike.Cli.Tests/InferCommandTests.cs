using System.IO.Compression;
using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Inference;
using DeepSpike.Models;

namespace DeepSpike.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class InferCommandTests(TrainedModelFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static TraceSet ReadProbabilities(string outFolder) => TraceCsv.Read(Path.Combine(outFolder, "probabilities.csv"));

    private static void AssertProbabilities(TraceSet probabilities)
    {
        foreach (float[] trace in probabilities.Traces)
            Assert.All(trace, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void Infer_DatasetFolder_WritesLibraryProbabilitiesWithInputNamesAndLengths()
    {
        string output = _dir.Sub("out");

        var result = CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", fixture.DataFolder, "--out", output);

        var probabilities = ReadProbabilities(output);
        var reference = SpikeInference.Run(SpikeModel.Load(fixture.ModelPath), fixture.Data.Calcium).Probabilities;
        Assert.Equal(fixture.Data.Calcium.Names, probabilities.Names);
        for (int j = 0; j < reference.Count; j++)
        {
            Assert.Equal(fixture.Data.Calcium.Traces[j].Length, probabilities.Traces[j].Length);
            Assert.Equal(reference.Traces[j], probabilities.Traces[j]);
        }
        AssertProbabilities(probabilities);
        Assert.Contains("2 traces", result.StdOut);
        Assert.Equal(["probabilities.csv"], Directory.GetFiles(output).Select(Path.GetFileName));
    }

    [Fact]
    public void Infer_RaggedCsvWithShorterColumn_KeepsEachTraceLength()
    {
        var calcium = fixture.Data.Calcium;
        string folder = _dir.Folder("ragged");
        File.WriteAllText(Path.Combine(folder, "calcium.csv"), Files.Csv(["long", "short"], [calcium.Traces[0], calcium.Traces[1][..1234]]));
        File.WriteAllText(Path.Combine(folder, "meta.json"), """{ "frame_rate_hz": 60 }""");
        string output = _dir.Sub("out");

        CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", folder, "--out", output);

        var probabilities = ReadProbabilities(output);
        Assert.Equal(["long", "short"], probabilities.Names);
        Assert.Equal([calcium.Traces[0].Length, 1234], probabilities.Traces.Select(t => t.Length));
        AssertProbabilities(probabilities);
        string[] lines = File.ReadAllLines(Path.Combine(output, "probabilities.csv"));
        Assert.Equal(calcium.Traces[0].Length + 1, lines.Length);
        Assert.EndsWith(",", lines[^1]); // the short column is padded with empty fields
    }

    [Fact]
    public void Infer_GzippedCsvWithFrameRate_MatchesPlainFolderResult()
    {
        string gz = _dir.Sub("gz/calcium.csv.gz"); // no meta.json beside it
        Directory.CreateDirectory(Path.GetDirectoryName(gz)!);
        using (var source = File.OpenRead(fixture.CalciumCsv))
        using (var target = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
            source.CopyTo(target);
        CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", fixture.DataFolder, "--out", _dir.Sub("plain"));

        CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", gz, "--frame-rate", "60", "--out", _dir.Sub("out"));

        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir.Sub("plain"), "probabilities.csv")), File.ReadAllBytes(Path.Combine(_dir.Sub("out"), "probabilities.csv")));
    }

    [Fact]
    public void Infer_GzippedCsvWithoutFrameRateOrMeta_FailsNamingTheFrameRate()
    {
        string gz = _dir.Sub("gz/calcium.csv.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(gz)!);
        using (var source = File.OpenRead(fixture.CalciumCsv))
        using (var target = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
            source.CopyTo(target);
        string output = _dir.Folder("out");

        var result = CliHost.Run("infer", "--model", fixture.ModelPath, "--data", gz, "--out", output);

        CliHost.AssertCleanFailure(result, output, gz, "frame rate unknown", "--frame-rate", "meta.json");
    }
}
