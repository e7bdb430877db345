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
        bench.Add(BenchAccuracyCommand.Create());
        bench.Add(BenchPosteriorCommand.Create());
        bench.Add(BenchSoakCommand.Create());
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
            var single = set.Subset(Enumerable.Range(0, Math.Min(50, set.Count)));
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
            var nfTraces = set.Subset(Enumerable.Range(0, Math.Min(6, set.Count)));
            SpikeInference.Run(nfModel, nfTraces.Subset([0]));
            double nfSecondsPerTrace = 0;
            for (int i = 0; i < nfTraces.Count; i++)
            {
                sw.Restart();
                SpikeInference.Run(nfModel, nfTraces.Subset([i]));
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
