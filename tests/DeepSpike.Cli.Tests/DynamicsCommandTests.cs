using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Dynamics;

namespace DeepSpike.Cli.Tests;

/// <summary><c>dynamics train</c> and <c>dynamics infer</c> end to end on a small simulated Lorenz set, and their bad input.</summary>
[Collection(CliCollection.Name)]
public sealed class DynamicsCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Simulate()
    {
        string folder = _dir.Sub("lorenz");
        CliHost.Succeed("simulate", "--generative", "lorenz", "--conditions", "3", "--cells", "5", "--seed", "2", "--out", folder);
        return folder;
    }

    private CliResult Train(string data, string output, params string[] extra) =>
        CliHost.Run(["dynamics", "train", "--data", data, "--out", output, "--max-steps", "12", "--batch-size", "8", "--warmup-steps", "4", "--threads", "1", .. extra]);

    [Fact]
    public void TrainThenInfer_WritesModelFactorsRatesAndCsv()
    {
        string lorenz = Simulate();
        string model = _dir.Sub("model.dsdyn"), output = _dir.Sub("out");

        var trained = Train(Path.Combine(lorenz, "train"), model, "--validation", Path.Combine(lorenz, "validation"));
        Assert.True(trained.ExitCode == 0, trained.ToString());
        CliHost.Succeed("dynamics", "infer", "--model", model, "--data", Path.Combine(lorenz, "validation"), "--out", output, "--samples", "2");

        var factors = NpyReader.ReadArray(Path.Combine(output, "factors.npy"));
        var rates = NpyReader.ReadArray(Path.Combine(output, "rates.npy"));
        Assert.Equal([12, 100, 3], factors.Shape);
        Assert.Equal([12, 100, 5], rates.Shape);
        Assert.All(rates.Data, v => Assert.True(v > 0 && float.IsFinite(v)));
        string[] csv = File.ReadAllLines(Path.Combine(output, "factors.csv"));
        Assert.Equal("trial,bin,time_s,factor1,factor2,factor3", csv[0]);
        Assert.Equal(1 + 12 * 100, csv.Length);
        Assert.StartsWith("c00_r16,1,0.1,", csv[2]);
        Assert.Contains("step 12", trained.StdErr);
    }

    [Fact]
    public void Train_ReadsOnlySpikes_NotTheTruth()
    {
        string lorenz = Simulate();
        string train = Path.Combine(lorenz, "train");
        foreach (string truth in new[] { TrialDataset.RatesFileName, TrialDataset.LatentsFileName, TrialDataset.CalciumFileName, TrialDataset.FluorescenceFileName })
            File.WriteAllText(Path.Combine(train, truth), "garbage");

        Assert.Equal(0, Train(train, _dir.Sub("model.dsdyn")).ExitCode);
    }

    [Fact]
    public void Train_NaNInSpikes_OneLineNamingFileNoModel()
    {
        string train = Path.Combine(Simulate(), "train");
        var spikes = NpyReader.ReadArray(Path.Combine(train, TrialDataset.SpikesFileName));
        spikes.Data[7] = float.NaN;
        NpyWriter.Write(Path.Combine(train, TrialDataset.SpikesFileName), spikes);
        string model = _dir.Sub("model.dsdyn");

        CliHost.AssertCleanFailure(Train(train, model), null, TrialDataset.SpikesFileName, "non-finite value (NaN)");
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Train_FewerTrialsThanABatch_OneLineNamingFolder()
    {
        string train = Path.Combine(Simulate(), "train");

        var result = CliHost.Run("dynamics", "train", "--data", train, "--out", _dir.Sub("m.dsdyn"), "--batch-size", "100");

        CliHost.AssertCleanFailure(result, null, train, "has 48 trials, fewer than one batch of 100");
    }

    [Fact]
    public void Train_BinWidthNotPositive_OneLineNamingMetaJson()
    {
        string train = Path.Combine(Simulate(), "train");
        File.WriteAllText(Path.Combine(train, TrialDataset.MetaFileName), """{ "bin_s": 0 }""");

        CliHost.AssertCleanFailure(Train(train, _dir.Sub("m.dsdyn")), null, TrialDataset.MetaFileName, "'bin_s' must be > 0");
    }

    [Fact]
    public void Train_ValidationWithOtherCells_OneLineNamingIt()
    {
        string lorenz = Simulate();
        string other = _dir.Sub("other");
        CliHost.Succeed("simulate", "--generative", "lorenz", "--conditions", "3", "--cells", "4", "--out", other);

        CliHost.AssertCleanFailure(Train(Path.Combine(lorenz, "train"), _dir.Sub("m.dsdyn"), "--validation", Path.Combine(other, "validation")), null,
            "validation", "100 bins × 4 cells per trial but the training trials have 100 × 5");
    }

    [Fact]
    public void Infer_WrongDtypeOrShapeMismatch_OneLineNoOutput()
    {
        string lorenz = Simulate();
        string model = _dir.Sub("model.dsdyn"), output = _dir.Sub("out");
        Assert.Equal(0, Train(Path.Combine(lorenz, "train"), model).ExitCode);
        string validation = Path.Combine(lorenz, "validation");
        File.WriteAllBytes(Path.Combine(validation, TrialDataset.SpikesFileName), DeepSpike.Tests.Data.NpyTestFiles.Build(DeepSpike.Tests.Data.NpyTestFiles.Header("<U4", "(12, 100, 5)"), new byte[12 * 100 * 5 * 16]));

        CliHost.AssertCleanFailure(CliHost.Run("dynamics", "infer", "--model", model, "--data", validation, "--out", output), output, TrialDataset.SpikesFileName);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFiles(output).Any());
    }

    [Fact]
    public void Infer_SpikeModelFile_RefusedAsNotADynamicsModel()
    {
        string lorenz = Simulate();
        string spikeModel = _dir.Sub("spike.dsmodel");
        DeepSpike.Models.ModelFile.Write(spikeModel, System.Text.Json.JsonDocument.Parse("""{ "recognition": "dsf" }"""), []);

        CliHost.AssertCleanFailure(CliHost.Run("dynamics", "infer", "--model", spikeModel, "--data", Path.Combine(lorenz, "validation"), "--out", _dir.Sub("out")),
            null, spikeModel, "not a dynamics model");
    }

    [Fact]
    public void Train_StoppedThenResumed_ModelFileEqualsTheUninterruptedRun()
    {
        string lorenz = Simulate();
        string train = Path.Combine(lorenz, "train"), validation = Path.Combine(lorenz, "validation");
        string straight = _dir.Sub("straight.dsdyn"), resumed = _dir.Sub("resumed.dsdyn");
        string[] common = ["--validation", validation, "--max-steps", "24", "--batch-size", "8", "--warmup-steps", "4", "--threads", "1", "--seed", "5"];

        CliHost.Succeed(["dynamics", "train", "--data", train, "--out", straight, .. common]);
        CliHost.Succeed(["dynamics", "train", "--data", train, "--out", resumed, .. common[..2], "--max-steps", "10", .. common[4..]]);
        var second = CliHost.Succeed(["dynamics", "train", "--data", train, "--out", resumed, "--resume", .. common]);

        Assert.Contains("resuming from", second.StdOut);
        var a = DynamicsModel.Load(straight).Network.Parameters().SelectMany(p => p.Data);
        var b = DynamicsModel.Load(resumed).Network.Parameters().SelectMany(p => p.Data);
        Assert.Equal(a, b);
    }

    [Fact]
    public void OasisLfads_TrainsOnFluorescenceAndWritesOasisCounts()
    {
        string lorenz = Simulate();
        string train = Path.Combine(lorenz, "train"), model = _dir.Sub("oasis.dsdyn"), output = _dir.Sub("out");
        File.Delete(Path.Combine(train, TrialDataset.SpikesFileName));

        Assert.Equal(0, Train(train, model, "--model", "oasis-lfads").ExitCode);
        CliHost.Succeed("dynamics", "infer", "--model", model, "--data", Path.Combine(lorenz, "validation"), "--out", output, "--samples", "0");

        var counts = NpyReader.ReadArray(Path.Combine(output, TrialDataset.SpikesFileName));
        var truth = NpyReader.ReadArray(Path.Combine(lorenz, "validation", TrialDataset.SpikesFileName));
        Assert.Equal(truth.Shape, counts.Shape);
        Assert.All(counts.Data, c => Assert.Equal(MathF.Round(c), c));
        Assert.True(DynamicsMetrics.PooledR2(counts.Data, truth.Data) > 0.5, "OASIS counts barely follow the true spikes");
    }

    [Fact]
    public void GaussianLfads_TrainsOnFluorescenceAndWritesItsReconstruction()
    {
        string lorenz = Simulate();
        string train = Path.Combine(lorenz, "train"), model = _dir.Sub("gauss.dsdyn"), output = _dir.Sub("out");

        Assert.Equal(0, Train(train, model, "--model", "gaussian-lfads").ExitCode);
        CliHost.Succeed("dynamics", "infer", "--model", model, "--data", Path.Combine(lorenz, "validation"), "--out", output, "--samples", "0");

        Assert.Equal([12, 100, 5], NpyReader.ReadArray(Path.Combine(output, TrialDataset.FluorescenceFileName)).Shape);
        Assert.Equal([12, 100, 5], NpyReader.ReadArray(Path.Combine(output, "rates.npy")).Shape);
    }

    [Fact]
    public void LadderLfads_TrainsOnFluorescenceOnly_AndWritesSpikesCalciumAndReconstruction()
    {
        string lorenz = Simulate();
        string train = Path.Combine(lorenz, "train"), model = _dir.Sub("ladder.dsdyn"), output = _dir.Sub("out");
        foreach (string truth in new[] { TrialDataset.SpikesFileName, TrialDataset.RatesFileName, TrialDataset.CalciumFileName, TrialDataset.LatentsFileName })
            File.Delete(Path.Combine(train, truth));

        Assert.Equal(0, Train(train, model, "--model", "ladder-lfads").ExitCode);
        var inferred = CliHost.Succeed("dynamics", "infer", "--model", model, "--data", Path.Combine(lorenz, "validation"), "--out", output, "--samples", "2");

        Assert.Contains("spikes.npy (posterior mean counts per bin)", inferred.StdOut);
        foreach (string file in new[] { "factors.npy", "rates.npy", TrialDataset.SpikesFileName, TrialDataset.CalciumFileName, TrialDataset.FluorescenceFileName })
            Assert.Equal(file == "factors.npy" ? [12, 100, 3] : [12, 100, 5], NpyReader.ReadArray(Path.Combine(output, file)).Shape);
        Assert.All(NpyReader.ReadArray(Path.Combine(output, TrialDataset.SpikesFileName)).Data, s => Assert.True(s >= 0 && float.IsFinite(s)));
    }

    [Fact]
    public void ContinuousRecording_ChoppedForTrainingAndStitchedAfterInference()
    {
        const int Cells = 4, Frames = 900;
        var rng = new Random(3);
        var rows = Enumerable.Range(0, Frames).Select(t => string.Join(',', Enumerable.Range(0, Cells).Select(c =>
            (0.3 + 0.2 * Math.Sin(0.05 * t + c) + 0.05 * rng.NextDouble()).ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        string csv = _dir.WriteText("recording.csv", "a,b,c,d\n" + string.Join('\n', rows) + "\n");
        string model = _dir.Sub("continuous.dsdyn"), output = _dir.Sub("out");
        string[] chop = ["--chop-bins", "60", "--overlap", "12", "--frame-rate", "10"];

        var trained = CliHost.Run(["dynamics", "train", "--model", "gaussian-lfads", "--data", csv, "--out", model, "--max-steps", "6", "--batch-size", "8", "--threads", "1", .. chop]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("cut into 19 segments of 60 frames overlapping by 12", trained.StdOut);
        CliHost.Succeed(["dynamics", "infer", "--model", model, "--data", csv, "--out", output, "--samples", "0", .. chop]);

        var rates = TraceCsv.Read(Path.Combine(output, "rates.csv"));
        Assert.Equal(["a", "b", "c", "d"], rates.Names);
        Assert.All(rates.Traces, t => Assert.Equal(Frames, t.Length));
        Assert.Equal(Frames, TraceCsv.Read(Path.Combine(output, "fluorescence.csv")).MaxLength);
        Assert.False(File.Exists(Path.Combine(output, "spikes.csv")), "Gaussian LFADS has no spikes to write");
        string[] factors = File.ReadAllLines(Path.Combine(output, "factors.csv"));
        Assert.Equal("time_s,factor1,factor2,factor3", factors[0]);
        Assert.Equal(Frames + 1, factors.Length);
        Assert.StartsWith("0.1,", factors[2]);
    }

    [Fact]
    public void ChopBins_WithASpikeModel_RefusedInOneLine()
    {
        string csv = _dir.WriteText("recording.csv", "a\n" + string.Join('\n', Enumerable.Range(0, 100).Select(t => (t % 7).ToString())) + "\n");

        CliHost.AssertCleanFailure(CliHost.Run("dynamics", "train", "--model", "lfads", "--data", csv, "--out", _dir.Sub("m.dsdyn"), "--chop-bins", "20", "--frame-rate", "10"),
            null, "--chop-bins cuts fluorescence");
    }
}
