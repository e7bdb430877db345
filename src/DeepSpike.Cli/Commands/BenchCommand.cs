using System.CommandLine;
using System.Diagnostics;
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
        return bench;
    }

    private static Command CreateSpeed()
    {
        var traces = new Option<int>("--traces") { Description = "Traces in the all-threads run", DefaultValueFactory = _ => 500 };
        var frames = new Option<int>("--frames") { Description = "Frames per trace", DefaultValueFactory = _ => 10_000 };
        var trainSeconds = new Option<double>("--train-seconds") { Description = "How long to measure training throughput", DefaultValueFactory = _ => 15 };
        var model = new Option<string?>("--model") { Description = "Model file (default: the built-in model)" };
        var threads = CommonOptions.Threads();
        var command = new Command("speed", "DS-F inference time per trace (1 thread and all threads) and training iterations/s") { traces, frames, trainSeconds, model, threads };
        command.SetAction(r => CliRunner.Run(null, () =>
        {
            int all = r.GetValue(threads) ?? Environment.ProcessorCount;
            int n = r.GetValue(traces), t = r.GetValue(frames);
            var spikeModel = InferCommand.LoadModel(r.GetValue(model));
            var data = ScfSimulationProtocol.Paper.Simulate(Math.Max(1, n / 3 + 1), [0.6, 0.9, 1.1], t, spikeModel.FrameRateHz, seed: 1);
            var set = new TraceSet(data.Calcium.Names.Take(n).ToList(), data.Calcium.Traces.Take(n).ToList(), data.Calcium.FrameRateHz);

            Parallelism.MaxThreads = 1;
            var single = new TraceSet(set.Names.Take(20).ToList(), set.Traces.Take(20).ToList(), set.FrameRateHz);
            SpikeInference.Run(spikeModel, single); // warm-up: JIT and tiered compilation
            var sw = Stopwatch.StartNew();
            SpikeInference.Run(spikeModel, single);
            double msPerTrace1 = sw.Elapsed.TotalMilliseconds / single.Count;

            Parallelism.MaxThreads = all;
            sw.Restart();
            SpikeInference.Run(spikeModel, set);
            double allSeconds = sw.Elapsed.TotalSeconds;

            double itPerSec = MeasureTraining(spikeModel.FrameRateHz, r.GetValue(trainSeconds));

            var table = new Table().AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
            table.AddRow($"DS-F inference, 1 thread, per {t}-frame trace", $"{msPerTrace1:F2} ms");
            table.AddRow($"DS-F inference, {all} threads, {set.Count} traces × {t} frames", $"{allSeconds:F2} s ({allSeconds * 1000 / set.Count:F2} ms/trace)");
            table.AddRow($"training (K=64, 8 chunks × 400 frames), {all} threads", $"{itPerSec:F1} it/s");
            AnsiConsole.Write(table);
            Console.WriteLine($"network: {spikeModel.Recognition.Name}, {spikeModel.Recognition.Network.ParameterCount} parameters; {Environment.ProcessorCount} cores; Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
            return 0;
        }));
        return command;
    }

    private static double MeasureTraining(double frameRateHz, double seconds)
    {
        var data = ScfSimulationProtocol.Paper.Simulate(5, [0.6, 0.9, 1.1], 4000, frameRateHz, seed: 2);
        var options = new TrainingOptions(MaxMinutes: seconds / 60);
        var warm = new Trainer(ModelRegistry.CreateGenerative("scf"), new DsF(new DsFOptions(FrameRateHz: frameRateHz), new Random(0)), options with { MaxIterations = 20 });
        warm.Train(new TrainingData(data.Calcium));
        var trainer = new Trainer(ModelRegistry.CreateGenerative("scf"), new DsF(new DsFOptions(FrameRateHz: frameRateHz), new Random(0)), options);
        var result = trainer.Train(new TrainingData(data.Calcium));
        return result.Iterations / result.Elapsed.TotalSeconds;
    }
}
