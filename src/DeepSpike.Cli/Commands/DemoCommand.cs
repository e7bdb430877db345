using System.CommandLine;
using System.Reflection;
using DeepSpike.Data;
using DeepSpike.Evaluation;
using DeepSpike.Inference;

namespace DeepSpike.Cli.Commands;

/// <summary>
/// <c>deepspike demo</c>: the README's first command. Runs the built-in model on the example dataset
/// bundled inside the tool and prints its accuracy against the example's ground truth.
/// </summary>
internal static class DemoCommand
{
    private const string ExamplePrefix = "DeepSpike.Cli.Examples.";

    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = $"Also write {InferCommand.OutputFileName} into this folder" };
        var threads = CommonOptions.Threads();
        var command = new Command("demo", "Infer spikes on the bundled example with the built-in model and report accuracy") { output, threads };
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            string folder = ExtractExample();
            try
            {
                var dataset = Dataset.Load(folder);
                var model = InferCommand.LoadModel(null);
                Console.WriteLine($"example: {dataset.Calcium.Count} simulated traces at {dataset.FrameRateHz:G4} Hz (see examples/README.md); model: {model.Info.Description}");
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var result = SpikeInference.Run(model, dataset.Calcium);
                Console.WriteLine($"inferred {dataset.Calcium.Count} traces in {watch.Elapsed.TotalMilliseconds:F0} ms");
                double binMs = 1000.0 / dataset.FrameRateHz;
                EvaluateCommand.Print(SpikeMetrics.Evaluate(result.Probabilities, dataset.Spikes!, binMs), binMs);
                if (r.GetValue(output) is string outFolder)
                {
                    Directory.CreateDirectory(outFolder);
                    TraceCsv.Write(Path.Combine(outFolder, InferCommand.OutputFileName), result.Probabilities);
                    Console.WriteLine($"wrote {Path.Combine(outFolder, InferCommand.OutputFileName)}");
                }
                return 0;
            }
            finally { Directory.Delete(folder, recursive: true); }
        }));
        return command;
    }

    /// <summary>Copies the embedded example dataset into a fresh temporary folder.</summary>
    private static string ExtractExample()
    {
        var assembly = Assembly.GetExecutingAssembly();
        string folder = Path.Combine(Path.GetTempPath(), "deepspike-demo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ExamplePrefix, StringComparison.Ordinal)))
        {
            using var source = assembly.GetManifestResourceStream(name)!;
            using var target = File.Create(Path.Combine(folder, name[ExamplePrefix.Length..]));
            source.CopyTo(target);
        }
        return folder;
    }
}
