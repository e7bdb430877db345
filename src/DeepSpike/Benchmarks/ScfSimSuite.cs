using System.Diagnostics;
using DeepSpike.Data;
using DeepSpike.Engine;
using DeepSpike.Evaluation;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Simulation;
using DeepSpike.Training;

namespace DeepSpike.Benchmarks;

/// <summary>Settings of the SCF-Sim accuracy suite (Speiser et al. 2017, Table 1, column 1).</summary>
/// <param name="Seed">Seed of simulation and training.</param>
/// <param name="MaxMinutes">Training budget of each DS-F model.</param>
/// <param name="TrainCells">Training cells (three traces each).</param>
/// <param name="ValidationCells">Validation cells, for early stopping.</param>
/// <param name="TestCells">Test cells, never seen in training.</param>
/// <param name="Frames">Frames per trace.</param>
/// <param name="FrameRateHz">Frame rate.</param>
/// <param name="SupervisedReference">Also train DS-F supervised on the true spikes (the upper reference).</param>
/// <param name="TimingTraces">Traces timed on one thread per method.</param>
/// <param name="DsNfMinutes">Training budget of DS-NF, warm-started from the unsupervised DS-F; 0 leaves DS-NF out.</param>
/// <param name="DsNfSamples">K of DS-NF's training (<see cref="SuiteSteps.DsNfFineTuningSamples"/>).</param>
public sealed record ScfSimSuiteOptions(
    int Seed = 0, double MaxMinutes = 20, int TrainCells = 50, int ValidationCells = 50, int TestCells = 100,
    int Frames = 10_000, double FrameRateHz = 60, bool SupervisedReference = true, int TimingTraces = 10, double DsNfMinutes = 10,
    int DsNfSamples = SuiteSteps.DsNfFineTuningSamples)
{
    /// <summary>Throws if a value is out of range.</summary>
    public ScfSimSuiteOptions Validate()
    {
        if (!(MaxMinutes > 0)) throw new ArgumentOutOfRangeException(nameof(MaxMinutes), $"training budget must be > 0 minutes, got {MaxMinutes}");
        if (!(DsNfMinutes >= 0)) throw new ArgumentOutOfRangeException(nameof(DsNfMinutes), $"DS-NF budget must be >= 0 minutes, got {DsNfMinutes}");
        SuiteSteps.CheckSplits(TrainCells, ValidationCells, TestCells, Frames);
        if (TimingTraces < 1) throw new ArgumentOutOfRangeException(nameof(TimingTraces), $"timing traces must be >= 1, got {TimingTraces}");
        return this;
    }
}

/// <summary>
/// The paper's SCF-Sim protocol: simulate train/validation/test cells (issue 2's distribution, rates
/// 0.6/0.9/1.1 Hz), train DS-F without ground truth, and score it with every baseline on the same test
/// traces: Pearson r at 16.6 ms bins (mean ± SEM over traces) and time per trace on one thread. DS-NF is
/// warm-started from the unsupervised DS-F (<see cref="DsNf.WarmStartFrom"/>) and trained on with the same objective.
/// </summary>
public static class ScfSimSuite
{
    /// <summary>Bin width of the paper's simulated-data correlations.</summary>
    public const double BinMs = SpikeMetrics.SimulatedBinMs;


    /// <summary>Runs the suite. <paramref name="train"/> wraps each training run (for progress display).</summary>
    public static SuiteReport Run(ScfSimSuiteOptions options, IReadOnlyList<ISpikeInferenceMethod> baselines, Action<string> log,
        TrainingRunner train)
    {
        options.Validate();
        var protocol = ScfSimulationProtocol.Paper;
        var (training, validation, test) = SuiteSteps.SimulateSplits((cells, seed) => protocol.Simulate(cells, SuiteSteps.PaperRatesHz, options.Frames, options.FrameRateHz, seed),
            options.TrainCells, options.ValidationCells, options.TestCells, options.Seed, "SCF", log);

        var methods = new List<(ISpikeInferenceMethod Method, string Note)>();
        var data = new TrainingData(training.Calcium, validation.Calcium);
        var dsf = new DsF(new DsFOptions(FrameRateHz: options.FrameRateHz), new Random(options.Seed));
        var unsupervised = Train("DS-F unsupervised", dsf, new TrainingOptions(MaxMinutes: options.MaxMinutes, Seed: options.Seed), data);
        methods.Add((new DeepSpikeMethod(unsupervised.Model, "DS-F (unsupervised)"), unsupervised.Note));
        if (options.DsNfMinutes > 0)
        {
            var dsnf = new DsNf(new DsNfOptions(new DsFOptions(FrameRateHz: options.FrameRateHz)), new Random(options.Seed));
            dsnf.WarmStartFrom(dsf);
            var nf = Train("DS-NF unsupervised", dsnf, new TrainingOptions(Samples: options.DsNfSamples, MaxMinutes: options.DsNfMinutes, Seed: options.Seed), data, unsupervised.Trainer);
            methods.Add((new DeepSpikeMethod(nf.Model, "DS-NF (unsupervised)"), $"from DS-F, K={options.DsNfSamples}, " + nf.Note));
        }
        if (options.SupervisedReference)
        {
            var supervised = Train("DS-F supervised", new DsF(new DsFOptions(FrameRateHz: options.FrameRateHz), new Random(options.Seed)),
                new TrainingOptions(TrainingObjective.Supervised, MaxMinutes: options.MaxMinutes, Seed: options.Seed),
                data with { TrainingSpikes = training.Spikes, ValidationSpikes = validation.Spikes });
            methods.Add((new DeepSpikeMethod(supervised.Model, "DS-F (supervised reference)"), supervised.Note));
        }
        methods.AddRange(baselines.Select(b => (b, "parameters estimated per trace")));

        var rows = new List<MethodScore>();
        foreach (var (method, note) in methods)
        {
            log($"scoring {method.Name}");
            var predicted = SpikeInferenceMethods.Run(method, test.Calcium, options.Seed);
            var report = SpikeMetrics.Evaluate(predicted, test.Spikes, BinMs);
            rows.Add(new MethodScore(method.Name, report.Mean, report.Sem, report.N, SuiteSteps.TimePerTrace(method, test.Calcium, options.TimingTraces), note));
        }
        return new SuiteReport("scf-sim", BinMs, options.Frames, rows);

        (SpikeModel Model, string Note, Trainer Trainer) Train(string label, IRecognitionModel network, TrainingOptions training, TrainingData trainingData, Trainer? continueFrom = null)
        {
            var (model, note, _, trainer) = SuiteSteps.Train(label, ModelRegistry.CreateGenerative("scf"), network, training, trainingData, options.FrameRateHz, "scf-sim", train, log, continueFrom);
            return (model, note, trainer);
        }
    }
}
