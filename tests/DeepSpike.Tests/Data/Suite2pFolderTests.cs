using DeepSpike.Data;
using DeepSpike.Preprocessing;

namespace DeepSpike.Tests.Data;

public sealed class Suite2pFolderTests : IDisposable
{
    private const int Rois = 4, Frames = 3000;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float[][] Fluorescence() =>
        Enumerable.Range(0, Rois).Select(roi => Enumerable.Range(0, Frames).Select(t => 500f + roi + (t % 300 < 20 ? 200f : 0f) + 0.7f * (100 + t % 7)).ToArray()).ToArray();

    private static float[][] Neuropil() =>
        Enumerable.Range(0, Rois).Select(roi => Enumerable.Range(0, Frames).Select(t => 100f + t % 7).ToArray()).ToArray();

    /// <summary>A plane folder as suite2p writes it: ROIs 0 and 2 are cells, ops.npy has fs = 15.</summary>
    private void WritePlane(bool ops = true, bool neuropil = true, bool isCell = true, double[,]? isCellValues = null)
    {
        File.WriteAllBytes(_dir.File("F.npy"), NpyTestFiles.Float32(Fluorescence()));
        if (neuropil) File.WriteAllBytes(_dir.File("Fneu.npy"), NpyTestFiles.Float32(Neuropil()));
        if (isCell) File.WriteAllBytes(_dir.File("iscell.npy"), NpyTestFiles.Float64(isCellValues ?? new double[,] { { 1, 0.93 }, { 0, 0.2 }, { 1, 0.61 }, { 0, 0.05 } }));
        if (ops) File.WriteAllBytes(_dir.File("ops.npy"), NpyTestFiles.ObjectArray(NpyTestFiles.PickleDictProtocol4(("nplanes", 1), ("fs", 15.0), ("tau", 1.0))));
    }

    [Fact]
    public void Load_PlaneFolder_CellsOnlyWithNeuropilAndRateFromOps()
    {
        WritePlane();

        Recording recording = Suite2pFolder.Load(_dir.Path);

        Assert.Equal(["roi0", "roi2"], recording.Fluorescence.Names);
        Assert.Equal(Fluorescence()[2], recording.Fluorescence["roi2"]);
        Assert.NotNull(recording.Neuropil);
        Assert.Equal(["roi0", "roi2"], recording.Neuropil.Names);
        Assert.Equal(Neuropil()[2], recording.Neuropil["roi2"]);
        Assert.Equal(15, recording.FrameRateHz);
        Assert.Contains("2 of 4 ROIs are cells", recording.Description);
        Assert.Contains("from ops.npy", recording.Description);
    }

    [Fact]
    public void Load_GivenFrameRate_WinsOverOps()
    {
        WritePlane();

        Assert.Equal(30, Suite2pFolder.Load(_dir.Path, frameRateHz: 30).FrameRateHz);
    }

    [Fact]
    public void Load_NoOpsButFrameRateGiven_Loads()
    {
        WritePlane(ops: false);

        Assert.Equal(9.5, Suite2pFolder.Load(_dir.Path, 9.5).FrameRateHz);
    }

    [Fact]
    public void Load_NoOpsNoFrameRate_ErrorNamingFolder()
    {
        WritePlane(ops: false);

        var error = Assert.Throws<DataFormatException>(() => Suite2pFolder.Load(_dir.Path));

        Assert.Equal(_dir.Path, error.FilePath);
        Assert.Contains("frame rate unknown: there is no ops.npy", error.Message);
        Assert.Equal(FormatRemedy.GiveFrameRate, error.Remedy);
    }

    [Fact]
    public void Load_OpsWithoutFs_ErrorNamingFolder()
    {
        WritePlane(ops: false);
        File.WriteAllBytes(_dir.File("ops.npy"), NpyTestFiles.ObjectArray(NpyTestFiles.PickleDictProtocol4(("nplanes", 1))));

        var error = Assert.Throws<DataFormatException>(() => Suite2pFolder.Load(_dir.Path));

        Assert.Equal(_dir.Path, error.FilePath);
        Assert.Contains("ops.npy has no readable number under 'fs'", error.Message);
    }

    [Fact]
    public void Load_CorruptOps_ErrorSaysWhy()
    {
        WritePlane(ops: false);
        _dir.WriteText("ops.npy", "not numpy");

        var error = Assert.Throws<DataFormatException>(() => Suite2pFolder.Load(_dir.Path));

        Assert.Contains("ops.npy cannot be read (is not a NumPy .npy file", error.Message);
    }

    [Fact]
    public void Load_NoNeuropilFile_NeuropilNull()
    {
        WritePlane(neuropil: false);

        Assert.Null(Suite2pFolder.Load(_dir.Path).Neuropil);
    }

    [Fact]
    public void Load_NoIsCell_ErrorNamingFile()
    {
        WritePlane(isCell: false);

        var error = Assert.Throws<DataFormatException>(() => Suite2pFolder.Load(_dir.Path));

        Assert.Equal(_dir.File("iscell.npy"), error.FilePath);
    }

    [Fact]
    public void Load_IsCellRowsDisagree_Error()
    {
        WritePlane(isCellValues: new double[,] { { 1, 0.9 }, { 1, 0.9 } });

        var error = Assert.Throws<DataFormatException>(() => Suite2pFolder.Load(_dir.Path));

        Assert.Contains("has shape (2, 2) but F.npy has 4 ROIs", error.Message);
    }

    [Fact]
    public void Load_NoCells_Error()
    {
        WritePlane(isCellValues: new double[,] { { 0, 0.1 }, { 0, 0.1 }, { 0, 0.1 }, { 0, 0.1 } });

        var error = Assert.Throws<DataFormatException>(() => Suite2pFolder.Load(_dir.Path));

        Assert.Contains("marks none of the 4 ROIs as a cell", error.Message);
    }

    [Fact]
    public void Load_NeuropilShapeDisagrees_ErrorNamingFneu()
    {
        WritePlane(neuropil: false);
        File.WriteAllBytes(_dir.File("Fneu.npy"), NpyTestFiles.Float32([[1f, 2f]]));

        var error = Assert.Throws<DataFormatException>(() => Suite2pFolder.Load(_dir.Path));

        Assert.Equal(_dir.File("Fneu.npy"), error.FilePath);
        Assert.Contains($"has shape (1, 2) but F.npy has ({Rois}, {Frames})", error.Message);
    }

    [Fact]
    public void Load_Suite2pRootInsteadOfPlane_ErrorPointsToPlane0()
    {
        Directory.CreateDirectory(_dir.File("plane0"));

        var error = Assert.Throws<DataFormatException>(() => Suite2pFolder.Load(_dir.Path));

        Assert.Contains("pass a plane folder such as", error.Message);
        Assert.Contains("plane0", error.Message);
    }

    [Fact]
    public void RecordingLoad_PlaneFolder_PreprocessesNeuropilCorrectedCells()
    {
        WritePlane();

        PreprocessingResult result = Preprocessor.Run(Recording.Load(_dir.Path), new PreprocessingOptions { BaselineWindowSeconds = 20 });

        // F − 0.7 F_neu = 500 + roi (+200 in 20 of every 300 frames): F₀ = 500 + roi, ΔF/F is 0 or 200 / F₀.
        float[] dff = result.Traces["roi2"];
        Assert.Equal(0f, dff[100], 1e-4f);
        Assert.Equal(200f / 502f, dff[310], 1e-4f);
        Assert.All(result.Reports, r => Assert.True(r.Kept));
    }

    [Fact]
    public void RecordingLoad_PlaneFolderWithSeparateNeuropil_Refused()
    {
        WritePlane();

        var error = Assert.Throws<DataFormatException>(() => Recording.Load(_dir.Path, neuropilPath: _dir.File("Fneu.npy")));

        Assert.Contains("brings its own Fneu.npy", error.Message);
    }
}
