using System.CommandLine;
using DeepSpike.Baselines;
using DeepSpike.Benchmarks;
using Spectre.Console;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike bench posterior</c>: posterior quality and amortization on simulated SCDF data (paper fig. 2).</summary>
internal static class BenchPosteriorCommand
{
    public static Command Create()
    {
        var suite = new Option<string>("--suite")
        {
            Description = "scdf-sim: DS-F vs DS-NF posteriors on SCDF simulations (paper fig. 2A-B); " +
                          "amortization: one DS-F for all cells vs one per cell (fig. 2C)",
            DefaultValueFactory = _ => "scdf-sim",
        };
        var dsfMinutes = new Option<double>("--max-minutes") { Description = "Training budget of DS-F (scdf-sim) or of the amortized model (amortization)", DefaultValueFactory = _ => 10 };
        var dsnfMinutes = new Option<double>("--dsnf-minutes") { Description = "scdf-sim: training budget of DS-NF, warm-started from the DS-F", DefaultValueFactory = _ => 10 };
        var perCellMinutes = new Option<double>("--per-cell-minutes") { Description = "amortization: training budget of each per-cell model", DefaultValueFactory = _ => 0.5 };
        var trainCells = new Option<int?>("--train-cells") { Description = "Training cells, 3 traces each (default: 20 for scdf-sim, 50 for amortization)" };
        var testCells = new Option<int?>("--test-cells") { Description = "Test cells, 3 traces each (default: 20 for scdf-sim, 30 for amortization)" };
        var samples = new Option<int>("--samples") { Description = "scdf-sim: posterior samples per test trace", DefaultValueFactory = _ => 30 };
        var json = new Option<string?>("--json") { Description = "Also write the table as JSON to this file" };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("posterior", "Posterior quality (sampled spike counts, log-probability of the truth) and amortization, on simulated SCDF data")
            { suite, dsfMinutes, dsnfMinutes, perCellMinutes, trainCells, testCells, samples, json, seed, threads };
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            Action<string> log = message => Console.Error.WriteLine(message);
            switch (r.GetValue(suite))
            {
                case "scdf-sim":
                {
                    var defaults = new PosteriorSuiteOptions();
                    var options = defaults with
                    {
                        Seed = r.GetValue(seed), DsFMinutes = r.GetValue(dsfMinutes), DsNfMinutes = r.GetValue(dsnfMinutes), Samples = r.GetValue(samples),
                        TrainCells = r.GetValue(trainCells) ?? defaults.TrainCells, TestCells = r.GetValue(testCells) ?? defaults.TestCells,
                    };
                    var report = PosteriorSuite.Run(options, log, ProgressDisplay.Train);
                    var table = new Table().AddColumn("network").AddColumn(new TableColumn($"r at {report.BinMs:G3} ms").RightAligned())
                        .AddColumn(new TableColumn("isolated spikes").RightAligned())
                        .AddColumn(new TableColumn($"count ±{report.WindowFrames} frames: mean").RightAligned())
                        .AddColumn(new TableColumn("variance").RightAligned()).AddColumn(new TableColumn("P(exactly 1)").RightAligned())
                        .AddColumn(new TableColumn("log q(true train), nats/trace").RightAligned())
                        .AddColumn(new TableColumn($"ms/trace, {report.Samples} samples").RightAligned()).AddColumn("note");
                    foreach (var row in report.Rows)
                        table.AddRow(row.Method, $"{row.MeanCorrelation:F3} ± {row.CorrelationSem:F3}", row.IsolatedSpikes.ToString(), $"{row.MeanCount:F3}",
                            $"{row.MeanCountVariance:F3}", $"{row.FractionExactlyOne:F3}", $"{row.LogProbabilityOfTruth:F1} ± {row.LogProbabilitySem:F1}",
                            $"{row.MsPerTrace:F1}", Markup.Escape(row.Note));
                    AnsiConsole.Write(table);
                    if (r.GetValue(json) is string path) report.WriteJson(path);
                    return 0;
                }
                case "amortization":
                {
                    var defaults = new AmortizationSuiteOptions();
                    var options = defaults with
                    {
                        Seed = r.GetValue(seed), MaxMinutes = r.GetValue(dsfMinutes), PerCellMinutes = r.GetValue(perCellMinutes),
                        TrainCells = r.GetValue(trainCells) ?? defaults.TrainCells, TestCells = r.GetValue(testCells) ?? defaults.TestCells,
                    };
                    var report = AmortizationSuite.Run(options, log, ProgressDisplay.Train);
                    var table = new Table().AddColumn("models").AddColumn(new TableColumn($"r at {report.BinMs:G3} ms (mean ± SEM)").RightAligned())
                        .AddColumn(new TableColumn("n").RightAligned()).AddColumn(new TableColumn("training").RightAligned())
                        .AddColumn(new TableColumn("inference").RightAligned()).AddColumn("note");
                    foreach (var row in report.Rows)
                        table.AddRow(row.Method, $"{row.MeanCorrelation:F3} ± {row.Sem:F3}", row.N.ToString(), $"{row.TrainingSeconds / 60:F1} min",
                            $"{row.InferenceSeconds:F2} s", Markup.Escape(row.Note));
                    AnsiConsole.Write(table);
                    if (r.GetValue(json) is string path) report.WriteJson(path);
                    return 0;
                }
                default:
                    throw new ArgumentException($"--suite must be scdf-sim or amortization, got '{r.GetValue(suite)}'");
            }
        }));
        return command;
    }
}
