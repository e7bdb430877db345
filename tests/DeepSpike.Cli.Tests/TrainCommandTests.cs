using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Models;

namespace DeepSpike.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class TrainCommandTests(TrainedModelFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A dataset folder with calcium.csv and meta.json only.</summary>
    private string CalciumOnlyFolder(string name = "calcium-only") =>
        Files.CopyFiles(fixture.DataFolder, _dir.Sub(name), Dataset.CalciumFileName, Dataset.MetaFileName);

    private static CliResult Train(string data, string output, int iterations, params string[] extra) =>
        CliHost.Succeed(["train", "--data", data, "--out", output, "--max-iterations", iterations.ToString(), "--seed", "2", .. TrainedModelFixture.QuickTraining, .. extra]);

    [Fact]
    public void Train_FolderWithoutSpikesCsv_WritesLoadableModel()
    {
        string output = _dir.Sub("models/m.dsm"); // the folder does not exist yet

        var result = Train(CalciumOnlyFolder(), output, 30);

        Assert.Contains("30 iterations", result.StdOut);
        var model = SpikeModel.Load(output);
        Assert.Equal(60, model.FrameRateHz);
        Assert.Equal("scf", model.GenerativeName);
        Assert.Equal("dsf", model.Recognition.Name);
        Assert.Equal(30, model.Info.Iterations);
        Assert.Equal(Path.GetFullPath(_dir.Sub("calcium-only")), model.Info.TrainingData);
    }

    [Fact]
    public void Train_UnreadableSpikesCsv_IsNotReadAndGivesSameWeightsAsCalciumOnly()
    {
        string folder = CalciumOnlyFolder("with-garbage-spikes");
        File.WriteAllText(Path.Combine(folder, Dataset.SpikesFileName), "this is not,a spike file\nat,all\n");
        Train(CalciumOnlyFolder(), _dir.Sub("reference.dsm"), 30);

        Train(folder, _dir.Sub("m.dsm"), 30);

        Files.AssertSameWeights(Files.RecognitionWeights(_dir.Sub("reference.dsm")), Files.RecognitionWeights(_dir.Sub("m.dsm")));
    }

    [Fact]
    public void Train_SameSeedOneThreadTwice_WritesByteIdenticalModels()
    {
        string data = CalciumOnlyFolder(), output = _dir.Sub("m.dsm");
        Train(data, output, 30);
        byte[] first = File.ReadAllBytes(output);
        File.Delete(output);

        Train(data, output, 30);

        Assert.Equal(first, File.ReadAllBytes(output));
    }

    [Fact]
    public void Train_Resume_ContinuesFromCheckpointInsteadOfStartingOver()
    {
        string data = CalciumOnlyFolder(), output = _dir.Sub("m.dsm");
        Train(data, output, 20);
        Assert.True(File.Exists(output + ".ckpt"), $"training for 20 iterations left no checkpoint at {output}.ckpt to resume from");

        var resumed = Train(data, output, 40, "--resume");

        Assert.Contains($"resuming from {output}.ckpt at iteration 20", resumed.StdOut);
        Assert.Contains("40 iterations (20 in this run)", resumed.StdOut);
        Assert.Equal(40, SpikeModel.Load(output).Info.Iterations);
    }

    [Fact]
    public void Train_ResumedRun_MatchesUninterruptedRun()
    {
        string data = CalciumOnlyFolder();
        Train(data, _dir.Sub("straight.dsm"), 40);
        Train(data, _dir.Sub("resumed.dsm"), 20);
        Assert.True(File.Exists(_dir.Sub("resumed.dsm.ckpt")), "training for 20 iterations left no checkpoint to resume from");

        var resumed = Train(data, _dir.Sub("resumed.dsm"), 40, "--resume");

        Assert.Contains("at iteration 20", resumed.StdOut);

        Files.AssertSameWeights(Files.RecognitionWeights(_dir.Sub("straight.dsm")), Files.RecognitionWeights(_dir.Sub("resumed.dsm")));
    }

    [Fact]
    public void Train_ResumeWithoutCheckpoint_SaysItStartsFromZero()
    {
        var result = Train(CalciumOnlyFolder(), _dir.Sub("m.dsm"), 10, "--resume");

        Assert.Contains($"no checkpoint at {_dir.Sub("m.dsm")}.ckpt; starting from iteration 0", result.StdOut);
        Assert.Contains("10 iterations", result.StdOut);
    }

    [Fact]
    public void Train_DsnfInitFromDsf_StartsWithTheDsfTrunkAndTrains()
    {
        string output = _dir.Sub("nf.dsm");

        var result = Train(CalciumOnlyFolder(), output, 2, "--recognition", "dsnf", "--init-from", fixture.ModelPath);

        Assert.Contains("training dsnf", result.StdOut);
        var nf = SpikeModel.Load(output);
        Assert.Equal("dsnf", nf.Recognition.Name);
        Assert.Equal("dsnf trained with deepspike train", nf.Info.Description);
        // Two small steps move the trunk only a little from where DS-F left it (a random start is far away).
        var dsf = Files.RecognitionWeights(fixture.ModelPath)["recognition/conv0.weight"];
        var started = Files.RecognitionWeights(output)["recognition/conv0.weight"];
        Assert.True(dsf.Zip(started, (a, b) => Math.Abs(a - b)).Max() < 0.01f);
    }

    [Fact]
    public void Train_InitFromModelOfAnotherKind_FailsNamingBothKinds()
    {
        string nf = _dir.Sub("nf.dsm");
        Train(CalciumOnlyFolder(), nf, 1, "--recognition", "dsnf");

        var result = CliHost.Run(["train", "--data", CalciumOnlyFolder("again"), "--out", _dir.Sub("f.dsm"), "--max-iterations", "1", "--init-from", nf, .. TrainedModelFixture.QuickTraining]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot initialise a dsf network from a dsnf one", result.StdErr);
    }

    [Fact]
    public void Train_ModelFrameRate_ResamplesTheTracesAndRecordsTheRate()
    {
        string output = _dir.Sub("m30.dsm");

        var result = Train(CalciumOnlyFolder(), output, 3, "--model-frame-rate", "30");

        Assert.Contains("traces at 30 Hz", result.StdOut);
        Assert.Equal(30, SpikeModel.Load(output).FrameRateHz);
    }

    [Fact]
    public void Train_StopOnSpikes_ValidatesByCorrelationWithTheValidationSpikes()
    {
        var result = Train(CalciumOnlyFolder(), _dir.Sub("m.dsm"), 20, "--validation", fixture.DataFolder, "--stop-on-spikes", "--validate-every", "10");

        var match = System.Text.RegularExpressions.Regex.Match(result.StdOut, @"kept iteration \d+, validation (-?[0-9.]+)");
        Assert.True(match.Success, result.StdOut);
        Assert.InRange(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), -1, 1);
    }

    [Fact]
    public void Train_StopOnSpikesWithoutValidation_Fails()
    {
        var result = CliHost.Run(["train", "--data", CalciumOnlyFolder(), "--out", _dir.Sub("m.dsm"), "--max-iterations", "1", "--stop-on-spikes", .. TrainedModelFixture.QuickTraining]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--stop-on-spikes needs --validation", result.StdErr);
    }

    [Fact]
    public void Train_SupervisedRepeated_PoolsTheLabeledFolders()
    {
        string a = Files.CopyFiles(fixture.DataFolder, _dir.Sub("labels-a"), Dataset.CalciumFileName, Dataset.SpikesFileName, Dataset.MetaFileName);
        string b = Files.CopyFiles(fixture.DataFolder, _dir.Sub("labels-b"), Dataset.CalciumFileName, Dataset.SpikesFileName, Dataset.MetaFileName);
        int perFolder = Dataset.Load(a).Calcium.Count;

        var result = Train(CalciumOnlyFolder(), _dir.Sub("m.dsm"), 3, "--supervised", a, "--supervised", b);

        Assert.Contains($"semi-supervised: {2 * perFolder} labeled recordings", result.StdOut);
        Assert.Contains("labels: " + Path.GetFullPath(b), SpikeModel.Load(_dir.Sub("m.dsm")).Info.TrainingData);
    }

    [Fact]
    public void Train_WeightAveraging_WritesTheAveragedWeights()
    {
        // Without validation, the written network is the running average, so it differs from the plain run's.
        Train(CalciumOnlyFolder("plain"), _dir.Sub("plain.dsm"), 5);
        Train(CalciumOnlyFolder("averaged"), _dir.Sub("averaged.dsm"), 5, "--weight-averaging", "0.9");

        var plain = SpikeModel.Load(_dir.Sub("plain.dsm")).Recognition.Network.Parameters()[0].Data;
        var averaged = SpikeModel.Load(_dir.Sub("averaged.dsm")).Recognition.Network.Parameters()[0].Data;
        Assert.NotEqual(plain, averaged);
    }

    [Fact]
    public void Train_WeightAveragingOfOne_FailsNamingTheOption()
    {
        var result = CliHost.Run(["train", "--data", CalciumOnlyFolder(), "--out", _dir.Sub("m.dsm"), "--max-iterations", "1", "--weight-averaging", "1", .. TrainedModelFixture.QuickTraining]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("weight-averaging", result.StdErr, StringComparison.OrdinalIgnoreCase);
    }
}

