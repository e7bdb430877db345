using System.CommandLine;
using System.Globalization;
using System.Text;
using DeepSpike.Data;
using DeepSpike.Dynamics;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike dynamics train|infer</c>: latent population dynamics over repeated trials.</summary>
internal static class DynamicsCommand
{
    /// <summary>The models <c>dynamics train --model</c> builds today.</summary>
    private static readonly string[] Models = ["lfads", "ladder-lfads", "oasis-lfads", "gaussian-lfads"];

    public static Command Create()
    {
        var command = new Command("dynamics", "Latent population dynamics over repeated trials (LFADS; trial datasets: fluorescence.npy or spikes.npy, trials × bins × cells, and meta.json with bin_s)");
        command.Add(CreateTrain());
        command.Add(CreateInfer());
        return command;
    }

    private static Command CreateTrain()
    {
        var model = new Option<string>("--model") { Description = "lfads: LFADS on spike counts (reads spikes.npy); oasis-lfads: OASIS AR(1) counts from fluorescence.npy, then LFADS; " +
                          "gaussian-lfads: LFADS whose rates explain fluorescence.npy through a causal convolution; " +
                          "ladder-lfads: spikes, calcium and LFADS dynamics fitted jointly to fluorescence.npy", DefaultValueFactory = _ => "lfads" };
        var data = new Option<string>("--data") { Description = "Training trial dataset folder", Required = true };
        var validation = new Option<string?>("--validation") { Description = "Validation trial dataset folder: early stopping and learning-rate decay on its bound" };
        var output = new Option<string>("--out") { Description = "Model file to write", Required = true };
        var maxMinutes = new Option<double>("--max-minutes") { Description = "Stop training after this many minutes", DefaultValueFactory = _ => 30 };
        var maxSteps = new Option<int>("--max-steps") { Description = "Stop training after this many steps", DefaultValueFactory = _ => new DynamicsTrainingOptions().MaxSteps };
        var batch = new Option<int>("--batch-size") { Description = "Trials per step", DefaultValueFactory = _ => new DynamicsTrainingOptions().BatchSize };
        var warmup = new Option<int>("--warmup-steps") { Description = "Steps over which the KL and L2 weights rise to 1", DefaultValueFactory = _ => new DynamicsTrainingOptions().WarmupSteps };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file, written at every validation and at the end (default: <out>.ckpt)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint if it exists: the result equals an uninterrupted run's" };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var source = new DynamicsInput();
        var command = new Command("train", "Fit a dynamics model to a trial dataset (or a continuous recording with --chop-bins); reads only the model's input, never the ground truth")
            { model, data, validation, output, maxMinutes, maxSteps, batch, warmup, checkpoint, resume, seed, threads };
        foreach (var option in source.Options) command.Add(option);
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            string kind = r.GetValue(model)!;
            if (!Models.Contains(kind)) throw new ArgumentException($"--model must be one of {string.Join(", ", Models)}, got '{kind}'");
            string input = kind == "lfads" ? TrialDataset.SpikesFileName : TrialDataset.FluorescenceFileName;
            var training = source.Load(r, r.GetValue(data)!, input).Trials;
            TrialDataset? held = r.GetValue(validation) is string v ? source.Load(r, v, input).Trials : null;
            if (held is not null && (held.Bins != training.Bins || held.Cells != training.Cells))
                throw new DataFormatException(r.GetValue(validation)!, $"has {held.Bins} bins × {held.Cells} cells per trial but the training trials have {training.Bins} × {training.Cells}");
            if (training.Trials < r.GetValue(batch))
                throw new DataFormatException(r.GetValue(data)!, $"has {training.Trials} trials, fewer than one batch of {r.GetValue(batch)}; lower --batch-size or add trials");
            string outPath = r.GetValue(output)!;
            if (Path.GetDirectoryName(Path.GetFullPath(outPath)) is string folder) Directory.CreateDirectory(folder);
            var options = new DynamicsTrainingOptions
            {
                MaxMinutes = r.GetValue(maxMinutes), MaxSteps = r.GetValue(maxSteps), BatchSize = r.GetValue(batch), WarmupSteps = r.GetValue(warmup), Seed = r.GetValue(seed),
            };
            ValidateNamingFlags(options);
            Console.WriteLine($"training {kind} on {training.Trials} trials × {training.Bins} bins × {training.Cells} cells ({input})" +
                              (held is null ? "" : $", validating on {held.Trials} trials"));
            var trainer = new LfadsTrainer(Counts(kind, training), held is null ? null : Counts(kind, held), Network(kind, training.Cells, options.Seed), options);
            var checkpointFile = new DynamicsCheckpoint(r.GetValue(checkpoint) ?? outPath + ".ckpt");
            if (r.GetValue(resume) && File.Exists(checkpointFile.Path))
            {
                checkpointFile.Restore(trainer);
                Console.WriteLine($"resuming from {checkpointFile.Path} at step {trainer.Step}");
            }
            // Ctrl+C stops at the next step: the checkpoint and the best weights so far are written.
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler stop = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += stop;
            DynamicsTrainingResult result;
            try
            {
                result = trainer.Run(p => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {p.Step} ({p.Seconds:F0} s): loss {p.Loss:F1} nats/trial (reconstruction {p.Reconstruction:F1}, KL {p.Kl:F2}); validation {p.Validation:F1}, best {p.Best:F1}; lr {p.LearningRate:G3}")),
                    checkpointFile, cancel.Token);
            }
            finally { Console.CancelKeyPress -= stop; }
            string description = string.Create(CultureInfo.InvariantCulture,
                $"{kind} on {Path.GetFullPath(r.GetValue(data)!)}: {result.Steps} steps, kept step {result.BestStep}, validation bound {result.BestValidation:F2} nats/trial, seed {options.Seed}");
            new DynamicsModel(result.Model, kind, input, training.Meta.BinSeconds, description).Save(outPath);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.StopReason} after {result.Steps} steps in {result.Seconds:F0} s ({result.StepsPerSecond:F1} steps/s); kept step {result.BestStep}"));
            Console.WriteLine($"wrote {outPath}");
            return 0;
        }));
        return command;
    }

    private static Command CreateInfer()
    {
        var model = new Option<string>("--model") { Description = "Model file written by dynamics train", Required = true };
        var data = new Option<string>("--data") { Description = "Trial dataset folder with the model's input file", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder: factors.npy, rates.npy (Hz), factors.csv, and per model spikes.npy (counts per bin), calcium.npy, fluorescence.npy (reconstruction)", Required = true };
        var samples = new Option<int>("--samples") { Description = "Posterior passes averaged (0: the posterior mean alone)", DefaultValueFactory = _ => 100 };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var source = new DynamicsInput();
        var command = new Command("infer", "Apply a dynamics model: factors and firing rates per trial, averaged over posterior passes") { model, data, output, samples, seed, threads };
        foreach (var option in source.Options) command.Add(option);
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            if (r.GetValue(samples) < 0) throw new ArgumentException($"--samples must be ≥ 0, got {r.GetValue(samples)}");
            var loaded = DynamicsModel.Load(r.GetValue(model)!);
            string dataPath = r.GetValue(data)!;
            var (trials, continuous) = source.Load(r, dataPath, loaded.Input);
            if (trials.Cells != loaded.Network.Channels)
                throw new DataFormatException(dataPath, $"has {trials.Cells} cells but the model was trained on {loaded.Network.Channels}");
            if (Math.Abs(trials.Meta.BinSeconds / loaded.BinSeconds - 1) > 1e-6)
                Console.Error.WriteLine($"warning: the trials' bins are {trials.Meta.BinSeconds:G4} s but the model was trained on {loaded.BinSeconds:G4} s bins");
            Console.WriteLine($"model: {loaded.Description}");
            var counts = Counts(loaded.Kind, trials);
            var estimate = DynamicsInference.Run(loaded.Network, counts, trials.Meta.BinSeconds, r.GetValue(samples), r.GetValue(seed));

            string folder = r.GetValue(output)!;
            Directory.CreateDirectory(folder);
            if (continuous is not null)
            {
                WriteStitched(folder, source.Chopper(r)!, continuous, estimate, loaded.Kind == "oasis-lfads" ? counts : null);
                return 0;
            }
            estimate.Factors.Write(Path.Combine(folder, "factors.npy"));
            estimate.Rates.Write(Path.Combine(folder, "rates.npy"));
            AtomicFile.WriteAllText(Path.Combine(folder, "factors.csv"), FactorsCsv(estimate.Factors, trials.Meta));
            var written = new List<string> { $"factors.npy ({estimate.Factors.ShapeText})", $"rates.npy ({estimate.Rates.ShapeText}, Hz)", "factors.csv" };
            void Write(TrialArray? values, string file, string meaning)
            {
                if (values is null) return;
                values.Write(Path.Combine(folder, file));
                written.Add($"{file} ({meaning})");
            }
            Write(loaded.Kind == "oasis-lfads" ? counts : estimate.Spikes, TrialDataset.SpikesFileName, loaded.Kind == "oasis-lfads" ? "OASIS counts" : "posterior mean counts per bin");
            Write(estimate.Calcium, TrialDataset.CalciumFileName, "posterior mean calcium, spike units");
            Write(estimate.Fluorescence, TrialDataset.FluorescenceFileName, "reconstruction");
            Console.WriteLine($"wrote {string.Join(", ", written)} to {folder}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The outputs of a continuous recording, stitched back from its segments: <c>rates.csv</c> (Hz) and, for the models that
    /// make them, <c>spikes.csv</c> (OASIS or posterior mean counts), <c>calcium.csv</c> and <c>fluorescence.csv</c>
    /// (reconstruction), in the Spikefinder layout, and <c>factors.csv</c> (time_s, factor1, …).
    /// </summary>
    private static void WriteStitched(string folder, TrialChopper chopper, TraceSet continuous, DynamicsEstimate estimate, TrialArray? counts)
    {
        int frames = continuous.MaxLength;
        var written = new List<string> { "factors.csv" };
        void Write(TrialArray? values, string file)
        {
            if (values is null) return;
            TraceCsv.Write(Path.Combine(folder, file), continuous.Names, chopper.Stitch(values, frames));
            written.Add(file);
        }
        Write(estimate.Rates, "rates.csv");
        Write(counts ?? estimate.Spikes, "spikes.csv");
        Write(estimate.Calcium, "calcium.csv");
        Write(estimate.Fluorescence, "fluorescence.csv");
        float[][] factors = chopper.Stitch(estimate.Factors, frames);
        var text = new StringBuilder("time_s," + string.Join(',', Enumerable.Range(1, factors.Length).Select(k => $"factor{k}")) + "\n");
        for (int t = 0; t < frames; t++)
        {
            text.Append((t / continuous.FrameRateHz).ToString("R", CultureInfo.InvariantCulture));
            foreach (float[] factor in factors) text.Append(',').Append(factor[t].ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(folder, "factors.csv"), text.ToString());
        Console.WriteLine($"wrote {string.Join(", ", written)} ({frames} frames, stitched from {estimate.Rates.Trials} segments) to {folder}");
    }

    /// <summary>What a model of <paramref name="kind"/> fits: the trials' spikes, OASIS counts from their fluorescence, or the fluorescence.</summary>
    private static TrialArray Counts(string kind, TrialDataset trials) => kind switch
    {
        "oasis-lfads" => OasisCounts.FromFluorescence(trials.Fluorescence),
        "gaussian-lfads" or "ladder-lfads" => trials.Fluorescence,
        _ => trials.Spikes!,
    };

    /// <summary>A fresh network of <paramref name="kind"/> for <paramref name="cells"/> cells, its weights seeded by <paramref name="seed"/>.</summary>
    private static DynamicsNetwork Network(string kind, int cells, int seed) => kind switch
    {
        DynamicsModel.LadderKind => new LadderLfads(cells, new LadderLfadsOptions(), new Random(seed)),
        "gaussian-lfads" => new Lfads(cells, new LfadsOptions { Observation = LfadsOptions.GaussianObservationName }, new Random(seed)),
        _ => new Lfads(cells, new LfadsOptions(), new Random(seed)),
    };

    /// <summary>One row per trial and bin: trial name, bin, time in seconds from the trial's start, then the factors.</summary>
    private static string FactorsCsv(TrialArray factors, TrialMeta meta)
    {
        var text = new StringBuilder("trial,bin,time_s," + string.Join(',', Enumerable.Range(1, factors.Channels).Select(k => $"factor{k}")) + "\n");
        for (int trial = 0; trial < factors.Trials; trial++)
            for (int bin = 0; bin < factors.Bins; bin++)
            {
                text.Append(CsvName(meta.TrialName(trial))).Append(',').Append(bin).Append(',')
                    .Append((bin * meta.BinSeconds).ToString("R", CultureInfo.InvariantCulture));
                for (int k = 0; k < factors.Channels; k++) text.Append(',').Append(factors[trial, bin, k].ToString("R", CultureInfo.InvariantCulture));
                text.Append('\n');
            }
        return text.ToString();
    }

    private static string CsvName(string name) => name.IndexOfAny([',', '"', '\n']) < 0 ? name : $"\"{name.Replace("\"", "\"\"")}\"";

    private static void ValidateNamingFlags(DynamicsTrainingOptions options)
    {
        try { options.Validate(); }
        catch (ArgumentOutOfRangeException bad)
        {
            string flag = bad.ParamName switch
            {
                nameof(DynamicsTrainingOptions.MaxMinutes) => "--max-minutes",
                nameof(DynamicsTrainingOptions.MaxSteps) => "--max-steps",
                nameof(DynamicsTrainingOptions.BatchSize) => "--batch-size",
                nameof(DynamicsTrainingOptions.WarmupSteps) => "--warmup-steps",
                _ => bad.ParamName ?? "option",
            };
            throw new ArgumentException($"{flag}: {CliRunner.Flatten(bad)}", bad);
        }
    }
}
