using DeepSpike.Dynamics;
using DeepSpike.Engine;

namespace DeepSpike.Tests.Dynamics;

/// <summary>Ladder LFADS: its exact expected likelihood, its gradients, its staged training and its model file.</summary>
public sealed class LadderLfadsTests
{
    private static readonly LadderLfadsOptions Small = new()
    {
        Deep = new LfadsOptions { EncoderUnits = 4, GeneratorUnits = 5, Factors = 2, InputDropout = 0 },
        SpikeEncoderUnits = 4,
        MaxCount = 3,
        UnfreezeStep = 5,
    };

    private static DynamicsTrainingOptions Recipe(int steps) => new() { MaxSteps = steps, BatchSize = 16, WarmupSteps = 10, ValidateEvery = 10, Seed = 4 };

    [Fact]
    public void CalciumObservation_ExpectedNegativeLogLikelihood_MatchesEnumerationOverEverySpikeTrain()
    {
        // 3 bins × 2 cells, counts 0..2 with arbitrary independent marginals: 3⁶ = 729 spike configurations.
        const int bins = 3, cells = 2, support = 3;
        var rng = new Random(8);
        var q = new double[bins * cells][];
        for (int i = 0; i < q.Length; i++)
        {
            var w = Enumerable.Range(0, support).Select(_ => 0.1 + rng.NextDouble()).ToArray();
            q[i] = w.Select(x => x / w.Sum()).ToArray();
        }
        float[] fluorescence = Enumerable.Range(0, bins * cells).Select(_ => (float)(rng.NextDouble() * 2)).ToArray();
        var observation = new CalciumObservation(cells, 0.75);
        var parameters = observation.NamedParameters().ToDictionary(p => p.Name, p => p.Value);
        float[] amplitude = [1.3f, 0.8f], offset = [0.1f, -0.2f], noiseVariance = [0.09f, 0.05f];
        for (int n = 0; n < cells; n++)
        {
            parameters["log_amplitude"].Data[n] = MathF.Log(amplitude[n]);
            parameters["offset"].Data[n] = offset[n];
            parameters["log_noise_variance"].Data[n] = MathF.Log(noiseVariance[n]);
        }
        var mean = q.Select(p => (float)Enumerable.Range(0, support).Sum(k => k * p[k])).ToArray();
        var variance = q.Select((p, i) => (float)(Enumerable.Range(0, support).Sum(k => k * k * p[k]) - mean[i] * (double)mean[i])).ToArray();

        var (_, _, nll) = observation.Evaluate(new Tensor(mean, 1, bins, cells), new Tensor(variance, 1, bins, cells), new Tensor(fluorescence, 1, bins, cells));

        double expected = 0;
        var counts = new int[bins * cells];
        for (int config = 0; config < (int)Math.Pow(support, counts.Length); config++)
        {
            double probability = 1;
            for (int i = 0, c = config; i < counts.Length; i++, c /= support) probability *= q[i][counts[i] = c % support];
            double value = 0;
            for (int n = 0; n < cells; n++)
            {
                double calcium = 0;
                for (int t = 0; t < bins; t++)
                {
                    calcium = 0.75 * calcium + counts[t * cells + n];
                    double residual = fluorescence[t * cells + n] - (amplitude[n] * calcium + offset[n]);
                    value += 0.5 * (residual * residual / noiseVariance[n] + Math.Log(noiseVariance[n]) + Math.Log(2 * Math.PI));
                }
            }
            expected += probability * value;
        }
        Assert.Equal(expected, nll.Item(), Math.Abs(expected) * 1e-5);
    }

    [Fact]
    public void Loss_GradientWithRespectToEveryParameterGroup_MatchesFiniteDifferences()
    {
        var model = new LadderLfads(channels: 3, Small, new Random(2));
        var rng = new Random(3);
        var fluorescence = new Tensor(Enumerable.Range(0, 2 * 6 * 3).Select(_ => rng.NextSingle() * 2).ToArray(), 2, 6, 3);
        var recipe = Recipe(1);

        // Mid warm-up, so the KL and L2 terms enter with a weight strictly between 0 and 1.
        Tensor Loss() => model.Evaluate(fluorescence, rng: null, training: false, step: 9, recipe).Loss;

        // The baseline rate is the spikes' prior only while the LFADS layer is frozen (tested below).
        var parameters = model.NamedParameters().Where(p => p.Name != "spikes.baseline_log_rate").Select(p => p.Value).ToList();
        LfadsGradientTests.AssertGradientsMatch(Loss, parameters, checksPerInput: 3, step: 3e-3, tolerance: 3e-2);
    }

    [Fact]
    public void Evaluate_BeforeUnfreezing_LeavesTheLfadsLayerWithoutGradient_AndAfterwardsTheBaselineRate()
    {
        var model = new LadderLfads(channels: 3, Small, new Random(2));
        var fluorescence = new Tensor(Enumerable.Range(0, 2 * 6 * 3).Select(i => (i % 5) * 0.3f).ToArray(), 2, 6, 3);
        var named = model.NamedParameters().ToList();

        double GradientNorm(int step, Func<string, bool> which)
        {
            foreach (var (_, value) in named) value.ZeroGrad();
            using (var tape = new Tape()) tape.Backward(model.Evaluate(fluorescence, null, training: false, step, Recipe(1)).Loss);
            return named.Where(p => which(p.Name)).Sum(p => p.Value.Grad is null ? 0 : p.Value.Grad.Sum(g => (double)g * g));
        }

        Assert.Equal(0, GradientNorm(Small.UnfreezeStep - 1, name => name.StartsWith("deep.", StringComparison.Ordinal)));
        Assert.True(GradientNorm(Small.UnfreezeStep - 1, name => name == "spikes.baseline_log_rate") > 0);
        Assert.True(GradientNorm(Small.UnfreezeStep, name => name.StartsWith("deep.", StringComparison.Ordinal)) > 0);
        Assert.Equal(0, GradientNorm(Small.UnfreezeStep, name => name == "spikes.baseline_log_rate"));
    }

    [Fact]
    public void Train_OnLorenzFluorescence_BoundFalls_AndTheModelFileReproducesItsInference()
    {
        var data = (LorenzProtocol.Paper with { Conditions = 4, Cells = 6, KeptSteps = 40 }).Simulate(3);
        var start = new LadderLfads(data.Training.Cells, Small, new Random(4));
        double before = LfadsTrainer.Bound(start, data.Validation.Fluorescence, Recipe(1));

        var result = new LfadsTrainer(data.Training.Fluorescence, data.Validation.Fluorescence, new LadderLfads(data.Training.Cells, Small, new Random(4)), Recipe(60)).Run();

        Assert.True(result.BestValidation < before, $"validation bound {result.BestValidation:F1} not below the start's {before:F1}");
        Assert.True(result.BestStep >= Small.UnfreezeStep + 10, "weights kept from before the LFADS layer was unfrozen and warmed up");
        var estimate = DynamicsInference.Run(result.Model, data.Validation.Fluorescence, 0.1, samples: 3);
        Assert.NotNull(estimate.Spikes);
        Assert.NotNull(estimate.Calcium);
        Assert.NotNull(estimate.Fluorescence);
        Assert.All(estimate.Spikes!.Data, s => Assert.InRange(s, 0f, Small.MaxCount));

        string path = Path.Combine(Path.GetTempPath(), $"ladder-{Guid.NewGuid():N}.dsdyn");
        try
        {
            new DynamicsModel(result.Model, DynamicsModel.LadderKind, TrialDataset.FluorescenceFileName, 0.1, "test").Save(path);
            var loaded = DynamicsModel.Load(path);
            Assert.IsType<LadderLfads>(loaded.Network);
            var again = DynamicsInference.Run(loaded.Network, data.Validation.Fluorescence, 0.1, samples: 3);
            Assert.Equal(estimate.Spikes.Data, again.Spikes!.Data);
            Assert.Equal(estimate.Rates.Data, again.Rates.Data);
        }
        finally { File.Delete(path); }
    }
}
