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
        var input = new FluorescenceInput();
        var validation = new Option<string?>("--validation") { Description = "Validation recordings for early stopping (any --data format; preprocessed alike)" };
        var stopOnSpikes = new Option<bool>("--stop-on-spikes")
        {
            Description = "Early-stop by the correlation (40 ms bins) between the network's spike probabilities and the spikes.csv of --validation, " +
                          "as the paper does on real data; the training objective still never sees spikes (default: by the bound)",
        };
        var modelRate = new Option<double?>("--model-frame-rate") { Description = "Frame rate in Hz the model is trained at and runs at; traces are resampled to it (default: the data's)" };
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
        var weightAveraging = new Option<double>("--weight-averaging") { Description = "Validate and keep a running average of the network's weights with this decay per step (e.g. 0.995); 0 is off", DefaultValueFactory = _ => 0 };
        var patience = new Option<int>("--patience") { Description = "Evaluations without improvement before stopping", DefaultValueFactory = _ => 15 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file (default: <out>.ckpt)" };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Iterations between checkpoints (a killed run redoes at most this many after --resume)",
            DefaultValueFactory = _ => new TrainingOptions().CheckpointEvery,
        };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint if it exists; a resumed run ends with the same model, bit for bit, as one never interrupted (same seed, options and --threads)" };
        var initFrom = new Option<string?>("--init-from") { Description = "Start from this trained model: the same kind of network (fine-tuning), or a DS-F for --recognition dsnf (trunk and readout copied; the recommended way to train DS-NF)" };
        var thetaWarmup = new Option<int?>("--theta-warmup") { Description = "Steps fitting only each trace's generative parameters before training (default: 300 with --init-from, else 0)" };
        var labeled = new Option<string[]>("--supervised")
        {
            Description = "Semi-supervised: dataset folders of other recordings with spikes.csv (never your test cells; repeat the flag for several), " +
                          "resampled to the model's frame rate; adds a cross-entropy term on them to the unsupervised objective",
            AllowMultipleArgumentsPerToken = false,
        };
        var labeledWeight = new Option<float>("--supervised-weight") { Description = "Weight of that term (cross-entropy per frame against the negative bound per frame)", DefaultValueFactory = _ => 1f };
        var indicator = new Option<string?>("--indicator") { Description = "Calcium indicator the model is for (e.g. GCaMP6s), stored in the model file" };
        var description = new Option<string?>("--description") { Description = "Description stored in the model file (default: '<network> trained with deepspike train')" };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("train", "Train a recognition network without ground truth (amortized variational inference)");
        foreach (var option in input.Options) command.Options.Add(option); // --data and its preprocessing first, as in infer
        foreach (var option in new Option[]
        {
            validation, stopOnSpikes, modelRate, generative, recognition, output, objective, maxMinutes, maxIterations, samples, chunk, batch, clip, lr, thetaLr,
            validateEvery, patience, weightAveraging, checkpoint, checkpointEvery, resume, initFrom, thetaWarmup, labeled, labeledWeight, indicator, description, seed, threads,
        }) command.Options.Add(option);
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            var obj = r.GetValue(objective) switch
            {
                "unsupervised" => TrainingObjective.Unsupervised,
                "supervised" => TrainingObjective.Supervised,
                var other => throw new ArgumentException($"--objective must be unsupervised or supervised, got '{other}'"),
            };
            // Unsupervised training must not depend on ground truth: --data's spikes.csv is read only for the supervised
            // objective, and --validation's only for --stop-on-spikes, which chooses among weights but never trains them.
            bool supervised = obj == TrainingObjective.Supervised;
            string dataPath = input.DataPath(r);
            var train = input.Load(r, dataPath, input.NeuropilPath(r), r.GetValue(modelRate), r.GetValue(modelRate)).Traces;
            var valPath = r.GetValue(validation);
            var val = valPath is null ? null : input.Load(r, valPath, null, train.FrameRateHz, train.FrameRateHz).Traces;
            var trainSpikes = supervised ? SpikesFor(dataPath, input.FrameRate(r), input.Layout(r), train) : null;
            if (r.GetValue(stopOnSpikes) && (supervised || val is null))
                throw new ArgumentException("--stop-on-spikes needs --validation and the unsupervised objective (supervised training already validates on spikes)");
            var valSpikes = (supervised || r.GetValue(stopOnSpikes)) && val is not null ? SpikesFor(valPath!, input.FrameRate(r), input.Layout(r), val) : null;
            var options = new TrainingOptions(obj, r.GetValue(samples), r.GetValue(chunk), r.GetValue(batch), r.GetValue(clip), r.GetValue(lr), r.GetValue(thetaLr),
                r.GetValue(validateEvery), r.GetValue(patience), r.GetValue(maxMinutes), r.GetValue(maxIterations), r.GetValue(seed),
                SupervisedWeight: r.GetValue(labeledWeight), ThetaWarmupIterations: r.GetValue(thetaWarmup) ?? (r.GetValue(initFrom) is null ? 0 : 300),
                ValidationCorrelationBinMs: r.GetValue(stopOnSpikes) ? Evaluation.SpikeMetrics.RealDataBinMs : 0,
                StartIsCandidate: r.GetValue(initFrom) is not null, WeightAveraging: r.GetValue(weightAveraging),
                CheckpointEvery: r.GetValue(checkpointEvery));
            var outPath = r.GetValue(output)!;
            // Create the folder now: finding it missing at the first checkpoint or at the end would waste the training.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            string trainingData = string.Join("; ", new[] { Path.GetFullPath(dataPath) }.Concat(r.GetValue(labeled)!.Select(l => $"labels: {Path.GetFullPath(l)}")));
            var info = new ModelInfo(r.GetValue(description) ?? $"{r.GetValue(recognition)} trained with deepspike train", trainingData, "deepspike " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), 0, double.NaN,
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
            if (r.GetValue(labeled) is { Length: > 0 } labeledPaths)
            {
                if (supervised) throw new ArgumentException("--supervised DIR adds labeled recordings to unsupervised training; it cannot be combined with --objective supervised");
                labeledData = LabeledRecordings.Load(labeledPaths, train.FrameRateHz);
                Console.WriteLine($"semi-supervised: {labeledData.Calcium.Count} labeled recordings from {string.Join(", ", labeledPaths)} at {train.FrameRateHz:G4} Hz, weight {options.SupervisedWeight:G3}");
            }
            var data = new TrainingData(train, val, trainSpikes, valSpikes, labeledData?.Calcium, labeledData?.Spikes);
            Console.WriteLine($"training {recognitionModel.Name} with {r.GetValue(generative)} on {train.Count} traces at {train.FrameRateHz:G4} Hz" +
                              (val is null ? "" : $", validating on {val.Count}") + $" ({obj.ToString().ToLowerInvariant()}, up to {options.MaxMinutes:G3} min)");
            if (r.GetValue(resume))
                Console.WriteLine(File.Exists(checkpointFile.Path) ? $"resuming from {checkpointFile.Path} at iteration {startIteration}" : $"no checkpoint at {checkpointFile.Path}; starting from iteration 0");
            if (Path.GetDirectoryName(Path.GetFullPath(checkpointFile.Path)) is string checkpointFolder) Directory.CreateDirectory(checkpointFolder);
            // Ctrl+C stops training cleanly: the trainer writes a final checkpoint and the best weights are saved.
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            TrainingResult result;
            try { result = ProgressDisplay.Run("training", p => trainer.Train(data, p, checkpointFile, r.GetValue(resume), cancel.Token)); }
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
    /// The true spikes of the kept traces of <paramref name="traces"/>, from the <c>spikes.csv</c> of the dataset folder
    /// <paramref name="path"/>, summed onto <paramref name="traces"/>' frames if they were resampled.
    /// </summary>
    private static TraceSet SpikesFor(string path, double? frameRate, TableLayout layout, TraceSet traces)
    {
        var dataset = Dataset.Load(path, frameRate, includeSpikes: true, layout: layout);
        if (dataset.Spikes is null) throw new ArgumentException($"{path}: supervised training needs spikes.csv");
        var spikes = dataset.Spikes;
        var aligned = traces.Names.Select((name, i) => spikes.TryGetTrace(name, out var s)
            ? Preprocessing.Resampling.SumCounts(s, spikes.FrameRateHz, traces.FrameRateHz, traces.Traces[i].Length)
            : throw new ArgumentException($"{path}: no spikes for trace '{name}'")).ToList();
        return new TraceSet(traces.Names, aligned, traces.FrameRateHz);
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
