using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Dynamics;
using DeepSpike.Simulation;

namespace DeepSpike.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class SimulateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Simulate(string folder, int seed) =>
        CliHost.Succeed("simulate", "--cells", "2", "--rates", "0.5,1", "--frames", "500", "--frame-rate", "30", "--seed", seed.ToString(), "--out", _dir.Sub(folder)).StdOut;

    [Fact]
    public void Simulate_TwoCellsTwoRates_WritesFourTracesEqualToLibrarySimulation()
    {
        Simulate("sim", seed: 3);

        var data = Dataset.Load(_dir.Sub("sim"));
        var reference = ScfSimulationProtocol.Paper.Simulate(2, [0.5, 1], 500, 30, seed: 3);

        string[] names = ["cell000_r0.5", "cell000_r1", "cell001_r0.5", "cell001_r1"];
        Assert.Equal(names, data.Calcium.Names);
        Assert.Equal(names, data.Spikes!.Names);
        Assert.Equal(30, data.FrameRateHz);
        for (int j = 0; j < names.Length; j++)
        {
            Assert.Equal(500, data.Calcium.Traces[j].Length);
            Assert.Equal(reference.Calcium.Traces[j], data.Calcium.Traces[j]);
            Assert.Equal(reference.Spikes.Traces[j], data.Spikes.Traces[j]);
            Assert.All(data.Spikes.Traces[j], s => Assert.True(s is 0f or 1f));
        }

        var traces = data.Meta.Traces!;
        Assert.Equal(names, traces.Select(t => t.Name));
        for (int j = 0; j < names.Length; j++)
        {
            var parameters = traces[j].Parameters;
            Assert.InRange(parameters["tau_decay_s"], 0.5, 1.0);
            Assert.InRange(parameters["snr"], 2.0, 5.0);
            Assert.Equal(reference.Meta.Traces![j].Parameters["tau_decay_s"], parameters["tau_decay_s"]);
            Assert.Equal(reference.Meta.Traces![j].Parameters["snr"], parameters["snr"]);
        }
    }

    [Fact]
    public void Simulate_SameSeedTwice_WritesIdenticalFiles()
    {
        Simulate("first", seed: 7);
        Simulate("second", seed: 7);

        foreach (string file in new[] { Dataset.CalciumFileName, Dataset.SpikesFileName, Dataset.MetaFileName })
            Assert.Equal(File.ReadAllBytes(Path.Combine(_dir.Sub("first"), file)), File.ReadAllBytes(Path.Combine(_dir.Sub("second"), file)));
    }

    [Fact]
    public void Simulate_DifferentSeeds_WriteDifferentData()
    {
        Simulate("first", seed: 7);
        Simulate("second", seed: 8);

        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_dir.Sub("first"), Dataset.CalciumFileName)), File.ReadAllBytes(Path.Combine(_dir.Sub("second"), Dataset.CalciumFileName)));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_dir.Sub("first"), Dataset.MetaFileName)), File.ReadAllBytes(Path.Combine(_dir.Sub("second"), Dataset.MetaFileName)));
    }

    [Fact]
    public void Simulate_Lorenz_WritesTrainingAndValidationTrialDatasetsEqualToLibrary()
    {
        var stdout = CliHost.Succeed("simulate", "--generative", "lorenz", "--conditions", "2", "--cells", "4", "--seed", "9", "--out", _dir.Sub("lorenz")).StdOut;

        var reference = (LorenzProtocol.Paper with { Conditions = 2, Cells = 4 }).Simulate(9);
        var training = TrialDataset.Load(_dir.Sub("lorenz/train"));
        var validation = TrialDataset.Load(_dir.Sub("lorenz/validation"));
        Assert.Equal((32, 100, 4), (training.Trials, training.Bins, training.Cells));
        Assert.Equal((8, 100, 4), (validation.Trials, validation.Bins, validation.Cells));
        Assert.Equal(reference.Training.Fluorescence.Data, training.Fluorescence.Data);
        Assert.Equal(reference.Validation.Latents!.Data, validation.Latents!.Data);
        Assert.Contains("wrote 32 trials × 100 bins of 0.1 s × 4 cells", stdout);
    }

    [Fact]
    public void Simulate_LorenzDefault_IsTheSpecBenchmarkSize()
    {
        CliHost.Succeed("simulate", "--generative", "lorenz", "--out", _dir.Sub("lorenz"));

        Assert.Equal([1040, 100, 30], NpyReader.ReadHeader(_dir.Sub("lorenz/train/fluorescence.npy")).Shape.Select(n => (int)n));
        Assert.Equal([260, 100, 3], NpyReader.ReadHeader(_dir.Sub("lorenz/validation/latents.npy")).Shape.Select(n => (int)n));
    }
}
