using System.CommandLine;
using DeepSpike.Data;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Training;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike train</c>: fits a recognition network (and per-trace generative parameters) to fluorescence.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Training dataset folder (uses calcium.csv only)", Required = true };
        var validation = new Option<string?>("--validation") { Description = "Validation dataset folder, for early stopping" };
        var generative = new Option<string>("--generative") { Description = $"Generative model: {string.Join(", ", ModelRegistry.GenerativeNames)}", DefaultValueFactory = _ => "scf" };
        var recognition = new Option<string>("--recognition") { Description = $"Recognition model: {string.Join(", ", ModelRegistry.RecognitionNames)}", DefaultValueFactory = _ => "dsf" };
        var output = new Option<string>("--out") { Description = "Model file to write", Required = true };
        var objective = new Option<string>("--objective") { Description = "unsupervised (IWAE+VIMCO, default) or supervised (cross-entropy on spikes.csv: a reference only)", DefaultValueFactory = _ => "unsupervised" };
        var maxMinutes = new Option<double>("--max-minutes") { Description = "Wall-clock limit", DefaultValueFactory = _ => 20 };
        var maxIterations = new Option<int>("--max-iterations") { Description = "Iteration limit", DefaultValueFactory = _ => int.MaxValue };
        var samples = new Option<int>("--samples") { Description = "K, posterior samples per chunk", DefaultValueFactory = _ => 64 };
        var chunk = new Option<int>("--chunk-frames") { Description = "Frames per training chunk", DefaultValueFactory = _ => 400 };
        var batch = new Option<int>("--batch-chunks") { Description = "Chunks per batch (all from one trace)", DefaultValueFactory = _ => 8 };
        var clip = new Option<float>("--clip") { Description = "Gradient-norm clipping threshold for the recognition network", DefaultValueFactory = _ => 0.02f };
        var lr = new Option<float>("--lr") { Description = "Adam learning rate of the recognition network", DefaultValueFactory = _ => 1e-3f };
        var thetaLr = new Option<float>("--theta-lr") { Description = "Adam learning rate of each trace's generative parameters", DefaultValueFactory = _ => 1e-2f };
        var validateEvery = new Option<int>("--validate-every") { Description = "Iterations between validation evaluations", DefaultValueFactory = _ => 200 };
        var patience = new Option<int>("--patience") { Description = "Evaluations without improvement before stopping", DefaultValueFactory = _ => 15 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file (default: <out>.ckpt)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint if it exists" };
        var initFrom = new Option<string?>("--init-from") { Description = "Start from this trained model: the same kind of network (fine-tuning), or a DS-F for --recognition dsnf (trunk and readout copied; the recommended way to train DS-NF)" };
        var thetaWarmup = new Option<int?>("--theta-warmup") { Description = "Steps fitting only each trace's generative parameters before training (default: 300 with --init-from, else 0)" };
        var labeled = new Option<string?>("--supervised") { Description = "Semi-supervised: a dataset folder of other recordings with spikes.csv (never your test cells); adds a cross-entropy term on them to the unsupervised objective" };
        var labeledWeight = new Option<float>("--supervised-weight") { Description = "Weight of that term (cross-entropy per frame against the negative bound per frame)", DefaultValueFactory = _ => 1f };
        var indicator = new Option<string?>("--indicator") { Description = "Calcium indicator the model is for (e.g. GCaMP6s), stored in the model file" };
        var description = new Option<string?>("--description") { Description = "Description stored in the model file (default: '<network> trained with deepspike train')" };
        var frameRate = CommonOptions.FrameRate();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("train", "Train a recognition network without ground truth (amortized variational inference)")
        {
            data, validation, generative, recognition, output, objective, maxMinutes, maxIterations, samples, chunk, batch, clip, lr, thetaLr,
            validateEvery, patience, checkpoint, resume, initFrom, thetaWarmup, labeled, labeledWeight, indicator, description, frameRate, seed, threads,
        };
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            var obj = r.GetValue(objective) switch
            {
                "unsupervised" => TrainingObjective.Unsupervised,
                "supervised" => TrainingObjective.Supervised,
                var other => throw new ArgumentException($"--objective must be unsupervised or supervised, got '{other}'"),
            };
            // Unsupervised training must not depend on ground truth, so spikes.csv is not even read.
            bool supervised = obj == TrainingObjective.Supervised;
            var train = Dataset.Load(r.GetValue(data)!, r.GetValue(frameRate), includeSpikes: supervised);
            var valPath = r.GetValue(validation);
            var val = valPath is null ? null : Dataset.Load(valPath, r.GetValue(frameRate), includeSpikes: supervised);
            if (supervised && train.Spikes is null)
                throw new ArgumentException($"{r.GetValue(data)}: supervised training needs spikes.csv");
            var options = new TrainingOptions(obj, r.GetValue(samples), r.GetValue(chunk), r.GetValue(batch), r.GetValue(clip), r.GetValue(lr), r.GetValue(thetaLr),
                r.GetValue(validateEvery), r.GetValue(patience), r.GetValue(maxMinutes), r.GetValue(maxIterations), r.GetValue(seed),
                SupervisedWeight: r.GetValue(labeledWeight), ThetaWarmupIterations: r.GetValue(thetaWarmup) ?? (r.GetValue(initFrom) is null ? 0 : 300));
            var outPath = r.GetValue(output)!;
            // Create the folder now: finding it missing at the first checkpoint or at the end would waste the training.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            var info = new ModelInfo(r.GetValue(description) ?? $"{r.GetValue(recognition)} trained with deepspike train", Path.GetFullPath(r.GetValue(data)!), "deepspike " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), 0, double.NaN,
                r.GetValue(indicator));
            var recognitionModel = ModelRegistry.CreateRecognition(r.GetValue(recognition)!, train.FrameRateHz, new Random(r.GetValue(seed)));
            if (r.GetValue(initFrom) is string initPath)
            {
                var trained = SpikeModel.Load(initPath);
                if (trained.NeedsResampling(train.FrameRateHz))
                    throw new ArgumentException($"--init-from {initPath}: that model runs at {trained.FrameRateHz:G4} Hz but the data is at {train.FrameRateHz:G4} Hz");
                WarmStart.Apply(recognitionModel, trained.Recognition);
            }
            var trainer = new Trainer(ModelRegistry.CreateGenerative(r.GetValue(generative)!), recognitionModel, options);
            var checkpointFile = new TrainerCheckpoint(r.GetValue(checkpoint) ?? outPath + ".ckpt", info);
            int startIteration = r.GetValue(resume) ? CheckpointIteration(checkpointFile.Path) : 0;
            Dataset? labeledData = null;
            if (r.GetValue(labeled) is string labeledPath)
            {
                if (supervised) throw new ArgumentException("--supervised DIR adds labeled recordings to unsupervised training; it cannot be combined with --objective supervised");
                labeledData = Dataset.Load(labeledPath, includeSpikes: true);
                if (labeledData.Spikes is null) throw new ArgumentException($"{labeledPath}: --supervised needs a folder with spikes.csv");
            }
            var trainingData = new TrainingData(train.Calcium, val?.Calcium,
                supervised ? train.Spikes : null,
                supervised ? val?.Spikes : null,
                labeledData?.Calcium, labeledData?.Spikes);
            Console.WriteLine($"training {recognitionModel.Name} with {r.GetValue(generative)} on {train.Calcium.Count} traces at {train.FrameRateHz:G4} Hz" +
                              (val is null ? "" : $", validating on {val.Calcium.Count}") + $" ({obj.ToString().ToLowerInvariant()}, up to {options.MaxMinutes:G3} min)");
            if (r.GetValue(resume))
                Console.WriteLine(File.Exists(checkpointFile.Path) ? $"resuming from {checkpointFile.Path} at iteration {startIteration}" : $"no checkpoint at {checkpointFile.Path}; starting from iteration 0");
            if (Path.GetDirectoryName(Path.GetFullPath(checkpointFile.Path)) is string checkpointFolder) Directory.CreateDirectory(checkpointFolder);
            // Ctrl+C stops training cleanly: the trainer writes a final checkpoint and the best weights are saved.
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            TrainingResult result;
            try { result = ProgressDisplay.Run("training", p => trainer.Train(trainingData, p, checkpointFile, r.GetValue(resume), cancel.Token)); }
            finally { Console.CancelKeyPress -= onCancel; }
            if (cancel.IsCancellationRequested) Console.Error.WriteLine("interrupted: saving the best weights so far");
            var model = new SpikeModel(recognitionModel, r.GetValue(generative)!, train.FrameRateHz,
                info with { Iterations = result.BestIteration, ValidationBoundPerFrame = result.BestValidation });
            model.Save(outPath);
            Console.WriteLine($"{result.Iterations} iterations" + (startIteration > 0 ? $" ({result.Iterations - startIteration} in this run)" : "") + $" in {result.Elapsed.TotalMinutes:F1} min ({result.Iterations / Math.Max(result.Elapsed.TotalSeconds, 1e-9):F1} it/s)" +
                              (double.IsNaN(result.BestValidation) ? "" : $"; kept iteration {result.BestIteration}, validation {result.BestValidation:F4}") +
                              (result.StoppedEarly ? " (stopped early)" : ""));
            Console.WriteLine($"wrote {outPath}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The iteration a checkpoint was saved at (0 if there is none), checking first that the file is a
    /// training checkpoint and not a plain model, which has no optimiser state to resume from.
    /// </summary>
    private static int CheckpointIteration(string path)
    {
        if (!File.Exists(path)) return 0;
        var (_, header, _) = SpikeModel.LoadWithState(path);
        if (!(header.RootElement.TryGetProperty("extra", out var state) && state.TryGetProperty("iteration", out var iteration) && iteration.TryGetInt32(out int done)))
            throw new InvalidDataException($"{path}: is a model without training state, not a checkpoint; remove it, point --checkpoint elsewhere, or drop --resume");
        return done;
    }
}
