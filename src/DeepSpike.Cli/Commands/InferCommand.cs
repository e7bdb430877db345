using System.CommandLine;
using DeepSpike.Data;
using DeepSpike.Inference;
using DeepSpike.Models;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike infer</c>: spike probabilities from a trained (or the built-in) model.</summary>
internal static class InferCommand
{
    public const string OutputFileName = "probabilities.csv";

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model file (default: the built-in model)" };
        var data = new Option<string>("--data") { Description = "Dataset folder or calcium CSV file (.csv or .csv.gz)", Required = true };
        var output = new Option<string>("--out") { Description = $"Output folder; receives {OutputFileName}", Required = true };
        var frameRate = CommonOptions.FrameRate();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("infer", "Infer per-frame spike probabilities (one forward pass per trace)") { model, data, output, frameRate, seed, threads };
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            var spikeModel = LoadModel(r.GetValue(model));
            string dataPath = r.GetValue(data)!;
            var dataset = Dataset.Load(dataPath, r.GetValue(frameRate), includeSpikes: false);
            InferenceResult result;
            try { result = SpikeInference.Run(spikeModel, dataset.Calcium, r.GetValue(seed)); }
            catch (ArgumentException bad)
            {
                // A trace the network cannot take (e.g. constant): say which input it came from.
                throw new DataFormatException(dataPath, CliRunner.Flatten(bad), bad);
            }
            if (result.Resampled)
                Console.Error.WriteLine($"note: input at {dataset.FrameRateHz:G4} Hz was resampled to the model's {spikeModel.FrameRateHz:G4} Hz; output is expected spikes per input frame");
            string folder = r.GetValue(output)!;
            Directory.CreateDirectory(folder);
            string path = Path.Combine(folder, OutputFileName);
            TraceCsv.Write(path, result.Probabilities);
            Console.WriteLine($"wrote spike probabilities for {result.Probabilities.Count} traces to {path}");
            return 0;
        }));
        return command;
    }

    /// <summary>The model at <paramref name="path"/>, or the built-in one when null or "builtin".</summary>
    /// <exception cref="FileNotFoundException">No path was given and this build has no built-in model.</exception>
    public static SpikeModel LoadModel(string? path)
    {
        if (path is not (null or "builtin")) return SpikeModel.Load(path);
        try { return SpikeModel.Builtin(); }
        catch (InvalidOperationException e)
        {
            throw new FileNotFoundException("no --model given and this build has no built-in model; train one with 'deepspike train' and pass it with --model FILE", e);
        }
    }
}
