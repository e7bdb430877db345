using System.IO.Compression;
using System.Text;
using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;

namespace DeepSpike.Cli.Tests;

/// <summary>
/// Bad input must end in one line "deepspike: error: …" on standard error that names the file or value
/// and the problem, a non-zero exit code, and no partial output.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class BadInputTests(TrainedModelFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>An existing, empty output folder, so leftovers would be visible.</summary>
    private string Output => _dir.Folder("out");

    private CliResult Infer(string data, params string[] extra) =>
        CliHost.Run(["infer", "--model", fixture.ModelPath, "--data", data, "--out", Output, .. extra]);

    /// <summary>A dataset folder whose calcium.csv has <paramref name="csv"/> and whose meta.json says 60 Hz.</summary>
    private string FolderWithCalcium(string csv)
    {
        string folder = _dir.Folder("data");
        File.WriteAllText(Path.Combine(folder, Dataset.CalciumFileName), csv);
        File.WriteAllText(Path.Combine(folder, Dataset.MetaFileName), """{ "frame_rate_hz": 60 }""");
        return folder;
    }

    [Fact]
    public void Infer_MissingDataFolder_FailsNamingIt()
    {
        string missing = _dir.Sub("no-such-folder");

        CliHost.AssertCleanFailure(Infer(missing), Output, missing, "not found");
    }

    [Fact]
    public void Infer_FolderWithoutCalciumCsv_FailsNamingFolderAndFile()
    {
        string folder = Files.CopyFiles(fixture.DataFolder, _dir.Sub("data"), Dataset.SpikesFileName, Dataset.MetaFileName);

        CliHost.AssertCleanFailure(Infer(folder), Output, folder, "no calcium.csv");
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("npy")]
    [InlineData("random")]
    public void Infer_BinaryCalciumCsv_FailsSayingItIsNotTextCsv(string kind)
    {
        string folder = FolderWithCalcium("");
        string calcium = Path.Combine(folder, Dataset.CalciumFileName);
        File.WriteAllBytes(calcium, kind switch
        {
            "zip" => ZipBytes(),
            "npy" => [0x93, .. "NUMPY"u8, 1, 0, 0x76, 0, .. "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n"u8, 0, 0, 0x80, 0x3f],
            _ => RandomBytes(4096, seed: 1),
        });

        CliHost.AssertCleanFailure(Infer(folder), Output, calcium, "not a text CSV file");
    }

    [Theory]
    [InlineData("a,b\n0.1,0.2\nhello,0.3\n0.4,0.5\n", "trace 'a'", "non-numeric text 'hello' at frame 1")]
    [InlineData("a,b\n0.1,0.2\nInf,0.3\n0.4,0.5\n", "trace 'a'", "infinite value 'Inf' at frame 1")]
    [InlineData("a,b\n0.1,0.2\n0.3,-inf\n0.4,0.5\n", "trace 'b'", "infinite value '-inf' at frame 1")]
    [InlineData("a,b\n0.1,0.2\n0.3,1e39\n0.4,0.5\n", "trace 'b'", "infinite value '1e39' at frame 1")]
    [InlineData("a,b\n0.1,\n0.2,\n0.3,\n", "trace 'b'", "is empty")]
    [InlineData("a,b\n0.1,NaN\n0.2,NaN\n0.3,NaN\n", "trace 'b'", "is empty")]
    [InlineData("a,b\n", "no data rows", "")]
    [InlineData("", "file is empty", "")]
    [InlineData("a,b\n0.1,0.2,0.3\n", "row 2 has 3 fields", "header has 2")]
    public void Infer_MalformedCalciumCsv_FailsNamingFileTraceAndProblem(string csv, string where, string problem)
    {
        string folder = FolderWithCalcium(csv);

        CliHost.AssertCleanFailure(Infer(folder), Output, Path.Combine(folder, Dataset.CalciumFileName), where, problem);
    }

    [Theory]
    [InlineData("-3", null, "frame rate must be > 0, got -3")]
    [InlineData("0", null, "frame rate must be > 0, got 0")]
    [InlineData("NaN", null, "frame rate must be > 0, got NaN")]
    [InlineData(null, "0", "'frame_rate_hz' must be > 0, got 0")]
    [InlineData(null, "-60", "'frame_rate_hz' must be > 0, got -60")]
    public void Infer_FrameRateNotPositive_FailsNamingTheValue(string? option, string? metaRate, string problem)
    {
        string folder = Files.CopyFiles(fixture.DataFolder, _dir.Sub("data"), Dataset.CalciumFileName);
        File.WriteAllText(Path.Combine(folder, Dataset.MetaFileName), $$"""{ "frame_rate_hz": {{metaRate ?? "60"}} }""");

        var result = option is null ? Infer(folder) : Infer(folder, "--frame-rate", option);

        string named = option is null ? Path.Combine(folder, Dataset.MetaFileName) : folder;
        CliHost.AssertCleanFailure(result, Output, named, problem);
    }

    [Theory]
    [InlineData("flipped", "checksum mismatch")]
    [InlineData("truncated", "checksum mismatch")]
    [InlineData("header-only", "checksum mismatch")]
    [InlineData("text", "not a DeepSpike model file")]
    [InlineData("zip", "not a DeepSpike model file")]
    [InlineData("empty", "not a DeepSpike model file")]
    [InlineData("missing", "model file not found")]
    public void Infer_BadModelFile_FailsNamingModelAndProblem(string kind, string problem)
    {
        byte[] valid = File.ReadAllBytes(fixture.ModelPath);
        string model = _dir.Sub("bad.dsm");
        byte[]? bytes = kind switch
        {
            "flipped" => FlipBytes(valid, valid.Length / 2, 4),
            "truncated" => valid[..(valid.Length * 2 / 3)],
            "header-only" => valid[..64],
            "text" => Encoding.UTF8.GetBytes("this is a text file, not a model\n"),
            "zip" => ZipBytes(),
            "empty" => [],
            _ => null,
        };
        if (bytes is not null) File.WriteAllBytes(model, bytes);

        var result = CliHost.Run("infer", "--model", model, "--data", fixture.DataFolder, "--out", Output);

        CliHost.AssertCleanFailure(result, Output, model, problem);
    }

    [Fact]
    public void Infer_WithoutModelOption_UsesBuiltinModelOrFailsCleanly()
    {
        var result = CliHost.Run("infer", "--data", fixture.DataFolder, "--out", Output);

        // Until a built-in model is embedded in the build, the answer must be an error, not a stack trace.
        if (result.ExitCode != 0)
            CliHost.AssertCleanFailure(result, Output, "no built-in model", "--model");
        else
            Assert.True(File.Exists(Path.Combine(Output, "probabilities.csv")));
    }

    [Fact]
    public void Infer_ConstantTrace_IsSkippedWithAWarningNamingItAndLeftOutOfTheOutput()
    {
        var calcium = fixture.Data.Calcium;
        string folder = FolderWithCalcium(Files.Csv(["varying", "flat"], [calcium.Traces[0], Enumerable.Repeat(0.25f, 2000).ToArray()]));

        var result = Infer(folder);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            ["warning: trace 'flat' skipped: is constant (0.25 in every frame): it holds no signal",
             "warning: skipped 1 of 2 traces ('flat'); they are left out of the output"],
            result.ErrorLines);
        Assert.Equal(["varying"], TraceCsv.Read(Path.Combine(Output, "probabilities.csv")).Names);
        Assert.Equal(["varying"], TraceCsv.Read(Path.Combine(Output, "noise_levels.csv")).Names);
    }

    [Fact]
    public void Infer_EveryTraceUnusable_FailsAfterWarningsAndWritesNothing()
    {
        float[] withLongGap = (float[])fixture.Data.Calcium.Traces[0].Clone();
        Array.Fill(withLongGap, float.NaN, 500, 100); // 1.67 s at 60 Hz, over the 0.5 s limit
        string folder = FolderWithCalcium(Files.Csv(["flat", "gappy"], [Enumerable.Repeat(0.25f, 2000).ToArray(), withLongGap]));

        var result = Infer(folder);

        CliHost.AssertCleanFailureAfterWarnings(result, Output,
            ["trace 'flat' skipped: is constant", "trace 'gappy' skipped: has 1 gap(s) of missing values longer than 0.5 s"],
            folder, "every trace was skipped", "1 constant", "1 for missing data");
        Assert.Equal(DeepSpike.Cli.Commands.CliRunner.InputError, result.ExitCode);
        Assert.Empty(Directory.GetFiles(Output));
    }

    [Fact]
    public void Infer_NpyWithoutFrameRate_FailsNamingTheFlag()
    {
        string npy = _dir.WriteBytes("traces.npy", DeepSpike.Tests.Data.NpyTestFiles.Float32([.. fixture.Data.Calcium.Traces]));

        CliHost.AssertCleanFailure(Infer(npy), Output, npy, "frame rate unknown", "--frame-rate");
    }

    [Theory]
    [InlineData("500", "500 Hz is 8.33 times the target 60 Hz")]
    [InlineData("7", "7 Hz is 1/8.57 of the target 60 Hz")]
    public void Infer_FrameRateMoreThanEightTimesFromModel_RefusedNamingBothRates(string frameRate, string rates)
    {
        CliHost.AssertCleanFailure(Infer(fixture.DataFolder, "--frame-rate", frameRate), Output,
            fixture.DataFolder, "the model runs at 60 Hz", rates, "refused");
    }

    [Theory]
    [InlineData("--neuropil-factor", "1.5", "neuropil factor r must be in [0, 1]", "got 1.5")]
    [InlineData("--baseline-window-s", "0", "baseline window must be > 0 s", "got 0")]
    [InlineData("--baseline-percentile", "101", "baseline percentile must be in [0, 100]", "got 101")]
    [InlineData("--max-gap-s", "-1", "longest gap to fill must be >= 0 s", "got -1")]
    [InlineData("--max-gap-s", "NaN", "longest gap to fill must be >= 0 s", "got NaN")]
    [InlineData("--input-kind", "dF", "--input-kind must be raw or dff", "got 'dF'")]
    public void Infer_PreprocessingFlagOutOfRange_FailsNamingFlagAndValue(string flag, string value, string rule, string got)
    {
        var result = Infer(fixture.DataFolder, flag, value);

        CliHost.AssertCleanFailure(result, Output, flag, rule, got);
        Assert.DoesNotContain("(Parameter", result.StdErr);
    }

    [Fact]
    public void Infer_NeuropilWithDffInput_FailsNamingBothFlags()
    {
        var result = Infer(fixture.CalciumCsv, "--neuropil", fixture.CalciumCsv, "--input-kind", "dff");

        CliHost.AssertCleanFailure(result, Output, "--neuropil", "--input-kind is dff", "raw fluorescence only");
    }

    [Fact]
    public void Infer_NeuropilCsvWithoutTheTraceName_FailsNamingFileAndTrace()
    {
        string neuropil = _dir.WriteText("neuropil.csv", File.ReadAllText(fixture.CalciumCsv).Replace("cell001_r1", "renamed"));

        var result = Infer(fixture.CalciumCsv, "--neuropil", neuropil);

        CliHost.AssertCleanFailure(result, Output, neuropil, "no neuropil trace named 'cell001_r1'");
    }

    [Fact]
    public void Train_NonexistentData_FailsNamingItAndWritesNoModel()
    {
        string missing = _dir.Sub("no-such-folder"), model = Path.Combine(Output, "m.dsm");

        var result = CliHost.Run(["train", "--data", missing, "--out", model, "--max-iterations", "5", .. TrainedModelFixture.QuickTraining]);

        CliHost.AssertCleanFailure(result, Output, missing, "not found");
        Assert.Empty(Directory.GetFiles(Output));
    }

    [Fact]
    public void Train_ResumeFromPlainModelAsCheckpoint_FailsNamingIt()
    {
        string model = Path.Combine(Output, "m.dsm");

        var result = CliHost.Run(["train", "--data", fixture.DataFolder, "--out", model, "--checkpoint", fixture.ModelPath, "--resume", "--max-iterations", "5", .. TrainedModelFixture.QuickTraining]);

        CliHost.AssertCleanFailure(result, Output, fixture.ModelPath, "not a checkpoint");
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Evaluate_MismatchedTraceNames_FailsNamingTraceAndFiles()
    {
        string predicted = _dir.WriteText("predicted.csv", File.ReadAllText(fixture.SpikesCsv).Replace("cell000_r1", "renamed"));
        string json = Path.Combine(Output, "report.json");

        var result = CliHost.Run("evaluate", "--predicted", predicted, "--truth", fixture.SpikesCsv, "--frame-rate", "60", "--bin-ms", "16.6", "--json", json);

        CliHost.AssertCleanFailure(result, Output, predicted, fixture.SpikesCsv, "trace 'cell000_r1'", "not in the predictions");
        Assert.DoesNotContain("(Parameter", result.StdErr);
        Assert.Empty(Directory.GetFiles(Output));
    }

    [Theory]
    [InlineData("-3", "16.6", "--frame-rate must be > 0, got -3")]
    [InlineData("60", "0", "bin width must be > 0 ms, got 0")]
    public void Evaluate_NonPositiveRateOrBin_FailsNamingTheValue(string frameRate, string binMs, string problem)
    {
        string json = Path.Combine(Output, "report.json");

        var result = CliHost.Run("evaluate", "--predicted", fixture.SpikesCsv, "--truth", fixture.SpikesCsv, "--frame-rate", frameRate, "--bin-ms", binMs, "--json", json);

        CliHost.AssertCleanFailure(result, Output, problem);
        Assert.DoesNotContain("(Parameter", result.StdErr);
        Assert.DoesNotContain("Actual value", result.StdErr);
        Assert.Empty(Directory.GetFiles(Output));
    }

    private static byte[] FlipBytes(byte[] bytes, int start, int count)
    {
        var copy = (byte[])bytes.Clone();
        for (int i = start; i < start + count; i++) copy[i] ^= 0xFF;
        return copy;
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] ZipBytes()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("calcium.csv").Open());
            writer.Write("a,b\n0.1,0.2\n");
        }
        return buffer.ToArray();
    }
}
