using DeepSpike.Baselines;
using DeepSpike.Benchmarks;
using DeepSpike.Data;
using DeepSpike.Simulation;
using DeepSpike.Training;

namespace DeepSpike.Tests.Benchmarks;

/// <summary>
/// The benchmark suites end to end at toy size (a few hundred training iterations' worth of seconds, short traces):
/// they must run every stage and report finite scores for every method. Accuracy itself is measured by the
/// <c>deepspike bench</c> commands, not here.
/// </summary>
public sealed class SuiteSmokeTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("deepspike-suites-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static readonly TrainingRunner Quietly = (_, work) => work(null);

    [Fact]
    public void PosteriorSuite_ToySize_ScoresDsfAndDsnfWithFiniteNumbers()
    {
        var options = new PosteriorSuiteOptions(DsFMinutes: 0.02, DsNfMinutes: 0.02, TrainCells: 1, ValidationCells: 1, TestCells: 2, Frames: 1200, Samples: 4, TimingTraces: 1);

        var report = PosteriorSuite.Run(options, _ => { }, Quietly);

        Assert.Equal(["DS-F", "DS-NF"], report.Rows.Select(r => r.Method));
        Assert.All(report.Rows, r =>
        {
            Assert.True(double.IsFinite(r.MeanCorrelation) && double.IsFinite(r.LogProbabilityOfTruth) && r.LogProbabilityOfTruth < 0, r.ToString());
            Assert.True(r.IsolatedSpikes > 0 && r.MeanCountVariance >= 0 && r.FractionExactlyOne is >= 0 and <= 1, r.ToString());
        });
        string json = Path.Combine(folder, "posterior.json");
        report.WriteJson(json);
        Assert.Contains("\"log_q_truth_nats_per_trace\"", File.ReadAllText(json));
    }

    [Fact]
    public void AmortizationSuite_ToySize_ScoresBothWaysOnEveryTestTrace()
    {
        var options = new AmortizationSuiteOptions(MaxMinutes: 0.02, PerCellMinutes: 0.01, TrainCells: 1, ValidationCells: 1, TestCells: 2, Frames: 1200);

        var report = AmortizationSuite.Run(options, _ => { }, Quietly);

        Assert.Equal(["amortized", "per-cell"], report.Rows.Select(r => r.Method));
        Assert.All(report.Rows, r => Assert.Equal(6, r.N));
        Assert.All(report.Rows, r => Assert.True(double.IsFinite(r.MeanCorrelation) && r.TrainingSeconds > 0, r.ToString()));
    }

    /// <summary>Four "neurons", two recordings each, in the shared-data naming convention, as a dataset folder.</summary>
    private void ToyRecordings(string name, int seed, double frameRateHz = 60)
    {
        var sim = ScfSimulationProtocol.Paper.Simulate(4, [0.9, 1.1], 1500, frameRateHz, seed: seed);
        var names = sim.Calcium.Names.Select((_, i) => $"cell{i / 2}_rec{i % 2 + 1}").ToList();
        string dataset = Path.Combine(folder, name);
        Directory.CreateDirectory(dataset);
        TraceCsv.Write(Path.Combine(dataset, Dataset.CalciumFileName), names, sim.Calcium.Traces);
        TraceCsv.Write(Path.Combine(dataset, Dataset.SpikesFileName), names, sim.Spikes.Traces);
        new DatasetMeta(frameRateHz).Write(Path.Combine(dataset, Dataset.MetaFileName));
    }

    [Fact]
    public void RealDataSuite_ToyRecordings_CrossValidatesOverCellsAndRunsBaselines()
    {
        ToyRecordings("toy", seed: 4);
        var options = new RealDataSuiteOptions(folder, ["toy"], Folds: 2, MaxMinutes: 0.01, DsNfMinutes: 0.01, Generative: "scf", MaxLagFrames: 2, TimingTraces: 1);

        var report = RealDataSuite.Run("toy", options, [BaselineMethods.Create("oasis-ar1")], _ => { }, Quietly);

        Assert.Equal(["DS-F", "DS-NF", "oasis-ar1"], report.Rows.Select(r => r.Method));
        Assert.All(report.Rows, r => Assert.Equal(8, r.N));
        Assert.All(report.Rows, r => Assert.True(double.IsFinite(r.MeanCorrelation) && r.CorrelationAtBestLag >= r.MeanCorrelation && Math.Abs(r.BestLagFrames) <= 2, r.ToString()));
        // 8 recordings of 4 neurons: the per-neuron diagnostic scores each neuron once.
        Assert.All(report.Rows, r => Assert.True(r.Cells == 4 && double.IsFinite(r.CellCorrelation), r.ToString()));
    }

    [Fact]
    public void RealDataSuite_SemiSupervisedAndSupervisedReference_TakeLabelsFromTheOtherDatasetAtItsRate()
    {
        ToyRecordings("toy", seed: 4);
        ToyRecordings("other", seed: 5, frameRateHz: 100);
        var log = new List<string>();
        var options = new RealDataSuiteOptions(folder, ["toy"], Folds: 2, MaxMinutes: 0.01, DsNfMinutes: 0, Generative: "scf", MaxLagFrames: 1, TimingTraces: 1,
            SemiSupervised: true, LabelTrainingCells: true, SupervisedReference: true);

        var report = RealDataSuite.Run("toy", options, [], log.Add, Quietly);

        Assert.Equal(["DS-F", "DS-F semi-supervised", "DS-F supervised (reference)"], report.Rows.Select(r => r.Method));
        Assert.All(report.Rows, r => Assert.True(r.N == 8 && double.IsFinite(r.MeanCorrelation), r.ToString()));
        Assert.Contains(log, line => line.Contains("semi-supervised labels from other (8 recordings at 60 Hz)"));
        Assert.Contains("and of the training cells", report.Rows[1].Note);
    }
}
