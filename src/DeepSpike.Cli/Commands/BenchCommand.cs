using System.CommandLine;
using System.Diagnostics;
using DeepSpike.Baselines;
using DeepSpike.Benchmarks;
using DeepSpike.Data;
using DeepSpike.Engine;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Simulation;
using DeepSpike.Training;
using Spectre.Console;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike bench</c>: speed and accuracy studies whose tables go into issue notes.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Speed and accuracy studies");
        bench.Add(CreateSpeed());
        bench.Add(CreateAccuracy());
        bench.Add(CreatePosterior());
        return bench;
    }

    private static Command CreateSpeed()
    {
        var traces = new Option<int>("--traces") { Description = "Traces in the all-threads run", DefaultValueFactory = _ => 500 };
        var frames = new Option<int>("--frames") { Description = "Frames per trace", DefaultValueFactory = _ => 10_000 };
        var trainSeconds = new Option<double>("--train-seconds") { Description = "How long to measure training throughput", DefaultValueFactory = _ => 15 };
        var model = new Option<string?>("--model") { Description = "Model file (default: the built-in model)" };
        var threads = CommonOptions.Threads();
        var command = new Command("speed", "Inference time per trace (DS-F: 1 thread and all threads; DS-NF with 30 samples) and DS-F and DS-NF training iterations/s") { traces, frames, trainSeconds, model, threads };
        command.SetAction(r => CliRunner.Run(null, () =>
        {
            int all = r.GetValue(threads) ?? Environment.ProcessorCount;
            int n = r.GetValue(traces), t = r.GetValue(frames);
            var spikeModel = InferCommand.LoadModel(r.GetValue(model));
            var data = ScfSimulationProtocol.Paper.Simulate(Math.Max(1, n / 3 + 1), [0.6, 0.9, 1.1], t, spikeModel.FrameRateHz, seed: 1);
            var set = new TraceSet(data.Calcium.Names.Take(n).ToList(), data.Calcium.Traces.Take(n).ToList(), data.Calcium.FrameRateHz);

            Parallelism.MaxThreads = 1;
            var single = new TraceSet(set.Names.Take(50).ToList(), set.Traces.Take(50).ToList(), set.FrameRateHz);
            // Warm-up: tiered compilation promotes a method after ~30 calls; time steady state, as a long run sees it.
            for (int i = 0; i < 3; i++) SpikeInference.Run(spikeModel, single);
            var sw = Stopwatch.StartNew();
            SpikeInference.Run(spikeModel, single);
            double msPerTrace1 = sw.Elapsed.TotalMilliseconds / single.Count;

            Parallelism.MaxThreads = all;
            sw.Restart();
            SpikeInference.Run(spikeModel, set);
            double allSeconds = sw.Elapsed.TotalSeconds;

            double rate = spikeModel.FrameRateHz, seconds = r.GetValue(trainSeconds);
            double dsfItPerSec = MeasureTraining(() => new DsF(new DsFOptions(FrameRateHz: rate), new Random(0)), rate, seconds);
            // DS-NF as users run it: a trace's 30 posterior samples advance together, one trace after another on all threads.
            var dsnf = new DsNf(new DsNfOptions(new DsFOptions(FrameRateHz: rate)), new Random(0));
            var nfModel = new SpikeModel(dsnf, "scf", rate, new ModelInfo("speed bench", "", "", 0, double.NaN));
            var nfTraces = new TraceSet(set.Names.Take(6).ToList(), set.Traces.Take(6).ToList(), set.FrameRateHz);
            SpikeInference.Run(nfModel, new TraceSet(nfTraces.Names.Take(1).ToList(), nfTraces.Traces.Take(1).ToList(), set.FrameRateHz));
            double nfSecondsPerTrace = 0;
            foreach (var (name, trace) in nfTraces.Names.Zip(nfTraces.Traces))
            {
                sw.Restart();
                SpikeInference.Run(nfModel, new TraceSet([name], [trace], set.FrameRateHz));
                nfSecondsPerTrace += sw.Elapsed.TotalSeconds / nfTraces.Count;
            }
            double dsnfItPerSec = MeasureTraining(() => new DsNf(new DsNfOptions(new DsFOptions(FrameRateHz: rate)), new Random(0)), rate, seconds);

            var table = new Table().AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
            string network = spikeModel.Recognition.Name == "dsf" ? "DS-F" : spikeModel.Recognition.Name;
            table.AddRow($"{network} inference, 1 thread, per {t}-frame trace", $"{msPerTrace1:F2} ms");
            table.AddRow($"{network} inference, {all} threads, {set.Count} traces × {t} frames", $"{allSeconds:F2} s ({allSeconds * 1000 / set.Count:F2} ms/trace)");
            table.AddRow($"DS-NF inference, {dsnf.Options.MarginalSamples} samples, {all} threads, per {t}-frame trace (mean of {nfTraces.Count})", $"{nfSecondsPerTrace:F3} s");
            var defaults = new TrainingOptions();
            string batch = $"K={defaults.Samples}, {defaults.ChunksPerBatch} chunks × {defaults.ChunkFrames} frames, {all} threads";
            table.AddRow($"DS-F training ({batch})", $"{dsfItPerSec:F1} it/s");
            table.AddRow($"DS-NF training ({batch})", $"{dsnfItPerSec:F2} it/s");
            AnsiConsole.Write(table);
            Console.WriteLine($"network: {spikeModel.Recognition.Name}, {spikeModel.Recognition.Network.ParameterCount} parameters; {Environment.ProcessorCount} cores; Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
            return 0;
        }));
        return command;
    }

    private static Command CreateAccuracy()
    {
        var suite = new Option<string>("--suite") { Description = "scf-sim: the paper's simulated SCF protocol (50 train, 50 validation, 100 test cells × 3 rates, 10^4 frames at 60 Hz)", DefaultValueFactory = _ => "scf-sim" };
        var maxMinutes = new Option<double>("--max-minutes") { Description = "Training budget of each DS-F model", DefaultValueFactory = _ => 20 };
        var dsnfMinutes = new Option<double>("--dsnf-minutes") { Description = "Training budget of DS-NF (warm-started from the unsupervised DS-F); 0 leaves it out", DefaultValueFactory = _ => 10 };
        var noSupervised = new Option<bool>("--no-supervised-reference") { Description = "Skip the supervised DS-F reference" };
        var methods = new Option<string>("--baselines") { Description = "Comma-separated baseline methods to run side by side", DefaultValueFactory = _ => "oasis-ar1,oasis-ar2,mcmc" };
        var json = new Option<string?>("--json") { Description = "Also write the table as JSON to this file" };
        var testCells = new Option<int>("--test-cells") { Description = "Test cells (3 traces each)", DefaultValueFactory = _ => 100 };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("accuracy", "Train DS-F and run every baseline on the same simulated test cells; print correlation and time per trace")
            { suite, maxMinutes, dsnfMinutes, noSupervised, methods, json, testCells, seed, threads };
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            if (r.GetValue(suite) != "scf-sim") throw new ArgumentException($"--suite must be scf-sim, got '{r.GetValue(suite)}'");
            var baselines = r.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(BaselineMethods.Create).ToList();
            var options = new ScfSimSuiteOptions(Seed: r.GetValue(seed), MaxMinutes: r.GetValue(maxMinutes), TestCells: r.GetValue(testCells),
                SupervisedReference: !r.GetValue(noSupervised), DsNfMinutes: r.GetValue(dsnfMinutes));
            var report = ScfSimSuite.Run(options, baselines, message => Console.Error.WriteLine(message), TrainWithProgress);
            var table = new Table().AddColumn("method").AddColumn(new TableColumn($"r at {report.BinMs:G3} ms (mean ± SEM)").RightAligned())
                .AddColumn(new TableColumn("n").RightAligned()).AddColumn(new TableColumn($"ms per {report.FramesPerTrace}-frame trace (1 thread)").RightAligned()).AddColumn("note");
            foreach (var row in report.Rows)
                table.AddRow(Markup.Escape(row.Method), $"{row.MeanCorrelation:F3} ± {row.Sem:F3}", row.N.ToString(), $"{row.MsPerTrace:F2}", Markup.Escape(row.Note));
            AnsiConsole.Write(table);
            if (r.GetValue(json) is string path) report.WriteJson(path);
            return 0;
        }));
        return command;
    }

    private static Command CreatePosterior()
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
                    var report = PosteriorSuite.Run(options, log, TrainWithProgress);
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
                    var report = AmortizationSuite.Run(options, log, TrainWithProgress);
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

    private static TrainingResult TrainWithProgress(string title, Func<IProgress<TrainingProgress>?, TrainingResult> work) =>
        ProgressDisplay.Run(title, p => work(p));

    /// <summary>Unsupervised SCF training iterations per second of a fresh network, after a short warm-up run.</summary>
    private static double MeasureTraining(Func<IRecognitionModel> network, double frameRateHz, double seconds)
    {
        var data = ScfSimulationProtocol.Paper.Simulate(5, [0.6, 0.9, 1.1], 4000, frameRateHz, seed: 2);
        var options = new TrainingOptions(MaxMinutes: seconds / 60);
        new Trainer(ModelRegistry.CreateGenerative("scf"), network(), options with { MaxIterations = 5 }).Train(new TrainingData(data.Calcium));
        var result = new Trainer(ModelRegistry.CreateGenerative("scf"), network(), options).Train(new TrainingData(data.Calcium));
        return result.Iterations / result.Elapsed.TotalSeconds;
    }
}
