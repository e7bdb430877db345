using System.Text.Json;
using DeepSpike.Data;

namespace DeepSpike.Dynamics;

/// <summary>One row of the Lorenz table: a model's R² on the validation trials, its training time and speed.</summary>
/// <param name="Model">The model, as the paper's Table 1 names it.</param>
/// <param name="Input">What it was fitted to: spikes or fluorescence.</param>
/// <param name="Latents">R² of the latents (affine map fitted on the training trials), or NaN.</param>
/// <param name="Rates">R² of the rates, or NaN.</param>
/// <param name="Spikes">R² of the spikes, or NaN.</param>
/// <param name="Fluorescence">R² of the fluorescence, or NaN.</param>
/// <param name="TrainingSeconds">Wall time of training.</param>
/// <param name="Steps">Training steps taken.</param>
/// <param name="StopReason">Why training ended.</param>
/// <param name="Paper">The paper's Table 1 figures (latents, rates, spikes, fluorescence; NaN where it has none).</param>
public sealed record LorenzBenchRow(string Model, string Input, double Latents, double Rates, double Spikes, double Fluorescence,
    double TrainingSeconds, int Steps, string StopReason, double[] Paper)
{
    /// <summary>Steps per second.</summary>
    public double StepsPerSecond => Steps / Math.Max(TrainingSeconds, 1e-9);
}

/// <summary>
/// The Ladder LFADS paper's Table 1 on the Lorenz benchmark: each model is trained on the training trials, early-stopped on
/// the validation trials' bound, and scored on the validation trials by <see cref="DynamicsMetrics"/>, with predictions
/// averaged over posterior passes.
/// </summary>
public static class LorenzBench
{
    /// <summary>Table 1 of Prince &amp; Richards (2019): latents, rates, spikes, fluorescence.</summary>
    public static readonly IReadOnlyDictionary<string, double[]> PaperFigures = new Dictionary<string, double[]>
    {
        ["lfads"] = [0.978, 0.970, double.NaN, double.NaN],
        ["oasis-lfads"] = [0.924, 0.946, 0.950, double.NaN],
        ["gaussian-lfads"] = [0.898, 0.771, double.NaN, 0.001],
        ["ladder-lfads"] = [0.962, 0.943, 0.697, 0.850],
    };

    /// <summary>LFADS fitted to the true spikes (the paper's upper limit).</summary>
    public static LorenzBenchRow RunLfadsOnSpikes(TrialSplit data, LfadsOptions architecture, DynamicsTrainingOptions options, int samples,
        Action<DynamicsProgress>? progress = null) =>
        Score("lfads", "spikes", data, data.Training.Spikes ?? throw new ArgumentException("the training trials have no spikes.npy"),
            data.Validation.Spikes ?? throw new ArgumentException("the validation trials have no spikes.npy"), architecture, options, samples, progress);

    /// <summary>OASIS+LFADS: OASIS AR(1) counts from the fluorescence (<see cref="OasisCounts"/>), then LFADS on them.</summary>
    public static LorenzBenchRow RunOasisLfads(TrialSplit data, LfadsOptions architecture, DynamicsTrainingOptions options, int samples,
        Action<DynamicsProgress>? progress = null)
    {
        var (training, validation) = (data.Training, data.Validation);
        var trainCounts = OasisCounts.FromFluorescence(training.Fluorescence);
        var validationCounts = OasisCounts.FromFluorescence(validation.Fluorescence);
        var row = Score("oasis-lfads", "fluorescence", data, trainCounts, validationCounts, architecture, options, samples, progress);
        double spikes = validation.Spikes is null ? double.NaN : DynamicsMetrics.PooledR2(validationCounts.Data, validation.Spikes.Data);
        return row with { Spikes = spikes };
    }

    /// <summary>Gaussian LFADS: LFADS whose rates explain the fluorescence through a causal convolution (<see cref="GaussianObservation"/>).</summary>
    public static LorenzBenchRow RunGaussianLfads(TrialSplit data, LfadsOptions architecture, DynamicsTrainingOptions options, int samples,
        Action<DynamicsProgress>? progress = null) =>
        Score("gaussian-lfads", "fluorescence", data, data.Training.Fluorescence, data.Validation.Fluorescence,
            architecture with { Observation = LfadsOptions.GaussianObservationName }, options, samples, progress);

    /// <summary>Ladder LFADS on the fluorescence: spikes, calcium and fluorescence below an LFADS layer (<see cref="LadderLfads"/>).</summary>
    public static LorenzBenchRow RunLadderLfads(TrialSplit data, LadderLfadsOptions architecture, DynamicsTrainingOptions options, int samples,
        Action<DynamicsProgress>? progress = null) =>
        Score("ladder-lfads", "fluorescence", data, data.Training.Fluorescence, data.Validation.Fluorescence,
            new LadderLfads(data.Training.Cells, architecture, new Random(options.Seed)), options, samples, progress);

    private static LorenzBenchRow Score(string model, string input, TrialSplit data, TrialArray trainInput, TrialArray validationInput,
        LfadsOptions architecture, DynamicsTrainingOptions options, int samples, Action<DynamicsProgress>? progress) =>
        Score(model, input, data, trainInput, validationInput, new Lfads(trainInput.Channels, architecture, new Random(options.Seed)), options, samples, progress);

    /// <summary>Trains <paramref name="network"/> on <paramref name="trainInput"/> (validated on <paramref name="validationInput"/>)
    /// and scores what it infers against the truth of <paramref name="data"/>.</summary>
    private static LorenzBenchRow Score(string model, string input, TrialSplit data, TrialArray trainInput, TrialArray validationInput,
        DynamicsNetwork network, DynamicsTrainingOptions options, int samples, Action<DynamicsProgress>? progress)
    {
        var (training, validation) = (data.Training, data.Validation);
        var result = new LfadsTrainer(trainInput, validationInput, network, options).Run(progress);
        var trainEstimate = DynamicsInference.Run(result.Model, trainInput, training.Meta.BinSeconds, samples, options.Seed);
        var validationEstimate = DynamicsInference.Run(result.Model, validationInput, validation.Meta.BinSeconds, samples, options.Seed + 1);
        double latents = training.Latents is null || validation.Latents is null ? double.NaN
            : DynamicsMetrics.LatentR2(trainEstimate.Factors, training.Latents, validationEstimate.Factors, validation.Latents);
        double rates = validation.Rates is null ? double.NaN : DynamicsMetrics.PooledR2(validationEstimate.Rates.Data, validation.Rates.Data);
        // Fluorescence R²: the reconstruction against the observed validation fluorescence.
        double fluorescence = validationEstimate.Fluorescence is null ? double.NaN : DynamicsMetrics.PooledR2(validationEstimate.Fluorescence.Data, validation.Fluorescence.Data);
        double spikes = validationEstimate.Spikes is null || validation.Spikes is null ? double.NaN
            : DynamicsMetrics.PooledR2(validationEstimate.Spikes.Data, validation.Spikes.Data);
        return new LorenzBenchRow(model, input, latents, rates, spikes, fluorescence, result.Seconds, result.Steps, result.StopReason, PaperFigures[model]);
    }

    /// <summary>Writes the rows as JSON, with the seed.</summary>
    public static void WriteJson(string path, int seed, IReadOnlyList<LorenzBenchRow> rows)
    {
        var json = new
        {
            suite = "lorenz",
            seed,
            rows = rows.Select(r => new
            {
                model = r.Model, input = r.Input,
                r2 = new { latents = Finite(r.Latents), rates = Finite(r.Rates), spikes = Finite(r.Spikes), fluorescence = Finite(r.Fluorescence) },
                paper = new { latents = Finite(r.Paper[0]), rates = Finite(r.Paper[1]), spikes = Finite(r.Paper[2]), fluorescence = Finite(r.Paper[3]) },
                training_seconds = r.TrainingSeconds, steps = r.Steps, steps_per_second = r.StepsPerSecond, stop_reason = r.StopReason,
            }),
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
