using System.CommandLine;
using DeepSpike.Baselines;
using DeepSpike.Benchmarks;
using DeepSpike.Inference;
using Spectre.Console;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike bench accuracy</c>: DeepSpike and every baseline on the same traces, simulated or real.</summary>
internal static class BenchAccuracyCommand
{
    private const string DefaultDataRoot = "../shared/data";

    public static Command Create()
    {
        var suite = new Option<string>("--suite")
        {
            Description = "scf-sim: the paper's simulated SCF protocol (50 train, 50 validation, 100 test cells × 3 rates, 10^4 frames at 60 Hz); " +
                          "genie: GENIE GCaMP6s/f recordings with ground truth, 4-fold CV over cells; spikefinder: Spikefinder training sets 5 and 4, likewise",
            DefaultValueFactory = _ => "scf-sim",
        };
        var maxMinutes = new Option<double?>("--max-minutes") { Description = "Training budget of each DS-F model (default: 20 for scf-sim, 5 per fold for real data)" };
        var dsnfMinutes = new Option<double?>("--dsnf-minutes") { Description = "Training budget of DS-NF, warm-started from the unsupervised DS-F; 0 leaves it out (default: 10 for scf-sim, 3 per fold)" };
        var noSupervised = new Option<bool>("--no-supervised-reference") { Description = "scf-sim: skip the supervised DS-F reference" };
        var supervisedReference = new Option<bool>("--supervised-reference") { Description = "Real data: also train a DS-F on the training cells' spikes alone, as a reference" };
        var methods = new Option<string?>("--baselines") { Description = "Comma-separated baseline methods to run side by side (default: oasis-ar1,oasis-ar2,mcmc for scf-sim; oasis-ar1,mlspike for real data)" };
        var json = new Option<string?>("--json") { Description = "Also write the table as JSON to this file" };
        var testCells = new Option<int>("--test-cells") { Description = "scf-sim: test cells (3 traces each)", DefaultValueFactory = _ => 100 };
        var dataRoot = new Option<string?>("--data-root") { Description = $"Real data: folder holding the dataset folders (default: {DefaultDataRoot} when it exists)" };
        var generative = new Option<string>("--generative") { Description = "Real data: generative model to train with (scf-ar2 captures the indicator's rise)", DefaultValueFactory = _ => "scf-ar2" };
        var folds = new Option<int>("--folds") { Description = "Real data: cross-validation folds over cells", DefaultValueFactory = _ => 4 };
        var datasetList = new Option<string?>("--datasets") { Description = "Real data: comma-separated dataset folders to run (default: the suite's two)" };
        var semiSupervised = new Option<bool>("--semi-supervised") { Description = "Real data: also train a semi-supervised DS-F per fold, with the ground truth of the other datasets under --data-root (never the tested dataset)" };
        var supervisedWeight = new Option<float>("--supervised-weight") { Description = "Real data: weight of the semi-supervised cross-entropy term", DefaultValueFactory = _ => 1f };
        var labelTrainingCells = new Option<bool>("--label-training-cells") { Description = "Real data, with --semi-supervised: the term also uses the ground truth of each fold's training cells (never the tested cells)" };
        var weightAveraging = new Option<double>("--weight-averaging") { Description = "Real data: DS-F networks are validated and kept as a running average of their weights with this decay per step (e.g. 0.995); 0 is off" };
        var channels = new Option<int>("--channels") { Description = "Real data: filters per hidden layer of the DS-F networks", DefaultValueFactory = _ => 20 };
        var boundStopping = new Option<bool>("--bound-early-stopping") { Description = "Real data: early-stop by the bound instead of by r on the validation cells' ground truth (the paper's protocol)" };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("accuracy", "Train DeepSpike and run every baseline on the same test traces; print correlation and time per trace")
            { suite, maxMinutes, dsnfMinutes, noSupervised, methods, json, testCells, dataRoot, generative, folds, datasetList, semiSupervised, supervisedWeight, labelTrainingCells, supervisedReference, weightAveraging, channels, boundStopping, seed, threads };
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            string name = r.GetValue(suite)!;
            Action<string> log = message => Console.Error.WriteLine(message);
            if (name == "scf-sim")
            {
                var options = new ScfSimSuiteOptions(Seed: r.GetValue(seed), MaxMinutes: r.GetValue(maxMinutes) ?? 20, TestCells: r.GetValue(testCells),
                    SupervisedReference: !r.GetValue(noSupervised), DsNfMinutes: r.GetValue(dsnfMinutes) ?? 10);
                var report = ScfSimSuite.Run(options, Baselines(r.GetValue(methods) ?? "oasis-ar1,oasis-ar2,mcmc"), log, ProgressDisplay.Train);
                var table = new Table().AddColumn("method").AddColumn(new TableColumn($"r at {report.BinMs:G3} ms (mean ± SEM)").RightAligned())
                    .AddColumn(new TableColumn("n").RightAligned()).AddColumn(new TableColumn($"ms per {report.FramesPerTrace}-frame trace (1 thread)").RightAligned()).AddColumn("note");
                foreach (var row in report.Rows)
                    table.AddRow(Markup.Escape(row.Method), $"{row.MeanCorrelation:F3} ± {row.Sem:F3}", row.N.ToString(), $"{row.MsPerTrace:F2}", Markup.Escape(row.Note));
                AnsiConsole.Write(table);
                if (r.GetValue(json) is string path) report.WriteJson(path);
                return 0;
            }
            var datasets = r.GetValue(datasetList) is string chosen ? chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : name switch
            {
                "genie" => RealDataSuiteOptions.Genie,
                "spikefinder" => RealDataSuiteOptions.Spikefinder,
                _ => throw new ArgumentException($"--suite must be scf-sim, genie or spikefinder, got '{name}'"),
            };
            string root = r.GetValue(dataRoot) ?? (Directory.Exists(DefaultDataRoot) ? DefaultDataRoot
                : throw new ArgumentException($"--suite {name} needs the recordings: pass --data-root DIR (a folder holding {string.Join(", ", datasets)})"));
            var realOptions = new RealDataSuiteOptions(root, datasets, r.GetValue(seed), r.GetValue(folds), r.GetValue(maxMinutes) ?? 5, r.GetValue(dsnfMinutes) ?? 3,
                r.GetValue(generative)!, CorrelationEarlyStopping: !r.GetValue(boundStopping), SemiSupervised: r.GetValue(semiSupervised), SupervisedWeight: r.GetValue(supervisedWeight),
                LabelTrainingCells: r.GetValue(labelTrainingCells), SupervisedReference: r.GetValue(supervisedReference), WeightAveraging: r.GetValue(weightAveraging), Channels: r.GetValue(channels));
            var realReport = RealDataSuite.Run(name, realOptions, Baselines(r.GetValue(methods) ?? string.Join(',', BaselineMethods.RealDataDefaults)), log, ProgressDisplay.Train);
            var realTable = new Table().AddColumn("dataset").AddColumn("method").AddColumn(new TableColumn($"r at {realReport.BinMs:G3} ms, lag 0 (mean ± SEM)").RightAligned())
                .AddColumn(new TableColumn("n").RightAligned()).AddColumn(new TableColumn("best lag (frames)").RightAligned()).AddColumn(new TableColumn("r at best lag").RightAligned())
                .AddColumn(new TableColumn("r per neuron (n)").RightAligned())
                .AddColumn(new TableColumn("ms per recording (1 thread)").RightAligned()).AddColumn("note");
            foreach (var row in realReport.Rows)
                realTable.AddRow(row.Dataset, Markup.Escape(row.Method), $"{row.MeanCorrelation:F3} ± {row.Sem:F3}", row.N.ToString(), row.BestLagFrames.ToString(),
                    $"{row.CorrelationAtBestLag:F3}", $"{row.CellCorrelation:F3} ± {row.CellSem:F3} ({row.Cells})", $"{row.MsPerTrace:F2}", Markup.Escape(row.Note));
            AnsiConsole.Write(realTable);
            if (r.GetValue(json) is string realPath) realReport.WriteJson(realPath);
            return 0;
        }));
        return command;
    }

    private static List<ISpikeInferenceMethod> Baselines(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(BaselineMethods.Create).ToList();
}
