using System.Diagnostics;
using DeepSpike.Data;
using DeepSpike.Engine;
using DeepSpike.Generative;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Simulation;
using DeepSpike.Training;

namespace DeepSpike.Benchmarks;

/// <summary>
/// Wraps one training run of a suite, e.g. in a progress display: called with a label and the work, which takes
/// the progress sink to report to.
/// </summary>
public delegate TrainingResult TrainingRunner(string label, Func<IProgress<TrainingProgress>?, TrainingResult> work);

/// <summary>Steps the benchmark suites share: training a network into a model, and timing a method.</summary>
internal static class SuiteSteps
{
    /// <summary>The paper's firing rates of the simulated suites: one trace per cell at each.</summary>
    public static readonly double[] PaperRatesHz = [0.6, 0.9, 1.1];

    /// <summary>
    /// K when the suites fine-tune DS-NF from a trained DS-F: 16 rather than DS-F's 64. A DS-NF step costs tens of
    /// DS-F steps on a CPU (a GRU step per frame for every sample), and an autoregressive q needs the tight bound of a
    /// large K less than a factorised one: a quarter of the cost buys about four times the steps in the same budget.
    /// </summary>
    public const int DsNfFineTuningSamples = 16;

    private const int WarmUpCalls = 40;
    private static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(2);

    /// <summary>Throws unless every split has a cell and traces hold at least one training chunk.</summary>
    public static void CheckSplits(int trainCells, int validationCells, int testCells, int frames)
    {
        if (trainCells < 1 || validationCells < 1 || testCells < 1)
            throw new ArgumentOutOfRangeException(nameof(testCells), $"every split needs at least one cell, got {trainCells}/{validationCells}/{testCells}");
        if (frames < 400) throw new ArgumentOutOfRangeException(nameof(frames), $"traces must have >= 400 frames (one training chunk), got {frames}");
    }

    /// <summary>
    /// Training, validation and test cells simulated with <paramref name="simulate"/> (cells, seed) from three seeds
    /// derived from <paramref name="seed"/>, so the splits never share a cell; logs their sizes.
    /// </summary>
    public static (SimulatedDataset Training, SimulatedDataset Validation, SimulatedDataset Test) SimulateSplits(
        Func<int, int, SimulatedDataset> simulate, int trainCells, int validationCells, int testCells, int seed, string what, Action<string> log)
    {
        var splits = (simulate(trainCells, seed * 3 + 1), simulate(validationCells, seed * 3 + 2), simulate(testCells, seed * 3 + 3));
        var calcium = splits.Item3.Calcium;
        log($"simulated {splits.Item1.Calcium.Count} training, {splits.Item2.Calcium.Count} validation and {calcium.Count} test {what} traces of {calcium.MaxLength} frames at {calcium.FrameRateHz:G4} Hz");
        return splits;
    }

    /// <summary>Trains <paramref name="network"/> with <paramref name="generative"/> and wraps it as a model, with a one-line note on how.</summary>
    /// <remarks>With <paramref name="continueFrom"/>, every trace's θ starts where that trainer left it (for warm starts).</remarks>
    public static (SpikeModel Model, string Note, TrainingResult Result, Trainer Trainer) Train(string label, IGenerativeModel generative, IRecognitionModel network,
        TrainingOptions options, TrainingData data, double frameRateHz, string suite, TrainingRunner train, Action<string> log, Trainer? continueFrom = null)
    {
        var trainer = new Trainer(generative, network, options);
        if (continueFrom is not null) trainer.ContinueCellsFrom(continueFrom);
        var result = train(label, p => trainer.Train(data, p));
        string note = $"{options.Objective.ToString().ToLowerInvariant()}, {result.Iterations} it in {result.Elapsed.TotalMinutes:F1} min, kept it {result.BestIteration}";
        log($"{label}: {note}");
        var info = new ModelInfo(label, $"{suite} suite", $"deepspike bench --suite {suite}", result.BestIteration, result.BestValidation);
        return (new SpikeModel(network, generative.Name, frameRateHz, info), note, result, trainer);
    }

    /// <summary>Milliseconds per trace for <paramref name="count"/> traces run one after another on one thread.</summary>
    public static double TimePerTrace(ISpikeInferenceMethod method, TraceSet traces, int count)
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
