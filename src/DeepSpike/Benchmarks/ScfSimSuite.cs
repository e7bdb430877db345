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
public sealed record ScfSimSuiteOptions(
    int Seed = 0, double MaxMinutes = 20, int TrainCells = 50, int ValidationCells = 50, int TestCells = 100,
    int Frames = 10_000, double FrameRateHz = 60, bool SupervisedReference = true, int TimingTraces = 10);

/// <summary>
/// The paper's SCF-Sim protocol: simulate train/validation/test cells (issue 2's distribution, rates
/// 0.6/0.9/1.1 Hz), train DS-F without ground truth, and score it with every baseline on the same test
/// traces: Pearson r at 16.6 ms bins (mean ± SEM over traces) and time per trace on one thread.
/// </summary>
public static class ScfSimSuite
{
    /// <summary>Bin width of the paper's simulated-data correlations.</summary>
    public const double BinMs = SpikeMetrics.SimulatedBinMs;

    private static readonly double[] RatesHz = [0.6, 0.9, 1.1];
    private const int WarmUpCalls = 40;
    private static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(5);

    /// <summary>Runs the suite. <paramref name="train"/> wraps each training run (for progress display).</summary>
    public static SuiteReport Run(ScfSimSuiteOptions options, IReadOnlyList<ISpikeInferenceMethod> baselines, Action<string> log,
        Func<string, Func<IProgress<TrainingProgress>?, TrainingResult>, TrainingResult> train)
    {
        var protocol = ScfSimulationProtocol.Paper;
        var training = protocol.Simulate(options.TrainCells, RatesHz, options.Frames, options.FrameRateHz, options.Seed * 3 + 1);
        var validation = protocol.Simulate(options.ValidationCells, RatesHz, options.Frames, options.FrameRateHz, options.Seed * 3 + 2);
        var test = protocol.Simulate(options.TestCells, RatesHz, options.Frames, options.FrameRateHz, options.Seed * 3 + 3);
        log($"simulated {training.Calcium.Count} training, {validation.Calcium.Count} validation and {test.Calcium.Count} test traces of {options.Frames} frames at {options.FrameRateHz:G4} Hz");

        var methods = new List<(ISpikeInferenceMethod Method, string Note)>();
        var unsupervised = TrainDsF(options, TrainingObjective.Unsupervised, new TrainingData(training.Calcium, validation.Calcium), train, log);
        methods.Add((new DeepSpikeMethod(unsupervised.Model, "DS-F (unsupervised)"), unsupervised.Note));
        if (options.SupervisedReference)
        {
            var supervised = TrainDsF(options, TrainingObjective.Supervised,
                new TrainingData(training.Calcium, validation.Calcium, training.Spikes, validation.Spikes), train, log);
            methods.Add((new DeepSpikeMethod(supervised.Model, "DS-F (supervised reference)"), supervised.Note));
        }
        methods.AddRange(baselines.Select(b => (b, "parameters estimated per trace")));

        var rows = new List<MethodScore>();
        foreach (var (method, note) in methods)
        {
            log($"scoring {method.Name}");
            var predicted = SpikeInferenceMethods.Run(method, test.Calcium, options.Seed);
            var report = SpikeMetrics.Evaluate(predicted, test.Spikes, BinMs);
            rows.Add(new MethodScore(method.Name, report.Mean, report.Sem, report.N, TimePerTrace(method, test.Calcium, options.TimingTraces), note));
        }
        return new SuiteReport("scf-sim", BinMs, options.Frames, rows);
    }

    private static (SpikeModel Model, string Note) TrainDsF(ScfSimSuiteOptions options, TrainingObjective objective, TrainingData data,
        Func<string, Func<IProgress<TrainingProgress>?, TrainingResult>, TrainingResult> train, Action<string> log)
    {
        var network = new DsF(new DsFOptions(FrameRateHz: options.FrameRateHz), new Random(options.Seed));
        var trainer = new Trainer(ModelRegistry.CreateGenerative("scf"), network, new TrainingOptions(Objective: objective, MaxMinutes: options.MaxMinutes, Seed: options.Seed));
        string label = objective == TrainingObjective.Unsupervised ? "DS-F unsupervised" : "DS-F supervised";
        var result = train(label, p => trainer.Train(data, p));
        string note = $"{objective.ToString().ToLowerInvariant()}, {result.Iterations} it in {result.Elapsed.TotalMinutes:F1} min, kept it {result.BestIteration}";
        log($"{label}: {note}");
        return (new SpikeModel(network, "scf", options.FrameRateHz, new ModelInfo(label, "scf-sim suite", "deepspike bench accuracy --suite scf-sim", result.BestIteration, result.BestValidation)), note);
    }

    /// <summary>Milliseconds per trace for <paramref name="count"/> traces run one after another on one thread.</summary>
    private static double TimePerTrace(ISpikeInferenceMethod method, TraceSet traces, int count)
    {
        int previous = Parallelism.MaxThreads;
        Parallelism.MaxThreads = 1;
        try
        {
            count = Math.Min(count, traces.Count);
            // Warm-up: tiered compilation promotes a method after ~30 calls; time the steady state a long
            // run sees, but spend at most a few seconds on slow methods.
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < WarmUpCalls && warm.Elapsed < WarmUpLimit; i++) method.Infer(traces.Traces[i % count], traces.FrameRateHz, i);
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++) method.Infer(traces.Traces[i], traces.FrameRateHz, i);
            return watch.Elapsed.TotalMilliseconds / count;
        }
        finally { Parallelism.MaxThreads = previous; }
    }
}
