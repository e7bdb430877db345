using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using DeepSpike.Data;
using DeepSpike.Engine;
using DeepSpike.Evaluation;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Training;

namespace DeepSpike.Benchmarks;

/// <summary>Settings of the cross-validated real-data suites (Speiser et al. 2017, Table 1, GCaMP6s/f columns).</summary>
/// <param name="DataRoot">Folder holding the dataset folders.</param>
/// <param name="Datasets">Dataset folder names under <paramref name="DataRoot"/>.</param>
/// <param name="Seed">Seed of the fold assignment and training.</param>
/// <param name="Folds">Folds over cells.</param>
/// <param name="MaxMinutes">DS-F training budget per fold.</param>
/// <param name="DsNfMinutes">DS-NF training budget per fold (warm-started from that fold's DS-F); 0 leaves DS-NF out.</param>
/// <param name="Generative">Generative model the networks are trained with (AR(2) captures the indicator's rise).</param>
/// <param name="MaxLagFrames">Largest shift tried by the best-lag diagnostic, in frames either way.</param>
/// <param name="TimingTraces">Recordings timed on one thread per method.</param>
/// <param name="DsNfSamples">K of DS-NF's training (<see cref="SuiteSteps.DsNfFineTuningSamples"/>).</param>
/// <param name="CorrelationEarlyStopping">Early stopping by the correlation with the validation cells' true spikes
/// (the paper's protocol; those cells belong to the training folds), rather than by the bound.</param>
/// <param name="SemiSupervised">Also train, per fold, a semi-supervised DS-F whose extra cross-entropy term uses the
/// ground truth of the other datasets under <paramref name="DataRoot"/> (never this dataset's cells), resampled to
/// this dataset's frame rate.</param>
/// <param name="SupervisedWeight">Weight of that term (<see cref="TrainingOptions.SupervisedWeight"/>).</param>
/// <param name="LabelTrainingCells">The semi-supervised term also uses the ground truth of the fold's training cells
/// (still never the tested cells).</param>
/// <param name="SupervisedReference">Also train a DS-F on the training cells' spikes alone (cross-entropy): not the
/// product's method, a reference for what the network can reach with labels.</param>
/// <param name="Channels">Filters per hidden layer of every DS-F (<see cref="DsFOptions.Channels"/>).</param>
/// <param name="WeightAveraging">Decay of the running weight average every network uses (<see cref="TrainingOptions.WeightAveraging"/>); 0 is off.</param>
public sealed record RealDataSuiteOptions(
    string DataRoot, IReadOnlyList<string> Datasets, int Seed = 0, int Folds = 4, double MaxMinutes = 5, double DsNfMinutes = 3,
    string Generative = "scf-ar2", int MaxLagFrames = 6, int TimingTraces = 3, int DsNfSamples = SuiteSteps.DsNfFineTuningSamples,
    bool CorrelationEarlyStopping = true, bool SemiSupervised = false, float SupervisedWeight = 1f, bool LabelTrainingCells = false,
    bool SupervisedReference = false, double WeightAveraging = 0, int Channels = 20)
{
    /// <summary>The paper's two GENIE sets (GCaMP6s DS14 and GCaMP6f DS09, as in CASCADE's database).</summary>
    public static IReadOnlyList<string> Genie { get; } = ["genie-gcamp6s-ds14", "genie-gcamp6f-ds09"];

    /// <summary>The Spikefinder training sets in the shared data (GCaMP6s set 5, OGB-1 set 4).</summary>
    public static IReadOnlyList<string> Spikefinder { get; } = ["spikefinder-train5-gcamp6s", "spikefinder-train4-ogb1"];

    /// <summary>Throws if a value is out of range.</summary>
    public RealDataSuiteOptions Validate()
    {
        if (Datasets.Count == 0) throw new ArgumentException("no datasets to run");
        if (Folds < 2) throw new ArgumentOutOfRangeException(nameof(Folds), $"cross-validation needs >= 2 folds, got {Folds}");
        if (!(MaxMinutes > 0)) throw new ArgumentOutOfRangeException(nameof(MaxMinutes), $"training budget must be > 0 minutes, got {MaxMinutes}");
        if (!(DsNfMinutes >= 0)) throw new ArgumentOutOfRangeException(nameof(DsNfMinutes), $"DS-NF budget must be >= 0 minutes, got {DsNfMinutes}");
        if (MaxLagFrames < 0) throw new ArgumentOutOfRangeException(nameof(MaxLagFrames), $"lag range must be >= 0, got {MaxLagFrames}");
        if (!(SupervisedWeight >= 0) || !float.IsFinite(SupervisedWeight)) throw new ArgumentOutOfRangeException(nameof(SupervisedWeight), $"supervised weight must be finite and >= 0, got {SupervisedWeight}");
        if (Channels < 1) throw new ArgumentOutOfRangeException(nameof(Channels), $"channels must be >= 1, got {Channels}");
        if (TimingTraces < 1) throw new ArgumentOutOfRangeException(nameof(TimingTraces), $"timing traces must be >= 1, got {TimingTraces}");
        return this;
    }
}

/// <summary>One method on one dataset.</summary>
/// <param name="Dataset">Dataset folder name.</param>
/// <param name="Method">Method.</param>
/// <param name="MeanCorrelation">Mean Pearson r over recordings at lag 0 (the protocol).</param>
/// <param name="Sem">Standard error of that mean.</param>
/// <param name="N">Recordings scored.</param>
/// <param name="BestLagFrames">Diagnostic: the global shift of the predictions (frames; positive = predictions moved earlier) with the best mean r.</param>
/// <param name="CorrelationAtBestLag">Mean r at that shift.</param>
/// <param name="MsPerTrace">Inference time per recording on one thread.</param>
/// <param name="Note">How the method was trained or calibrated.</param>
/// <param name="CellCorrelation">Diagnostic: mean r over neurons at lag 0, each neuron's recordings binned and concatenated
/// (the paper counts neurons, "9 + 11 cells", where this data has several recordings per neuron).</param>
/// <param name="CellSem">Standard error of that mean.</param>
/// <param name="Cells">Neurons scored.</param>
public sealed record RealDataScore(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("mean_correlation")] double MeanCorrelation,
    [property: JsonPropertyName("sem")] double Sem,
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("best_lag_frames")] int BestLagFrames,
    [property: JsonPropertyName("correlation_at_best_lag")] double CorrelationAtBestLag,
    [property: JsonPropertyName("ms_per_trace")] double MsPerTrace,
    [property: JsonPropertyName("note")] string Note,
    [property: JsonPropertyName("cell_correlation")] double CellCorrelation,
    [property: JsonPropertyName("cell_sem")] double CellSem,
    [property: JsonPropertyName("cells")] int Cells);

/// <summary>The outcome of a real-data suite.</summary>
public sealed record RealDataReport(
    [property: JsonPropertyName("suite")] string Suite,
    [property: JsonPropertyName("bin_ms")] double BinMs,
    [property: JsonPropertyName("folds")] int Folds,
    [property: JsonPropertyName("rows")] IReadOnlyList<RealDataScore> Rows)
{
    /// <summary>Writes the report as JSON (atomically).</summary>
    public void WriteJson(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, ReportJson.Options) + "\n");
}

/// <summary>
/// Cross-validated accuracy on recordings with electrophysiological ground truth. Per dataset, cells (not
/// recordings: a neuron's recordings stay together) are split into folds; for each fold DS-F (and DS-NF,
/// warm-started from it) is trained without ground truth on the other folds' cells (a quarter of them held out
/// for early stopping, by the correlation with their spikes as in the paper) and applied to the fold's cells;
/// optionally also a semi-supervised DS-F and a supervised reference (see <see cref="RealDataSuiteOptions"/>). Baselines, which need no training, run on every
/// recording. Scores: Pearson r at 40 ms bins per recording, mean ± SEM over recordings, at lag 0 (the protocol),
/// and, as a diagnostic, at the best global lag.
/// </summary>
public static partial class RealDataSuite
{
    /// <summary>Runs the suite; <paramref name="train"/> wraps each training run (for progress display).</summary>
    public static RealDataReport Run(string suite, RealDataSuiteOptions options, IReadOnlyList<ISpikeInferenceMethod> baselines, Action<string> log, TrainingRunner train)
    {
        options.Validate();
        var rows = new List<RealDataScore>();
        foreach (string name in options.Datasets)
        {
            string folder = Path.Combine(options.DataRoot, name);
            var data = Dataset.Load(folder, includeSpikes: true);
            if (data.Spikes is null) throw new ArgumentException($"{folder}: the real-data suite needs spikes.csv (ground truth)");
            var folds = AssignFolds(data.Calcium.Names, options.Folds, options.Seed);
            log($"{name}: {data.Calcium.Count} recordings of {folds.Values.Distinct().Count()} fold(s) × cells at {data.FrameRateHz:G4} Hz");
            var labeled = options.SemiSupervised ? OtherLabeledDatasets(options.DataRoot, name, data.FrameRateHz, log) : null;
            rows.AddRange(CrossValidate(name, data, folds, options, labeled, log, train));
            foreach (var method in baselines)
            {
                log($"{name}: running {method.Name}");
                var predicted = SpikeInferenceMethods.Run(method, data.Calcium, options.Seed);
                rows.Add(Score(name, method.Name, predicted, data, options, SuiteSteps.TimePerTrace(method, data.Calcium, options.TimingTraces), "parameters estimated per recording"));
            }
        }
        return new RealDataReport(suite, SpikeMetrics.RealDataBinMs, options.Folds, rows);
    }

    /// <summary>
    /// The cell a recording belongs to: its name without a trailing <c>_rec&lt;k&gt;</c> (the CASCADE / shared-data
    /// convention <c>&lt;cell id&gt;_rec&lt;k&gt;</c>); names without it are cells of their own.
    /// </summary>
    public static string CellOf(string recording) => RecordingSuffix().Replace(recording, "");

    /// <summary>
    /// Fold of every recording: cells are shuffled with <paramref name="seed"/> and dealt round-robin into
    /// <paramref name="folds"/> folds (fewer if there are fewer cells), so no cell spans two folds.
    /// </summary>
    public static IReadOnlyDictionary<string, int> AssignFolds(IReadOnlyList<string> recordings, int folds, int seed)
    {
        var cells = recordings.Select(CellOf).Distinct().Order(StringComparer.Ordinal).ToArray();
        new Random(seed).Shuffle(cells);
        var foldOfCell = cells.Select((cell, i) => (cell, fold: i % Math.Min(folds, cells.Length))).ToDictionary(x => x.cell, x => x.fold);
        return recordings.ToDictionary(r => r, r => foldOfCell[CellOf(r)]);
    }

    /// <summary>
    /// Ground truth for the semi-supervised rows: every dataset folder under <paramref name="root"/> except
    /// <paramref name="exclude"/> that has spikes, pooled at <paramref name="frameRateHz"/> (<see cref="LabeledRecordings"/>).
    /// </summary>
    public static Dataset OtherLabeledDatasets(string root, string exclude, double frameRateHz, Action<string> log)
    {
        var folders = Directory.GetDirectories(root).Order(StringComparer.Ordinal)
            .Where(folder => Path.GetFileName(folder) != exclude && Directory.GetFiles(folder, Dataset.SpikesFileName + "*").Length > 0).ToList();
        if (folders.Count == 0) throw new ArgumentException($"{root}: no other dataset with {Dataset.SpikesFileName} to take semi-supervised labels from");
        var labeled = LabeledRecordings.Load(folders, frameRateHz);
        log($"{exclude}: semi-supervised labels from {string.Join(", ", folders.Select(Path.GetFileName))} ({labeled.Calcium.Count} recordings at {frameRateHz:G4} Hz)");
        return labeled;
    }

    private static IEnumerable<RealDataScore> CrossValidate(string name, Dataset data, IReadOnlyDictionary<string, int> folds, RealDataSuiteOptions options,
        Dataset? otherLabeled, Action<string> log, TrainingRunner train)
    {
        var calcium = data.Calcium;
        int count = calcium.Count;
        // Per method (in row order): predictions of every recording, filled fold by fold, and time per recording.
        var predictions = new Dictionary<string, float[][]>();
        var msPerTrace = new Dictionary<string, double>();
        string stopping = options.CorrelationEarlyStopping ? "early stopping by r on validation cells" : "early stopping by the bound";
        string averaging = options.WeightAveraging > 0 ? $", weights averaged (decay {options.WeightAveraging:G4})" : "";
        string note = $"{options.Folds}-fold CV over cells, {options.Generative}, {stopping}{averaging}; per fold up to {options.MaxMinutes:G3} min";
        var notes = new Dictionary<string, string> { ["DS-F"] = "unsupervised; " + note };
        var foldNumbers = folds.Values.Distinct().Order().ToList();
        foreach (int fold in foldNumbers)
        {
            // Timed once, on the last fold's models: every fold's network has the same cost.
            bool timed = fold == foldNumbers[^1];
            var test = Enumerable.Range(0, count).Where(i => folds[calcium.Names[i]] == fold).ToList();
            var rest = Enumerable.Range(0, count).Where(i => folds[calcium.Names[i]] != fold).ToList();
            // Early stopping on a quarter of the training cells (at least one, when there are two or more).
            var restCells = rest.Select(i => CellOf(calcium.Names[i])).Distinct().Order(StringComparer.Ordinal).ToArray();
            new Random(options.Seed + fold).Shuffle(restCells);
            var validationCells = restCells.Length >= 2 ? restCells.Take(Math.Max(1, restCells.Length / 4)).ToHashSet() : [];
            var trainIndices = rest.Where(i => !validationCells.Contains(CellOf(calcium.Names[i]))).ToList();
            var validationIndices = rest.Where(i => validationCells.Contains(CellOf(calcium.Names[i]))).ToList();
            var trainSet = calcium.Subset(trainIndices);
            var validationSet = validationCells.Count > 0 ? calcium.Subset(validationIndices) : null;
            var testSet = calcium.Subset(test);
            // Early stopping may use the validation cells' spikes (training folds only); the objective never does.
            var validationSpikes = validationSet is not null ? data.Spikes!.Subset(validationIndices) : null;
            double stopBinMs = options.CorrelationEarlyStopping && validationSpikes is not null ? SpikeMetrics.RealDataBinMs : 0;
            var trainingData = new TrainingData(trainSet, validationSet, ValidationSpikes: stopBinMs > 0 ? validationSpikes : null);
            // Fresh networks: their random starting weights are never kept (on one or two validation cells they can score by chance).
            var unsupervised = new TrainingOptions(MaxMinutes: options.MaxMinutes, Seed: options.Seed + fold, ValidationCorrelationBinMs: stopBinMs, StartIsCandidate: false,
                WeightAveraging: options.WeightAveraging);
            string label = $"{name} fold {fold + 1}";

            (DsF Network, Trainer Trainer) TrainDsF(string method, TrainingOptions trainingOptions, TrainingData dataOfMethod)
            {
                var network = new DsF(new DsFOptions(Channels: options.Channels, FrameRateHz: calcium.FrameRateHz), new Random(options.Seed + fold));
                var trained = SuiteSteps.Train($"{label} {method}", ModelRegistry.CreateGenerative(options.Generative, data.Meta.Indicator), network, trainingOptions, dataOfMethod,
                    calcium.FrameRateHz, "real-data", train, log);
                Predict(method, new DeepSpikeMethod(trained.Model), timed);
                return (network, trained.Trainer);
            }

            void Predict(string method, ISpikeInferenceMethod model, bool time)
            {
                if (!predictions.TryGetValue(method, out var into)) predictions[method] = into = new float[count][];
                var predicted = SpikeInferenceMethods.Run(model, testSet, options.Seed);
                for (int j = 0; j < test.Count; j++) into[test[j]] = predicted.Traces[j];
                if (time) msPerTrace[method] = SuiteSteps.TimePerTrace(model, testSet, options.TimingTraces);
            }

            var (f, fTrainer) = TrainDsF("DS-F", unsupervised, trainingData);
            if (otherLabeled is not null)
            {
                const string method = "DS-F semi-supervised";
                var labeled = options.LabelTrainingCells
                    ? LabeledRecordings.Append(otherLabeled, name, new Dataset(trainSet, data.Spikes!.Subset(trainIndices), data.Meta), otherLabeled.FrameRateHz)
                    : otherLabeled;
                TrainDsF(method, unsupervised with { SupervisedWeight = options.SupervisedWeight },
                    trainingData with { LabeledCalcium = labeled.Calcium, LabeledSpikes = labeled.Spikes });
                notes[method] = $"unsupervised + cross-entropy (weight {options.SupervisedWeight:G3}) on the ground truth of other datasets ({otherLabeled.Calcium.Count} recordings)" +
                                (options.LabelTrainingCells ? " and of the training cells" : "") + "; " + note;
            }
            if (options.SupervisedReference)
            {
                const string method = "DS-F supervised (reference)";
                TrainDsF(method, new TrainingOptions(TrainingObjective.Supervised, MaxMinutes: options.MaxMinutes, Seed: options.Seed + fold, StartIsCandidate: false,
                    WeightAveraging: options.WeightAveraging),
                    new TrainingData(trainSet, validationSet, data.Spikes!.Subset(trainIndices), validationSpikes));
                notes[method] = $"{options.Folds}-fold CV over cells, cross-entropy on the training cells' spikes, early stopping on the validation cells'; per fold up to {options.MaxMinutes:G3} min";
            }
            if (options.DsNfMinutes > 0)
            {
                const string method = "DS-NF";
                var nf = new DsNf(new DsNfOptions(new DsFOptions(Channels: options.Channels, FrameRateHz: calcium.FrameRateHz)), new Random(options.Seed + fold));
                nf.WarmStartFrom(f);
                var nfModel = SuiteSteps.Train($"{label} {method}", ModelRegistry.CreateGenerative(options.Generative, data.Meta.Indicator), nf,
                    unsupervised with { Samples = options.DsNfSamples, MaxMinutes = options.DsNfMinutes, StartIsCandidate = true }, trainingData, calcium.FrameRateHz, "real-data", train, log, fTrainer);
                Predict(method, new DeepSpikeMethod(nfModel.Model), timed);
                notes[method] = $"unsupervised, from that DS-F, up to {options.DsNfMinutes:G3} min (K={options.DsNfSamples}); {note}";
            }
        }
        foreach (var (method, predicted) in predictions)
            yield return Score(name, method, new TraceSet(calcium.Names, predicted, calcium.FrameRateHz), data, options, msPerTrace.GetValueOrDefault(method), notes[method]);
    }

    private static RealDataScore Score(string dataset, string method, TraceSet predicted, Dataset data, RealDataSuiteOptions options, double msPerTrace, string note)
    {
        var atZero = SpikeMetrics.Evaluate(predicted, data.Spikes!, SpikeMetrics.RealDataBinMs);
        var (bestLag, bestR) = (0, atZero.Mean);
        for (int lag = -options.MaxLagFrames; lag <= options.MaxLagFrames; lag++)
        {
            if (lag == 0) continue;
            double r = SpikeMetrics.Evaluate(Shift(predicted, lag), data.Spikes!, SpikeMetrics.RealDataBinMs).Mean;
            if (r > bestR) (bestLag, bestR) = (lag, r);
        }
        var perCell = SpikeMetrics.EvaluateGrouped(predicted, data.Spikes!, SpikeMetrics.RealDataBinMs, CellOf);
        return new RealDataScore(dataset, method, atZero.Mean, atZero.Sem, atZero.N, bestLag, bestR, msPerTrace, note, perCell.Mean, perCell.Sem, perCell.N);
    }

    /// <summary>Every trace moved <paramref name="lag"/> frames earlier (later if negative), zero-filled at the end it leaves.</summary>
    private static TraceSet Shift(TraceSet set, int lag)
    {
        var shifted = set.Traces.Select(x =>
        {
            var y = new float[x.Length];
            for (int t = 0; t < x.Length; t++)
            {
                int source = t + lag;
                if (source >= 0 && source < x.Length) y[t] = x[source];
            }
            return y;
        }).ToList();
        return new TraceSet(set.Names, shifted, set.FrameRateHz);
    }

    [GeneratedRegex(@"_rec\d+$")]
    private static partial Regex RecordingSuffix();
}
