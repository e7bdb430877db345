using System.Text.Json;
using System.Text.Json.Serialization;
using DeepSpike.Data;
using DeepSpike.Engine;
using DeepSpike.Evaluation;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Simulation;
using DeepSpike.Training;

namespace DeepSpike.Benchmarks;

/// <summary>Settings of the posterior suite (Speiser et al. 2017, fig. 2A–B).</summary>
/// <param name="Seed">Seed of simulation, training and sampling.</param>
/// <param name="DsFMinutes">Training budget of DS-F.</param>
/// <param name="DsNfMinutes">Training budget of DS-NF, warm-started from that DS-F.</param>
/// <param name="TrainCells">Training cells (one trace per rate each).</param>
/// <param name="ValidationCells">Validation cells, for early stopping.</param>
/// <param name="TestCells">Test cells.</param>
/// <param name="Frames">Frames per trace.</param>
/// <param name="FrameRateHz">Frame rate.</param>
/// <param name="Samples">Posterior samples per test trace.</param>
/// <param name="IsolationMs">A true spike counts as isolated when no other is nearer than this.</param>
/// <param name="WindowMs">Half-width of the window in which sampled spikes are counted around an isolated true spike.</param>
/// <param name="TimingTraces">Traces timed on one thread per model.</param>
/// <param name="DsNfSamples">K of DS-NF's training (<see cref="SuiteSteps.DsNfFineTuningSamples"/>).</param>
public sealed record PosteriorSuiteOptions(
    int Seed = 0, double DsFMinutes = 10, double DsNfMinutes = 10, int TrainCells = 20, int ValidationCells = 10, int TestCells = 20,
    int Frames = 10_000, double FrameRateHz = 60, int Samples = 30, double IsolationMs = 500, double WindowMs = 50, int TimingTraces = 5,
    int DsNfSamples = SuiteSteps.DsNfFineTuningSamples)
{
    /// <summary>Throws if a value is out of range.</summary>
    public PosteriorSuiteOptions Validate()
    {
        if (!(DsFMinutes > 0) || !(DsNfMinutes > 0)) throw new ArgumentOutOfRangeException(nameof(DsFMinutes), $"training budgets must be > 0 minutes, got {DsFMinutes} and {DsNfMinutes}");
        SuiteSteps.CheckSplits(TrainCells, ValidationCells, TestCells, Frames);
        if (Samples < 2) throw new ArgumentOutOfRangeException(nameof(Samples), $"count variances need >= 2 samples, got {Samples}");
        if (!(WindowMs >= 0) || !(IsolationMs > WindowMs)) throw new ArgumentOutOfRangeException(nameof(IsolationMs), $"need isolation > window >= 0 ms, got {IsolationMs} and {WindowMs}");
        if (TimingTraces < 1) throw new ArgumentOutOfRangeException(nameof(TimingTraces), $"timing traces must be >= 1, got {TimingTraces}");
        return this;
    }
}

/// <summary>One recognition network's row in the posterior suite.</summary>
/// <param name="Method">Network.</param>
/// <param name="MeanCorrelation">Mean Pearson r of its probabilities over test traces.</param>
/// <param name="CorrelationSem">Standard error of that mean.</param>
/// <param name="IsolatedSpikes">Isolated true spikes scored.</param>
/// <param name="MeanCount">Mean over isolated spikes of the mean sampled count in the window (ideal: 1).</param>
/// <param name="MeanCountVariance">Mean over isolated spikes of the count's variance across samples (ideal: 0).</param>
/// <param name="FractionExactlyOne">Mean over isolated spikes of the fraction of samples with exactly one spike in the window.</param>
/// <param name="LogProbabilityOfTruth">Mean over test traces of <c>log q(true train | f)</c>, in nats per trace.</param>
/// <param name="LogProbabilitySem">Standard error of that mean.</param>
/// <param name="MsPerTrace">Inference time per trace on one thread (DS-NF: with its default 30 samples).</param>
/// <param name="Note">How it was trained.</param>
public sealed record PosteriorScore(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("mean_correlation")] double MeanCorrelation,
    [property: JsonPropertyName("correlation_sem")] double CorrelationSem,
    [property: JsonPropertyName("isolated_spikes")] int IsolatedSpikes,
    [property: JsonPropertyName("mean_count")] double MeanCount,
    [property: JsonPropertyName("mean_count_variance")] double MeanCountVariance,
    [property: JsonPropertyName("fraction_exactly_one")] double FractionExactlyOne,
    [property: JsonPropertyName("log_q_truth_nats_per_trace")] double LogProbabilityOfTruth,
    [property: JsonPropertyName("log_q_truth_sem")] double LogProbabilitySem,
    [property: JsonPropertyName("ms_per_trace")] double MsPerTrace,
    [property: JsonPropertyName("note")] string Note);

/// <summary>The posterior suite's outcome.</summary>
public sealed record PosteriorReport(
    [property: JsonPropertyName("suite")] string Suite,
    [property: JsonPropertyName("bin_ms")] double BinMs,
    [property: JsonPropertyName("frames_per_trace")] int FramesPerTrace,
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("window_frames")] int WindowFrames,
    [property: JsonPropertyName("isolation_frames")] int IsolationFrames,
    [property: JsonPropertyName("rows")] IReadOnlyList<PosteriorScore> Rows)
{
    /// <summary>Writes the report as JSON (atomically).</summary>
    public void WriteJson(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, ReportJson.Options) + "\n");
}

/// <summary>
/// The paper's fig. 2A–B as a benchmark: on SCDF simulations (indicator binding, paper protocol), train DS-F and
/// DS-NF (warm-started from the DS-F) without ground truth, draw posterior samples for unseen test traces, and
/// compare correlation, the spread of the sampled spike count around isolated true spikes, and the
/// log-probability each posterior gives the true spike train.
/// </summary>
public static class PosteriorSuite
{
    /// <summary>Runs the suite; <paramref name="train"/> wraps each training run (for progress display).</summary>
    public static PosteriorReport Run(PosteriorSuiteOptions options, Action<string> log, TrainingRunner train)
    {
        options.Validate();
        var protocol = ScdfSimulationProtocol.Paper;
        var (training, validation, test) = SuiteSteps.SimulateSplits((cells, seed) => protocol.Simulate(cells, SuiteSteps.PaperRatesHz, options.Frames, options.FrameRateHz, seed),
            options.TrainCells, options.ValidationCells, options.TestCells, options.Seed, "SCDF", log);
        var data = new TrainingData(training.Calcium, validation.Calcium);
        var generative = ModelRegistry.CreateGenerative("scdf");

        var dsf = new DsF(new DsFOptions(FrameRateHz: options.FrameRateHz), new Random(options.Seed));
        var f = SuiteSteps.Train("DS-F", generative, dsf, new TrainingOptions(MaxMinutes: options.DsFMinutes, Seed: options.Seed), data, options.FrameRateHz, "scdf-sim", train, log);
        var dsnf = new DsNf(new DsNfOptions(new DsFOptions(FrameRateHz: options.FrameRateHz)), new Random(options.Seed));
        dsnf.WarmStartFrom(dsf);
        var nf = SuiteSteps.Train("DS-NF", generative, dsnf, new TrainingOptions(Samples: options.DsNfSamples, MaxMinutes: options.DsNfMinutes, Seed: options.Seed), data, options.FrameRateHz, "scdf-sim", train, log, f.Trainer);

        int window = (int)Math.Round(options.WindowMs / 1000 * options.FrameRateHz), isolation = (int)Math.Round(options.IsolationMs / 1000 * options.FrameRateHz);
        var rows = new List<PosteriorScore>();
        foreach (var (name, model, note) in new[] { ("DS-F", f.Model, f.Note), ("DS-NF", nf.Model, $"from DS-F, K={options.DsNfSamples}, " + nf.Note) })
        {
            log($"sampling {name} posteriors");
            rows.Add(Score(name, model, note, test, options, window, isolation));
        }
        return new PosteriorReport("scdf-sim", SpikeMetrics.SimulatedBinMs, options.Frames, options.Samples, window, isolation, rows);
    }

    private static PosteriorScore Score(string name, SpikeModel model, string note, SimulatedDataset test, PosteriorSuiteOptions options, int window, int isolation)
    {
        int n = test.Calcium.Count;
        var correlation = new double[n];
        var logProbability = new double[n];
        var counts = new IReadOnlyList<IsolatedSpikeCount>[n];
        Parallel.For(0, n, Parallelism.Options, i =>
        {
            var input = InputNormalization.Apply(test.Calcium.Traces[i]);
            var truth = test.Spikes.Traces[i];
            var posterior = model.Recognition.Posterior(input, options.Samples, new Random(SpikeInferenceMethods.TraceSeed(options.Seed, i)));
            correlation[i] = SpikeMetrics.Pearson(SpikeMetrics.Bin(posterior.Probabilities, options.FrameRateHz, SpikeMetrics.SimulatedBinMs),
                SpikeMetrics.Bin(truth, options.FrameRateHz, SpikeMetrics.SimulatedBinMs));
            counts[i] = PosteriorMetrics.IsolatedSpikeCounts(truth, posterior.Samples, isolation, window);
            logProbability[i] = PosteriorMetrics.LogProbabilityOfTruth(model.Recognition, input, truth);
        });
        var all = counts.SelectMany(c => c).ToList();
        double Average(Func<IsolatedSpikeCount, double> value) => all.Count == 0 ? double.NaN : all.Average(value);
        double ms = SuiteSteps.TimePerTrace(new DeepSpikeMethod(model), test.Calcium, options.TimingTraces);
        return new PosteriorScore(name, SpikeMetrics.Mean(correlation), SpikeMetrics.StandardError(correlation), all.Count,
            Average(c => c.MeanCount), Average(c => c.CountVariance), Average(c => c.FractionExactlyOne),
            SpikeMetrics.Mean(logProbability), SpikeMetrics.StandardError(logProbability), ms, note);
    }
}
