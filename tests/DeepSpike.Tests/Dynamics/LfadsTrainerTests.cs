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

        var mean = LfadsInference.Run(model, data.Validation.Spikes!, 0.1, samples: 0);
        var sampled = LfadsInference.Run(model, data.Validation.Spikes!, 0.1, samples: 5);

        Assert.Equal((data.Validation.Trials, 20, 3), (mean.Factors.Trials, mean.Factors.Bins, mean.Factors.Channels));
        var pass = model.Forward(LfadsTrainer.Gather(data.Validation.Spikes!, [0]), rng: null);
        Assert.Equal(MathF.Exp(pass.LogRates.Data[0]) / 0.1f, mean.Rates.Data[0], 3);
        Assert.NotEqual(mean.Rates.Data, sampled.Rates.Data);
        Assert.All(sampled.Rates.Data, r => Assert.True(r > 0 && float.IsFinite(r)));
    }
}
