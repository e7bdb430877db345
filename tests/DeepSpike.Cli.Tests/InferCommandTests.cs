using System.IO.Compression;
using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Preprocessing;

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
        Assert.Equal(["noise_levels.csv", "probabilities.csv"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(result.StdErr); // clean ΔF/F input: nothing to warn about
    }

    [Fact]
    public void Infer_DatasetFolder_WritesEachTracesCascadeNoiseLevelAndTheirMedianAndRange()
    {
        string output = _dir.Sub("out");

        var result = CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", fixture.DataFolder, "--out", output);

        var noise = TraceCsv.Read(Path.Combine(output, "noise_levels.csv"));
        double[] expected = fixture.Data.Calcium.Traces.Select(t => NoiseLevel.Cascade(t, 60)).ToArray();
        Assert.Equal(fixture.Data.Calcium.Names, noise.Names);
        for (int j = 0; j < expected.Length; j++)
            Assert.Equal((float)expected[j], Assert.Single(noise.Traces[j]));
        Assert.Contains($"median {expected.Average():F2}, range {expected.Min():F2}–{expected.Max():F2} over 2 traces", result.StdOut);
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

    [Fact]
    public void Infer_DsfWithSamples_WritesOneFilePerTraceWhoseMeanFollowsTheProbabilities()
    {
        string output = _dir.Sub("out");

        var result = CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", fixture.DataFolder, "--out", output, "--samples", "400");

        var probabilities = ReadProbabilities(output);
        Assert.Contains("400 posterior samples per trace", result.StdOut);
        for (int j = 0; j < probabilities.Count; j++)
        {
            var samples = TraceCsv.Read(Path.Combine(output, "samples", probabilities.Names[j] + ".csv"));
            Assert.Equal(400, samples.Count);
            Assert.Equal("sample_1", samples.Names[0]);
            Assert.All(samples.Traces, s => Assert.Equal(probabilities.Traces[j].Length, s.Length));
            Assert.All(samples.Traces, s => Assert.All(s, v => Assert.True(v is 0f or 1f)));
            // The spike count of a sample has mean Σ p_t and variance Σ p_t(1 − p_t); 400 samples average it.
            double expected = probabilities.Traces[j].Sum(p => (double)p), sd = Math.Sqrt(probabilities.Traces[j].Sum(p => p * (1.0 - p)) / 400);
            Assert.InRange(samples.Traces.Average(s => s.Sum()), expected - 5 * sd, expected + 5 * sd);
            // And spikes land where the probability is: frame means track the probabilities.
            var frameMeans = Enumerable.Range(0, probabilities.Traces[j].Length).Select(t => samples.Traces.Average(s => s[t])).ToArray();
            Assert.True(DeepSpike.Evaluation.SpikeMetrics.Pearson(frameMeans, probabilities.Traces[j]) > 0.9);
        }
    }

    [Fact]
    public void Infer_DsnfModel_WritesThirtySamplesByDefaultAndProbabilitiesAreTheirMeanPi()
    {
        string nf = _dir.Sub("nf.dsm"), output = _dir.Sub("out");
        CliHost.Succeed(["train", "--data", fixture.DataFolder, "--out", nf, "--recognition", "dsnf", "--max-iterations", "1", .. TrainedModelFixture.QuickTraining]);

        CliHost.Succeed("infer", "--model", nf, "--data", fixture.DataFolder, "--out", output, "--threads", "1");

        var probabilities = ReadProbabilities(output);
        var library = SpikeInference.Run(SpikeModel.Load(nf), fixture.Data.Calcium).Probabilities;
        for (int j = 0; j < probabilities.Count; j++)
        {
            Assert.Equal(library.Traces[j], probabilities.Traces[j]);
            Assert.Equal(30, TraceCsv.Read(Path.Combine(output, "samples", probabilities.Names[j] + ".csv")).Count);
        }
    }

    [Fact]
    public void Infer_SamplesZeroForDsnf_WritesNoSamples()
    {
        string nf = _dir.Sub("nf.dsm"), output = _dir.Sub("out");
        CliHost.Succeed(["train", "--data", fixture.DataFolder, "--out", nf, "--recognition", "dsnf", "--max-iterations", "1", .. TrainedModelFixture.QuickTraining]);

        CliHost.Succeed("infer", "--model", nf, "--data", fixture.DataFolder, "--out", output, "--samples", "0");

        Assert.False(Directory.Exists(Path.Combine(output, "samples")));
    }

    [Theory]
    [InlineData(new[] { "cell 1", "cell/2" }, new[] { "cell_1.csv", "cell_2.csv" })]
    [InlineData(new[] { "a b", "a_b", "c" }, new[] { "a_b_1.csv", "a_b_2.csv", "c.csv" })]
    [InlineData(new[] { "..", "" }, new[] { ".._1.csv", "_2.csv" })]
    public void SampleFileNames_UnsafeOrCollidingNames_AreMadeSafeAndUnique(string[] names, string[] expected) =>
        Assert.Equal(expected, DeepSpike.Cli.Commands.InferCommand.SampleFileNames(names));

    /// <summary>A copy of the fixture's calcium with a meta.json naming <paramref name="indicator"/>.</summary>
    private string FolderWithIndicator(string indicator)
    {
        string folder = Files.CopyFiles(fixture.DataFolder, _dir.Sub("with-indicator"), Dataset.CalciumFileName);
        new DatasetMeta(60, Indicator: indicator).Write(Path.Combine(folder, Dataset.MetaFileName));
        return folder;
    }

    [Fact]
    public void Infer_IndicatorFlag_UsesTheBuiltinModelMadeForIt()
    {
        var result = CliHost.Succeed("infer", "--indicator", "gcamp6f", "--data", fixture.DataFolder, "--out", _dir.Sub("out"));

        Assert.Contains("using the built-in model gcamp6f (made for gcamp6f)", result.StdErr);
        Assert.Equal(fixture.Data.Calcium.Names, ReadProbabilities(_dir.Sub("out")).Names);
    }

    [Fact]
    public void Infer_MetaJsonNamesAnIndicator_UsesItsBuiltinModel()
    {
        var result = CliHost.Succeed("infer", "--data", FolderWithIndicator("GCaMP6s"), "--out", _dir.Sub("out"));

        Assert.Contains("using the built-in model gcamp6s (the data's meta.json names the indicator GCaMP6s)", result.StdErr);
    }

    [Fact]
    public void Infer_MetaJsonNamesAnIndicatorWithoutModel_UsesTheDefaultAndSaysSo()
    {
        var result = CliHost.Succeed("infer", "--data", FolderWithIndicator("jRGECO1a"), "--out", _dir.Sub("out"));

        Assert.Contains($"using the built-in model {SpikeModel.DefaultBuiltinName} (the default;", result.StdErr);
    }

    [Fact]
    public void Infer_IndicatorWithoutBuiltinModel_FailsListingTheIndicatorsThereAre()
    {
        var result = CliHost.Run("infer", "--indicator", "jRGECO1a", "--data", fixture.DataFolder, "--out", _dir.Sub("out"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no built-in model is made for it", result.StdErr);
        Assert.Contains("GCaMP6f", result.StdErr);
    }
}
