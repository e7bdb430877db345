using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeepSpike.Data;
using DeepSpike.Evaluation;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Simulation;
using DeepSpike.Training;

namespace DeepSpike.Benchmarks;

/// <summary>Settings of the amortization suite (Speiser et al. 2017, fig. 2C).</summary>
/// <param name="Seed">Seed of simulation and training.</param>
/// <param name="MaxMinutes">Training budget of the amortized model.</param>
/// <param name="PerCellMinutes">Training budget of each per-cell model.</param>
/// <param name="TrainCells">Cells the amortized model is trained on.</param>
/// <param name="ValidationCells">Cells it is validated on (early stopping).</param>
/// <param name="TestCells">Unseen cells: the amortized model is applied to them, and each gets its own model.</param>
/// <param name="Frames">Frames per trace.</param>
/// <param name="FrameRateHz">Frame rate.</param>
public sealed record AmortizationSuiteOptions(
    int Seed = 0, double MaxMinutes = 10, double PerCellMinutes = 0.5, int TrainCells = 50, int ValidationCells = 10, int TestCells = 30,
    int Frames = 10_000, double FrameRateHz = 60)
{
    /// <summary>Throws if a value is out of range.</summary>
    public AmortizationSuiteOptions Validate()
    {
        if (!(MaxMinutes > 0) || !(PerCellMinutes > 0)) throw new ArgumentOutOfRangeException(nameof(MaxMinutes), $"training budgets must be > 0 minutes, got {MaxMinutes} and {PerCellMinutes}");
        SuiteSteps.CheckSplits(TrainCells, ValidationCells, TestCells, Frames);
        return this;
    }
}

/// <summary>One way of getting spikes for the test cells: its accuracy and what it cost.</summary>
/// <param name="Method">"amortized" or "per-cell".</param>
/// <param name="MeanCorrelation">Mean Pearson r over test traces at 16.6 ms bins.</param>
/// <param name="Sem">Standard error of that mean.</param>
/// <param name="N">Test traces.</param>
/// <param name="TrainingSeconds">Wall-clock training time in total (one model, or all per-cell models).</param>
/// <param name="InferenceSeconds">Wall-clock time to infer every test trace once the models exist.</param>
/// <param name="Note">What was trained.</param>
public sealed record AmortizationScore(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("mean_correlation")] double MeanCorrelation,
    [property: JsonPropertyName("sem")] double Sem,
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("training_seconds")] double TrainingSeconds,
    [property: JsonPropertyName("inference_seconds")] double InferenceSeconds,
    [property: JsonPropertyName("note")] string Note);

/// <summary>The amortization suite's outcome.</summary>
public sealed record AmortizationReport(
    [property: JsonPropertyName("suite")] string Suite,
    [property: JsonPropertyName("bin_ms")] double BinMs,
    [property: JsonPropertyName("test_cells")] int TestCells,
    [property: JsonPropertyName("rows")] IReadOnlyList<AmortizationScore> Rows)
{
    /// <summary>Writes the report as JSON (atomically).</summary>
    public void WriteJson(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, ReportJson.Options) + "\n");
}

/// <summary>
/// The paper's fig. 2C: is one network trained on many cells and applied to unseen ones as good as a network
/// trained on each cell itself, and what does each cost? DS-F on SCDF simulations: one amortized model trained on
/// <see cref="AmortizationSuiteOptions.TrainCells"/> cells, against one model per test cell trained (without
/// ground truth) on that cell's own traces; both scored on the test cells.
/// </summary>
public static class AmortizationSuite
{
    /// <summary>Runs the suite; <paramref name="train"/> wraps each training run (for progress display).</summary>
    public static AmortizationReport Run(AmortizationSuiteOptions options, Action<string> log, TrainingRunner train)
    {
        options.Validate();
        var protocol = ScdfSimulationProtocol.Paper;
        var (training, validation, test) = SuiteSteps.SimulateSplits((cells, seed) => protocol.Simulate(cells, SuiteSteps.PaperRatesHz, options.Frames, options.FrameRateHz, seed),
            options.TrainCells, options.ValidationCells, options.TestCells, options.Seed, "SCDF", log);

        var amortized = SuiteSteps.Train("amortized DS-F", ModelRegistry.CreateGenerative("scdf"), NewNetwork(options),
            new TrainingOptions(MaxMinutes: options.MaxMinutes, Seed: options.Seed), new TrainingData(training.Calcium, validation.Calcium),
            options.FrameRateHz, "amortization", train, log);
        var watch = Stopwatch.StartNew();
        var amortizedOutput = SpikeInferenceMethods.Run(new DeepSpikeMethod(amortized.Model), test.Calcium, options.Seed);
        double amortizedInference = watch.Elapsed.TotalSeconds;
        var amortizedScore = SpikeMetrics.Evaluate(amortizedOutput, test.Spikes, SpikeMetrics.SimulatedBinMs);

        var cells = CellsOf(test.Calcium);
        var perCellOutput = new float[test.Calcium.Count][];
        double perCellTraining = 0, perCellInference = 0;
        int iterations = 0;
        foreach (var (cell, indices) in cells)
        {
            var own = test.Calcium.Subset(indices);
            var model = SuiteSteps.Train($"{cell} (per-cell DS-F)", ModelRegistry.CreateGenerative("scdf"), NewNetwork(options),
                new TrainingOptions(MaxMinutes: options.PerCellMinutes, Seed: options.Seed), new TrainingData(own), options.FrameRateHz, "amortization", train, _ => { });
            perCellTraining += model.Result.Elapsed.TotalSeconds;
            iterations += model.Result.Iterations;
            watch.Restart();
            var output = SpikeInferenceMethods.Run(new DeepSpikeMethod(model.Model), own, options.Seed);
            perCellInference += watch.Elapsed.TotalSeconds;
            for (int j = 0; j < indices.Count; j++) perCellOutput[indices[j]] = output.Traces[j];
        }
        log($"per-cell DS-F: {cells.Count} models, {iterations / Math.Max(cells.Count, 1)} it each on average, {perCellTraining / 60:F1} min in total");
        var perCellScore = SpikeMetrics.Evaluate(new TraceSet(test.Calcium.Names, perCellOutput, test.Calcium.FrameRateHz), test.Spikes, SpikeMetrics.SimulatedBinMs);

        return new AmortizationReport("amortization", SpikeMetrics.SimulatedBinMs, cells.Count,
        [
            new AmortizationScore("amortized", amortizedScore.Mean, amortizedScore.Sem, amortizedScore.N, amortized.Result.Elapsed.TotalSeconds, amortizedInference,
                $"one DS-F on {options.TrainCells} other cells: {amortized.Note}"),
            new AmortizationScore("per-cell", perCellScore.Mean, perCellScore.Sem, perCellScore.N, perCellTraining, perCellInference,
                $"{cells.Count} DS-F models, each trained for up to {options.PerCellMinutes:G3} min on its cell's {SuiteSteps.PaperRatesHz.Length} traces"),
        ]);
    }

    private static DsF NewNetwork(AmortizationSuiteOptions options) => new(new DsFOptions(FrameRateHz: options.FrameRateHz), new Random(options.Seed));

    /// <summary>Trace indices grouped by cell, from the simulator's <c>cellNNN_r…</c> names, in first-seen order.</summary>
    private static List<(string Cell, List<int> Indices)> CellsOf(TraceSet traces) =>
        traces.Names.Select((name, i) => (Cell: name.Split("_r")[0], Index: i))
            .GroupBy(x => x.Cell)
            .Select(g => (g.Key, g.Select(x => x.Index).ToList()))
            .ToList();
}
