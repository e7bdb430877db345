using DeepSpike.Dynamics;

namespace DeepSpike.Tests.Dynamics;

/// <summary>The LFADS trainer on a tiny Lorenz problem: it learns, keeps the best validated weights, and is reproducible.</summary>
public sealed class LfadsTrainerTests
{
    private static readonly LfadsOptions Small = new() { EncoderUnits = 8, GeneratorUnits = 8, Factors = 3 };

    private static TrialSplit Data() => (LorenzProtocol.Paper with { Conditions = 4, Cells = 6, KeptSteps = 40 }).Simulate(3);

    private static DynamicsTrainingOptions Recipe(int steps) => new() { MaxSteps = steps, BatchSize = 16, WarmupSteps = 20, ValidateEvery = 10, Seed = 4 };

    [Fact]
    public void Train_FewSteps_ValidationBoundFallsBelowTheStartingWeights()
    {
        var data = Data();
        var start = new Lfads(data.Training.Cells, Small, new Random(4));
        double before = LfadsTrainer.Bound(start, data.Validation.Spikes!, Recipe(1));
        var seen = new List<DynamicsProgress>();

        var result = LfadsTrainer.Train(data.Training.Spikes!, data.Validation.Spikes, Small, Recipe(120), seen.Add);

        Assert.Equal(120, result.Steps);
        Assert.Equal(12, seen.Count);
        Assert.True(result.BestValidation < before, $"validation bound {result.BestValidation:F1} not below the start's {before:F1}");
        Assert.Equal(result.BestValidation, LfadsTrainer.Bound(result.Model, data.Validation.Spikes!, Recipe(1)), 3);
        Assert.True(result.BestStep >= 20, "weights kept from before the end of warm-up");
    }

    [Fact]
    public void Train_SameSeed_IdenticalWeights()
    {
        var data = Data();
        var a = LfadsTrainer.Train(data.Training.Spikes!, data.Validation.Spikes, Small, Recipe(30));
        var b = LfadsTrainer.Train(data.Training.Spikes!, data.Validation.Spikes, Small, Recipe(30));

        Assert.Equal(a.Model.Parameters().SelectMany(p => p.Data), b.Model.Parameters().SelectMany(p => p.Data));
    }

    [Fact]
    public void Inference_PosteriorMeanAndSamples_RatesInHzAndFactorsShaped()
    {
        var data = Data();
        var model = new Lfads(data.Training.Cells, Small, new Random(4));

        var mean = DynamicsInference.Run(model, data.Validation.Spikes!, 0.1, samples: 0);
        var sampled = DynamicsInference.Run(model, data.Validation.Spikes!, 0.1, samples: 5);

        Assert.Equal((data.Validation.Trials, 20, 3), (mean.Factors.Trials, mean.Factors.Bins, mean.Factors.Channels));
        var pass = model.Forward(LfadsTrainer.Gather(data.Validation.Spikes!, [0]), rng: null);
        Assert.Equal(MathF.Exp(pass.LogRates.Data[0]) / 0.1f, mean.Rates.Data[0], 3);
        Assert.NotEqual(mean.Rates.Data, sampled.Rates.Data);
        Assert.All(sampled.Rates.Data, r => Assert.True(r > 0 && float.IsFinite(r)));
    }
}

/// <summary>Checkpoints of the dynamics trainer: a resumed run ends with the bits of an uninterrupted one.</summary>
public sealed class DynamicsCheckpointTests : IDisposable
{
    private readonly DeepSpike.Tests.Data.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly LfadsOptions Small = new() { EncoderUnits = 6, GeneratorUnits = 6, Factors = 2 };

    [Fact]
    public void Resume_FromAMidRunCheckpoint_EqualsTheUninterruptedRun()
    {
        var data = (LorenzProtocol.Paper with { Conditions = 3, Cells = 4, KeptSteps = 30 }).Simulate(8);
        var recipe = new DynamicsTrainingOptions { MaxSteps = 50, BatchSize = 10, WarmupSteps = 12, ValidateEvery = 5, PlateauPatience = 2, Seed = 3 };
        var straight = new LfadsTrainer(data.Training.Spikes!, data.Validation.Spikes, Small, recipe).Run();

        var checkpoint = new DynamicsCheckpoint(_dir.File("run.ckpt"));
        new LfadsTrainer(data.Training.Spikes!, data.Validation.Spikes, Small, recipe with { MaxSteps = 23 }).Run(checkpoint: checkpoint);
        var resumed = new LfadsTrainer(data.Training.Spikes!, data.Validation.Spikes, Small, recipe);
        checkpoint.Restore(resumed);
        Assert.Equal(23, resumed.Step);
        var result = resumed.Run(checkpoint: checkpoint);

        Assert.Equal(straight.BestStep, result.BestStep);
        Assert.Equal(straight.BestValidation, result.BestValidation);
        Assert.Equal(straight.Model.Parameters().SelectMany(p => p.Data), result.Model.Parameters().SelectMany(p => p.Data));
    }

    [Fact]
    public void Restore_OtherData_RefusedNamingTheFile()
    {
        var a = (LorenzProtocol.Paper with { Conditions = 2, Cells = 4, KeptSteps = 20 }).Simulate(1);
        var b = (LorenzProtocol.Paper with { Conditions = 2, Cells = 4, KeptSteps = 20 }).Simulate(2);
        var recipe = new DynamicsTrainingOptions { MaxSteps = 5, BatchSize = 8, ValidateEvery = 5 };
        var checkpoint = new DynamicsCheckpoint(_dir.File("run.ckpt"));
        new LfadsTrainer(a.Training.Spikes!, null, Small, recipe).Run(checkpoint: checkpoint);

        var e = Assert.Throws<InvalidDataException>(() => checkpoint.Restore(new LfadsTrainer(b.Training.Spikes!, null, Small, recipe)));

        Assert.Contains($"{checkpoint.Path}: checkpoint was made for other training or validation trials", e.Message);
    }
}
