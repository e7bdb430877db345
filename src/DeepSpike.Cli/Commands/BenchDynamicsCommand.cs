using System.CommandLine;
using System.Globalization;
using DeepSpike.Dynamics;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike bench dynamics --suite lorenz</c>: the Ladder LFADS paper's Table 1 on the Lorenz benchmark.</summary>
internal static class BenchDynamicsCommand
{
    private static readonly string[] KnownModels = ["lfads", "oasis-lfads", "gaussian-lfads", "ladder-lfads"];

    public static Command Create()
    {
        var suite = new Option<string>("--suite") { Description = "Benchmark: lorenz (the SPEC's Lorenz protocol, simulated with --seed)", DefaultValueFactory = _ => "lorenz" };
        var models = new Option<string>("--models") { Description = $"Comma-separated models to train and score: {string.Join(", ", KnownModels)}", DefaultValueFactory = _ => string.Join(',', KnownModels) };
        var maxMinutes = new Option<double>("--max-minutes") { Description = "Training time per model", DefaultValueFactory = _ => 10 };
        var maxSteps = new Option<int>("--max-steps") { Description = "Training steps per model", DefaultValueFactory = _ => new DynamicsTrainingOptions().MaxSteps };
        var samples = new Option<int>("--samples") { Description = "Posterior passes averaged per prediction (0: the posterior mean)", DefaultValueFactory = _ => 100 };
        var json = new Option<string?>("--json") { Description = "Also write the table as JSON to this file" };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("dynamics", "Latent dynamics models on the Lorenz benchmark: R² of latents, rates, spikes and fluorescence (Prince & Richards 2019, Table 1)")
            { suite, models, maxMinutes, maxSteps, samples, json, seed, threads };
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            if (r.GetValue(suite) != "lorenz") throw new ArgumentException($"--suite must be lorenz, got '{r.GetValue(suite)}'");
            var chosen = r.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (string m in chosen)
                if (!KnownModels.Contains(m)) throw new ArgumentException($"--models: unknown model '{m}'; known: {string.Join(", ", KnownModels)}");
            int seedValue = r.GetValue(seed);
            var data = LorenzProtocol.Paper.Simulate(seedValue);
            var options = new DynamicsTrainingOptions { MaxMinutes = r.GetValue(maxMinutes), MaxSteps = r.GetValue(maxSteps), Seed = seedValue };
            Console.WriteLine($"Lorenz benchmark, seed {seedValue}: {data.Training.Trials} training and {data.Validation.Trials} validation trials × {data.Training.Bins} bins × {data.Training.Cells} cells");
            var rows = new List<LorenzBenchRow>();
            const string Header = "| data | model | latents R² (paper) | rates R² (paper) | spikes R² (paper) | fluorescence R² (paper) | training | steps/s | stop |";
            foreach (string m in chosen)
            {
                void Report(DynamicsProgress p) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{m}: step {p.Step} ({p.Seconds:F0} s) loss {p.Loss:F1} (recon {p.Reconstruction:F1}, KL {p.Kl:F1}) validation {p.Validation:F1} best {p.Best:F1} lr {p.LearningRate:G3}"));
                var row = m switch
                {
                    "oasis-lfads" => LorenzBench.RunOasisLfads(data, new LfadsOptions(), options, r.GetValue(samples), Report),
                    "gaussian-lfads" => LorenzBench.RunGaussianLfads(data, new LfadsOptions(), options, r.GetValue(samples), Report),
                    "ladder-lfads" => LorenzBench.RunLadderLfads(data, new LadderLfadsOptions(), options, r.GetValue(samples), Report),
                    _ => LorenzBench.RunLfadsOnSpikes(data, new LfadsOptions(), options, r.GetValue(samples), Report),
                };
                rows.Add(row);
                // Each row as soon as it is done, so a long run shows its results before the end.
                Console.Error.WriteLine($"done: {Row(row)}");
            }
            Console.WriteLine();
            Console.WriteLine(Header);
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var row in rows) Console.WriteLine(Row(row));
            if (r.GetValue(json) is string path) LorenzBench.WriteJson(path, seedValue, rows);
            return 0;
        }));
        return command;
    }

    private static string Row(LorenzBenchRow row) => string.Create(CultureInfo.InvariantCulture,
        $"| {row.Input} | {row.Model} | {Cell(row.Latents, row.Paper[0])} | {Cell(row.Rates, row.Paper[1])} | {Cell(row.Spikes, row.Paper[2])} | {Cell(row.Fluorescence, row.Paper[3])} | {row.TrainingSeconds / 60:F1} min, {row.Steps} steps | {row.StepsPerSecond:F1} | {row.StopReason} |");

    private static string Cell(double ours, double paper) => string.Create(CultureInfo.InvariantCulture,
        $"{(double.IsFinite(ours) ? ours.ToString("F3", CultureInfo.InvariantCulture) : "–")} ({(double.IsFinite(paper) ? paper.ToString("F3", CultureInfo.InvariantCulture) : "–")})");
}
