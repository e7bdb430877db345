using DeepSpike.Engine;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Simulation;
using DeepSpike.Training;

namespace DeepSpike.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("deepspike-trainer-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static readonly TrainingOptions Small = new(Samples: 8, ChunkFrames: 100, ChunksPerBatch: 2, ValidateEvery: 5, CheckpointEvery: 10, Seed: 3);

    private static SimulatedDataset Data() => ScfSimulationProtocol.Paper.Simulate(2, [1.0], 1000, 60, seed: 1);

    private static DsF Network() => new(new DsFOptions(Channels: 4, Kernels: [5, 3], Dilations: [1, 2]), new Random(0));

    private static float[][] Weights(DsF net) => net.Parameters().Select(p => (float[])p.Data.Clone()).ToArray();

    [Fact]
    public void Train_SameSeed_IsDeterministic()
    {
        var a = Network(); var b = Network();
        var data = new TrainingData(Data().Calcium);
        new Trainer(new DeepSpike.Generative.ScfModel(), a, Small with { MaxIterations = 20 }).Train(data);
        new Trainer(new DeepSpike.Generative.ScfModel(), b, Small with { MaxIterations = 20 }).Train(data);
        Assert.Equal(Weights(a), Weights(b));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void Train_ResumedFromCheckpoint_EqualsUninterruptedRun(double weightAveraging)
    {
        var data = new TrainingData(Data().Calcium, Data().Calcium);
        var info = new ModelInfo("t", "t", "t", 0, double.NaN);
        var options = Small with { WeightAveraging = weightAveraging };
        var straight = Network();
        new Trainer(new DeepSpike.Generative.ScfModel(), straight, options with { MaxIterations = 20 }).Train(data);

        var checkpoint = new TrainerCheckpoint(Path.Combine(folder, "c.ckpt"), info);
        var first = Network();
        new Trainer(new DeepSpike.Generative.ScfModel(), first, options with { MaxIterations = 10 }).Train(data, checkpoint: checkpoint);
        var resumed = Network();
        var result = new Trainer(new DeepSpike.Generative.ScfModel(), resumed, options with { MaxIterations = 20 }).Train(data, checkpoint: checkpoint, resume: true);
        Assert.Equal(20, result.Iterations);
        Assert.Equal(Weights(straight), Weights(resumed));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void Train_NoImprovementForPatienceEvaluations_StopsThereAndKeepsTheBest(double weightAveraging)
    {
        var data = new TrainingData(Data().Calcium, Data().Calcium);
        var options = Small with { ValidateEvery = 2, Patience = 3, MaxIterations = 5000, WeightAveraging = weightAveraging };

        var result = new Trainer(new DeepSpike.Generative.ScfModel(), Network(), options).Train(data);

        Assert.True(result.StoppedEarly, $"ran all {result.Iterations} iterations");
        Assert.Equal(result.BestIteration + options.Patience * options.ValidateEvery, result.Iterations);
    }

    [Fact]
    public void Train_ResumedFromTheCheckpointOfAnEarlyStop_StopsAtOnceWithTheSameWeights()
    {
        // A run killed after its last checkpoint but before the model was saved: resuming must not train past the stop.
        var data = new TrainingData(Data().Calcium, Data().Calcium);
        var options = Small with { ValidateEvery = 2, Patience = 3, MaxIterations = 5000, CheckpointEvery = 1 };
        var checkpoint = new TrainerCheckpoint(Path.Combine(folder, "c.ckpt"), new ModelInfo("t", "t", "t", 0, double.NaN));
        var straight = Network();
        var stopped = new Trainer(new DeepSpike.Generative.ScfModel(), straight, options).Train(data, checkpoint: checkpoint);
        Assert.True(stopped.StoppedEarly, $"ran all {stopped.Iterations} iterations");

        var resumed = Network();
        var result = new Trainer(new DeepSpike.Generative.ScfModel(), resumed, options).Train(data, checkpoint: checkpoint, resume: true);

        Assert.Equal((stopped.Iterations, stopped.BestIteration, true), (result.Iterations, result.BestIteration, result.StoppedEarly));
        Assert.Equal(Weights(straight), Weights(resumed));
    }

    [Fact]
    public void Train_WeightAveragingWithoutValidation_ReturnsTheRunningAverage()
    {
        // After two steps the corrected average is (d(1 − d)φ1 + (1 − d)φ2) / (1 − d²), where φ_k are the plain run's
        // weights after k steps: the random start φ0 has no share.
        var data = new TrainingData(Data().Calcium);
        const double d = 0.75;
        var plain = new List<float[][]> { Weights(Network()) };
        for (int k = 1; k <= 2; k++)
        {
            var net = Network();
            new Trainer(new DeepSpike.Generative.ScfModel(), net, Small with { MaxIterations = k }).Train(data);
            plain.Add(Weights(net));
        }
        var averaged = Network();
        new Trainer(new DeepSpike.Generative.ScfModel(), averaged, Small with { MaxIterations = 2, WeightAveraging = d }).Train(data);

        var result = Weights(averaged);
        for (int i = 0; i < result.Length; i++)
            for (int j = 0; j < result[i].Length; j++)
            {
                double expected = (d * (1 - d) * plain[1][i][j] + (1 - d) * plain[2][i][j]) / (1 - d * d);
                Assert.Equal(expected, result[i][j], 1e-6);
            }
        Assert.NotEqual(plain[2][0], result[0]);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void Options_WeightAveragingOutsideUnitInterval_Throws(double decay)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => (Small with { WeightAveraging = decay }).Validate());
        Assert.Equal(nameof(TrainingOptions.WeightAveraging), e.ParamName);
    }

    [Fact]
    public void Train_ResumeWithOtherSeed_RefusesNamingCheckpoint()
    {
        var data = new TrainingData(Data().Calcium);
        var checkpoint = new TrainerCheckpoint(Path.Combine(folder, "c.ckpt"), new ModelInfo("t", "t", "t", 0, double.NaN));
        new Trainer(new DeepSpike.Generative.ScfModel(), Network(), Small with { MaxIterations = 5 }).Train(data, checkpoint: checkpoint);
        var other = new Trainer(new DeepSpike.Generative.ScfModel(), Network(), Small with { MaxIterations = 10, Seed = 99 });
        var e = Assert.Throws<InvalidDataException>(() => other.Train(data, checkpoint: checkpoint, resume: true));
        Assert.Contains("c.ckpt", e.Message);
    }

    [Fact]
    public void Train_Supervised_ReducesCrossEntropy()
    {
        var sim = Data();
        var net = Network();
        var options = Small with { Objective = TrainingObjective.Supervised, MaxIterations = 150, RecognitionLearningRate = 1e-2f, ClipNorm = 1f };
        var trainer = new Trainer(new DeepSpike.Generative.ScfModel(), net, options);
        var data = new TrainingData(sim.Calcium, sim.Calcium, sim.Spikes, sim.Spikes);
        var result = trainer.Train(data);
        // The output bias starts at a 1 Hz prior: cross-entropy ≈ 0.1 nats/frame; learning must beat it.
        Assert.True(result.BestValidation > -0.08, $"validation −cross-entropy {result.BestValidation}");
    }

    [Fact]
    public void Train_LabeledWithZeroWeight_EqualsUnsupervisedRun()
    {
        var labeled = ScfSimulationProtocol.Paper.Simulate(1, [1.0], 1000, 60, seed: 9);
        var plain = Network(); var zero = Network();
        new Trainer(new DeepSpike.Generative.ScfModel(), plain, Small with { MaxIterations = 10 }).Train(new TrainingData(Data().Calcium));
        new Trainer(new DeepSpike.Generative.ScfModel(), zero, Small with { MaxIterations = 10, SupervisedWeight = 0 })
            .Train(new TrainingData(Data().Calcium, LabeledCalcium: labeled.Calcium, LabeledSpikes: labeled.Spikes));
        Assert.Equal(Weights(plain), Weights(zero));
    }

    [Fact]
    public void Train_Labeled_LowersCrossEntropyOnTheLabeledRecordingsComparedWithUnsupervised()
    {
        var labeled = ScfSimulationProtocol.Paper.Simulate(1, [1.0], 1000, 60, seed: 9);
        var plain = Network(); var semi = Network();
        var options = Small with { MaxIterations = 60, SupervisedWeight = 5 };
        new Trainer(new DeepSpike.Generative.ScfModel(), plain, options).Train(new TrainingData(Data().Calcium));
        new Trainer(new DeepSpike.Generative.ScfModel(), semi, options).Train(new TrainingData(Data().Calcium, LabeledCalcium: labeled.Calcium, LabeledSpikes: labeled.Spikes));

        double CrossEntropy(DsF net)
        {
            var p = net.Marginals(InputNormalization.Apply(labeled.Calcium.Traces[0]), new Random(0));
            var s = labeled.Spikes.Traces[0];
            return -Enumerable.Range(0, p.Length).Average(t => s[t] > 0 ? Math.Log(p[t]) : Math.Log(1 - p[t]));
        }
        Assert.True(CrossEntropy(semi) < CrossEntropy(plain), $"semi-supervised {CrossEntropy(semi):F4} vs unsupervised {CrossEntropy(plain):F4}");
    }

    [Fact]
    public void Train_LabeledWithSupervisedObjective_Throws()
    {
        var data = Data();
        var e = Assert.Throws<ArgumentException>(() => new Trainer(new DeepSpike.Generative.ScfModel(), Network(), Small with { Objective = TrainingObjective.Supervised })
            .Train(new TrainingData(data.Calcium, TrainingSpikes: data.Spikes, LabeledCalcium: data.Calcium, LabeledSpikes: data.Spikes)));
        Assert.Contains("labeled", e.Message);
    }

    [Fact]
    public void Train_StepsThatOnlyHurtValidation_KeepTheStartingWeights()
    {
        // A warm start (e.g. DS-NF from DS-F) must never end worse than it began: the start is evaluated too.
        var net = Network();
        var data = new TrainingData(Data().Calcium, Data().Calcium);
        new Trainer(new DeepSpike.Generative.ScfModel(), net, Small with { MaxIterations = 60 }).Train(data);
        var start = Weights(net);
        var reckless = Small with { MaxIterations = 10, ValidateEvery = 5, RecognitionLearningRate = 3f, ClipNorm = 100f };

        var result = new Trainer(new DeepSpike.Generative.ScfModel(), net, reckless).Train(data);

        Assert.Equal(0, result.BestIteration);
        Assert.Equal(start, Weights(net));
    }

    [Fact]
    public void Train_CorrelationValidation_KeepsTheWeightsWithTheBestCorrelationOnTheValidationSpikes()
    {
        var validation = ScfSimulationProtocol.Paper.Simulate(2, [1.0], 1000, 60, seed: 4);
        var net = Network();
        var options = Small with { MaxIterations = 40, ValidateEvery = 10, ValidationCorrelationBinMs = 40 };
        var start = Correlation(net, validation);

        var result = new Trainer(new DeepSpike.Generative.ScfModel(), net, options)
            .Train(new TrainingData(Data().Calcium, validation.Calcium, ValidationSpikes: validation.Spikes));

        // The criterion is the mean r of the kept weights, recomputed here from scratch, and the start was a candidate.
        Assert.Equal(Correlation(net, validation), result.BestValidation, 6);
        Assert.True(result.BestValidation >= start - 1e-9, $"kept r {result.BestValidation:F4} below the starting r {start:F4}");
        Assert.InRange(result.BestValidation, -1, 1);
    }

    [Fact]
    public void Train_CorrelationValidationWithoutSpikes_ValidatesByTheBound()
    {
        var sim = Data();
        var withBin = new Trainer(new DeepSpike.Generative.ScfModel(), Network(), Small with { MaxIterations = 10, ValidationCorrelationBinMs = 40 })
            .Train(new TrainingData(sim.Calcium, sim.Calcium));
        var plain = new Trainer(new DeepSpike.Generative.ScfModel(), Network(), Small with { MaxIterations = 10 })
            .Train(new TrainingData(sim.Calcium, sim.Calcium));

        Assert.Equal(plain.BestValidation, withBin.BestValidation);
    }

    private static double Correlation(DsF net, SimulatedDataset validation)
    {
        var r = validation.Calcium.Traces.Select((trace, i) => DeepSpike.Evaluation.SpikeMetrics.Pearson(
            DeepSpike.Evaluation.SpikeMetrics.Bin(net.Marginals(InputNormalization.Apply(trace), new Random(0)), 60, 40),
            DeepSpike.Evaluation.SpikeMetrics.Bin(validation.Spikes.Traces[i], 60, 40))).ToArray();
        return DeepSpike.Evaluation.SpikeMetrics.Mean(r);
    }

    [Fact]
    public void Train_StartNotACandidate_NeverKeepsTheStartingWeights()
    {
        var net = Network();
        var data = new TrainingData(Data().Calcium, Data().Calcium);
        var start = Weights(net);
        var reckless = Small with { MaxIterations = 10, ValidateEvery = 5, RecognitionLearningRate = 3f, ClipNorm = 100f, StartIsCandidate = false };

        var result = new Trainer(new DeepSpike.Generative.ScfModel(), net, reckless).Train(data);

        Assert.True(result.BestIteration is 5 or 10, $"kept iteration {result.BestIteration}");
        Assert.NotEqual(start, Weights(net));
    }

    [Fact]
    public void ContinueCellsFrom_PreviousTrainer_StartsEachTraceFromItsFittedTheta()
    {
        var data = new TrainingData(Data().Calcium);
        var first = new Trainer(new DeepSpike.Generative.ScfModel(), Network(), Small with { MaxIterations = 30 });
        first.Train(data);
        var fitted = first.CellParameters.ToDictionary(p => p.Key, p => p.Value.Parameters().Select(t => (float[])t.Data.Clone()).ToArray());
        var fresh = new Trainer(new DeepSpike.Generative.ScfModel(), Network(), Small with { MaxIterations = 1 });
        fresh.Train(data);

        var next = new Trainer(new DeepSpike.Generative.ScfModel(), Network(), Small with { MaxIterations = 1 });
        next.ContinueCellsFrom(first);
        next.Train(data);

        // One iteration updates one trace's θ; the other must hold exactly what the first trainer fitted.
        bool Same(DeepSpike.Generative.GenerativeParameters theta, float[][] values) => theta.Parameters().Select(t => t.Data).Zip(values).All(p => p.First.SequenceEqual(p.Second));
        Assert.Contains(next.CellParameters, p => Same(p.Value, fitted[p.Key]));
        Assert.DoesNotContain(fresh.CellParameters, p => Same(p.Value, fitted[p.Key]));
    }

    [Fact]
    public void ThetaWarmup_FitsEveryTracesThetaWithoutTouchingTheNetwork()
    {
        var data = new TrainingData(Data().Calcium);
        var net = Network();
        var start = Weights(net);
        var plain = new Trainer(new DeepSpike.Generative.ScfModel(), Network(), Small with { MaxIterations = 1, RecognitionLearningRate = 1e-30f });
        plain.Train(data);
        var warmed = new Trainer(new DeepSpike.Generative.ScfModel(), net, Small with { MaxIterations = 1, RecognitionLearningRate = 1e-30f, ThetaWarmupIterations = 40 });

        warmed.Train(data);

        // A vanishing learning rate keeps φ's one real step negligible: any change in φ would come from the warm-up.
        Assert.All(Weights(net).Zip(start), p => Assert.Equal(p.Second, p.First, (a, b) => Math.Abs(a - b) < 1e-20f));
        foreach (var (name, theta) in warmed.CellParameters)
            Assert.NotEqual(plain.CellParameters[name].Parameters().SelectMany(t => t.Data), theta.Parameters().SelectMany(t => t.Data));
    }

    [Fact]
    public void Options_BadValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(Samples: 1).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(ClipNorm: 0).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(MaxMinutes: -1).Validate());
    }
}
