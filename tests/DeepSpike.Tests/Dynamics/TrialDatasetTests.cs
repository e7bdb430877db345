using DeepSpike.Data;
using DeepSpike.Dynamics;
using DeepSpike.Tests.Data;

namespace DeepSpike.Tests.Dynamics;

/// <summary>Trial dataset folders: written and read back unchanged, and every bad file refused naming it.</summary>
public sealed class TrialDatasetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static TrialDataset Small() => (LorenzProtocol.Paper with { Conditions = 2, Cells = 3, KeptSteps = 20 }).Simulate(1).Training;

    [Fact]
    public void WriteThenLoad_AllFiles_RoundTripExactly()
    {
        TrialDataset data = Small();
        data.Write(_dir.Path);

        TrialDataset read = TrialDataset.Load(_dir.Path);

        Assert.Equal(data.Fluorescence.Data, read.Fluorescence.Data);
        Assert.Equal(data.Spikes!.Data, read.Spikes!.Data);
        Assert.Equal(data.Rates!.Data, read.Rates!.Data);
        Assert.Equal(data.Calcium!.Data, read.Calcium!.Data);
        Assert.Equal(data.Latents!.Data, read.Latents!.Data);
        Assert.Equal((32, 10, 3), (read.Trials, read.Bins, read.Cells));
        Assert.Equal(data.Meta.BinSeconds, read.Meta.BinSeconds);
        Assert.Equal(data.Meta.TrialNames, read.Meta.TrialNames);
        Assert.Equal(data.Meta.CellNames, read.Meta.CellNames);
        Assert.Equal(1, read.Meta.Seed);
    }

    [Fact]
    public void Load_WithoutTruth_NeverOpensTheTruthFiles()
    {
        Small().Write(_dir.Path);
        File.WriteAllText(_dir.File(TrialDataset.SpikesFileName), "not an npy file");

        TrialDataset read = TrialDataset.Load(_dir.Path, truth: false);

        Assert.Null(read.Spikes);
        Assert.Null(read.Latents);
    }

    [Fact]
    public void Load_SpikesAsPrimary_ReadsSpikesWithoutFluorescence()
    {
        TrialDataset data = Small();
        data.Write(_dir.Path);
        File.Delete(_dir.File(TrialDataset.FluorescenceFileName));

        TrialDataset read = TrialDataset.Load(_dir.Path, truth: false, primary: TrialDataset.SpikesFileName);

        Assert.Equal(data.Spikes!.Data, read.Spikes!.Data);
    }

    private DataFormatException LoadFails(string file)
    {
        var e = Assert.Throws<DataFormatException>(() => TrialDataset.Load(_dir.Path));
        Assert.Equal(_dir.File(file), e.FilePath);
        return e;
    }

    [Fact]
    public void Load_NaNInFluorescence_FailsNamingFileAndIndex()
    {
        TrialDataset data = Small();
        data.Fluorescence[1, 2, 0] = float.NaN;
        data.Write(_dir.Path);

        Assert.Contains("has a non-finite value (NaN) at [1, 2, 0]", LoadFails(TrialDataset.FluorescenceFileName).Message);
    }

    [Fact]
    public void Load_InfInRates_FailsNamingFile()
    {
        TrialDataset data = Small();
        data.Rates![0, 0, 2] = float.PositiveInfinity;
        data.Write(_dir.Path);

        Assert.Contains("non-finite value", LoadFails(TrialDataset.RatesFileName).Message);
    }

    [Fact]
    public void Load_NegativeSpikeCount_FailsNamingFile()
    {
        TrialDataset data = Small();
        data.Spikes![0, 0, 0] = -1;
        data.Write(_dir.Path);

        Assert.Contains("has a negative value (-1) at [0, 0, 0]", LoadFails(TrialDataset.SpikesFileName).Message);
    }

    [Fact]
    public void Load_ShapesDisagree_FailsNamingTheOddFile()
    {
        Small().Write(_dir.Path);
        NpyWriter.Write(_dir.File(TrialDataset.CalciumFileName), [32, 9, 3], new float[32 * 9 * 3]);

        Assert.Contains("has shape (32, 9, 3) but the dataset's other files are (32, 10, 3)", LoadFails(TrialDataset.CalciumFileName).Message);
    }

    [Fact]
    public void Load_LatentsMayHaveAnyWidth_ButNotOtherTrials()
    {
        Small().Write(_dir.Path);
        NpyWriter.Write(_dir.File(TrialDataset.LatentsFileName), [32, 10, 5], new float[32 * 10 * 5]);
        Assert.Equal(5, TrialDataset.Load(_dir.Path).Latents!.Channels);

        NpyWriter.Write(_dir.File(TrialDataset.LatentsFileName), [31, 10, 3], new float[31 * 10 * 3]);
        Assert.Contains("but the dataset's other files are (32, 10, k)", LoadFails(TrialDataset.LatentsFileName).Message);
    }

    [Fact]
    public void Load_TwoDimensionalFluorescence_FailsSayingThreeAreNeeded()
    {
        Small().Write(_dir.Path);
        NpyWriter.Write(_dir.File(TrialDataset.FluorescenceFileName), [32, 30], new float[32 * 30]);

        Assert.Contains("expected 3 dimensions (trials × bins × cells)", LoadFails(TrialDataset.FluorescenceFileName).Message);
    }

    [Fact]
    public void Load_WrongDtype_FailsNamingFile()
    {
        Small().Write(_dir.Path);
        File.WriteAllBytes(_dir.File(TrialDataset.FluorescenceFileName), NpyTestFiles.Build(NpyTestFiles.Header("<U4", "(2, 2, 2)"), new byte[2 * 2 * 2 * 16]));

        LoadFails(TrialDataset.FluorescenceFileName);
    }

    [Theory]
    [InlineData("""{ "bin_s": 0 }""", "'bin_s' must be > 0, got 0")]
    [InlineData("""{ "bin_s": -0.1 }""", "'bin_s' must be > 0, got -0.1")]
    [InlineData("""{ "bin_s": "fast" }""", "'bin_s' must be a number")]
    [InlineData("""{ "trial_names": [] }""", "missing 'bin_s'")]
    [InlineData("""{ "bin_s": 0.1, "cell_names": ["a", "b"] }""", "'cell_names' has 2 names but the data have 3")]
    [InlineData("""{ "bin_s": 0.1, "trial_names": [1, 2] }""", "'trial_names' must be a list of texts")]
    [InlineData("""[0.1]""", "expected a JSON object")]
    public void Load_BadMeta_FailsNamingMetaJson(string json, string problem)
    {
        Small().Write(_dir.Path);
        File.WriteAllText(_dir.File(TrialDataset.MetaFileName), json);

        Assert.Contains(problem, LoadFails(TrialDataset.MetaFileName).Message);
    }

    [Fact]
    public void Load_MissingFolderOrFluorescence_FailsNamingFolder()
    {
        var missing = Assert.Throws<DataFormatException>(() => TrialDataset.Load(_dir.File("nope")));
        Assert.Contains("folder not found", missing.Message);

        var empty = Assert.Throws<DataFormatException>(() => TrialDataset.Load(_dir.Path));
        Assert.Equal($"{_dir.Path}: has no fluorescence.npy", empty.Message);
    }
}
