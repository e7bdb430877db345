using DeepSpike.Data;

namespace DeepSpike.Cli.Tests.TestKit;

/// <summary>
/// Shared, read-only inputs for the CLI tests, made once through the CLI itself: a tiny simulated dataset
/// (2 cells × 1 rate × 2000 frames at 60 Hz) and a model trained on it for 30 iterations.
/// Tests copy what they modify.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    /// <summary>Arguments that keep training to about a second.</summary>
    public static readonly string[] QuickTraining = ["--samples", "8", "--chunk-frames", "200", "--batch-chunks", "2", "--threads", "1"];

    private readonly TempDirectory _dir = new();

    public TrainedModelFixture()
    {
        DataFolder = _dir.Sub("sim");
        CliHost.Succeed("simulate", "--cells", "2", "--rates", "1", "--frames", "2000", "--seed", "11", "--out", DataFolder);
        ModelPath = _dir.Sub("model.dsm");
        CliHost.Succeed(["train", "--data", DataFolder, "--out", ModelPath, "--max-iterations", "30", "--seed", "5", .. QuickTraining]);
        Data = Dataset.Load(DataFolder);
    }

    /// <summary>Folder with calcium.csv, spikes.csv and meta.json.</summary>
    public string DataFolder { get; }

    /// <summary>The dataset in <see cref="DataFolder"/>.</summary>
    public Dataset Data { get; }

    /// <summary>A valid model file trained on <see cref="DataFolder"/>.</summary>
    public string ModelPath { get; }

    public string CalciumCsv => Path.Combine(DataFolder, Dataset.CalciumFileName);

    public string SpikesCsv => Path.Combine(DataFolder, Dataset.SpikesFileName);

    public string MetaJson => Path.Combine(DataFolder, Dataset.MetaFileName);

    public void Dispose() => _dir.Dispose();
}
