using DeepSpike.Baselines;
using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Preprocessing;
using DeepSpike.Tests.Data;

namespace DeepSpike.Cli.Tests;

/// <summary>
/// What <c>--data</c> accepts besides dataset folders (suite2p plane folders, <c>.npy</c> files, CSV with a neuropil
/// CSV) and the preprocessing policy for gaps, checked against the fixture's ΔF/F traces the raw inputs are built
/// from, and against the library run on the same traces.
/// </summary>
/// <remarks>
/// Raw inputs are <c>F = 400 · (2 + c) + 0.7 · F_neu</c> with c a fixture trace (ΔF/F-like, min −0.77) and F_neu a
/// slow oscillation. After neuropil subtraction the 100 s baseline window covers the whole 33 s trace, so F₀ is one
/// number and ΔF/F = (c − c₅) / (2 + c₅) is a positive affine map of c; the network normalises its input by median
/// and noise σ, so the probabilities must equal the fixture's up to float rounding.
/// </remarks>
[Collection(CliCollection.Name)]
public sealed class FluorescenceInputTests(TrainedModelFixture fixture) : IDisposable
{
    private const double FrameRateHz = 60;
    private const float RawScale = 400, RawOffset = 2, NeuropilFactor = 0.7f;

    /// <summary>Float rounding in F − 0.7·F_neu (values near 1000) reaches the probabilities as about 1e-5.</summary>
    private const float RawTolerance = 1e-3f;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Output => _dir.Sub("out");

    private TraceSet Calcium => fixture.Data.Calcium;

    private static float[] NeuropilTrace(int frames, int cell) =>
        Enumerable.Range(0, frames).Select(t => 300f + 200f * MathF.Sin(2 * MathF.PI * t / (97 + 13 * cell))).ToArray();

    private static float[] Raw(float[] deltaFOverF, float[] neuropil) =>
        deltaFOverF.Select((c, t) => RawScale * (RawOffset + c) + NeuropilFactor * neuropil[t]).ToArray();

    private TraceSet LibraryProbabilities(TraceSet traces) => SpikeInference.Run(SpikeModel.Load(fixture.ModelPath), traces).Probabilities;

    private static TraceSet ReadOutput(string folder, string file = InferFile) => TraceCsv.Read(Path.Combine(folder, file));

    private const string InferFile = "probabilities.csv", NoiseFile = "noise_levels.csv";

    /// <summary>Asserts that output trace <paramref name="name"/> equals reference trace <paramref name="referenceIndex"/> within the raw tolerance.</summary>
    private static void AssertClose(TraceSet reference, int referenceIndex, TraceSet output, string name)
    {
        float[] expected = reference.Traces[referenceIndex], actual = output[name];
        Assert.Equal(expected.Length, actual.Length);
        float worst = expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
        Assert.True(worst < RawTolerance, $"trace '{name}' differs from reference trace {referenceIndex} by up to {worst}");
    }

    /// <summary>A dataset folder (calcium.csv, meta.json at 60 Hz) holding the fixture's traces after <paramref name="edit"/>.</summary>
    private string DatasetWith(Action<float[][]> edit)
    {
        float[][] traces = Calcium.Traces.Select(t => (float[])t.Clone()).ToArray();
        edit(traces);
        string folder = _dir.Folder("data");
        File.WriteAllText(Path.Combine(folder, Dataset.CalciumFileName), Files.Csv(Calcium.Names, traces));
        File.WriteAllText(Path.Combine(folder, Dataset.MetaFileName), """{ "frame_rate_hz": 60 }""");
        return folder;
    }

    [Fact]
    public void Infer_Suite2pPlaneFolder_InfersTheCellsFromRawFluorescenceAndNeuropil()
    {
        int frames = Calcium.Traces[0].Length;
        float[] zeros = new float[frames];
        float[][] f = [Raw(Calcium.Traces[0], NeuropilTrace(frames, 0)), zeros, Raw(Calcium.Traces[1], NeuropilTrace(frames, 2)), zeros];
        float[][] fneu = [NeuropilTrace(frames, 0), zeros, NeuropilTrace(frames, 2), zeros];
        string plane = _dir.Folder("suite2p/plane0");
        File.WriteAllBytes(Path.Combine(plane, "F.npy"), NpyTestFiles.Float32(f));
        File.WriteAllBytes(Path.Combine(plane, "Fneu.npy"), NpyTestFiles.Float32(fneu));
        // ROIs 1 and 3 are all zeros: processed, they would be skipped with warnings; as non-cells they must not be read at all.
        File.WriteAllBytes(Path.Combine(plane, "iscell.npy"), NpyTestFiles.Float64(new double[,] { { 1, 0.9 }, { 0, 0.1 }, { 1, 0.8 }, { 0, 0.2 } }));
        File.WriteAllBytes(Path.Combine(plane, "ops.npy"), NpyTestFiles.ObjectArray(NpyTestFiles.PickleDictProtocol4(("nplanes", 1), ("fs", FrameRateHz))));

        var result = CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", plane, "--out", Output);

        var probabilities = ReadOutput(Output);
        Assert.Equal(["roi0", "roi2"], probabilities.Names);
        var reference = LibraryProbabilities(Calcium);
        AssertClose(reference, 0, probabilities, "roi0");
        AssertClose(reference, 1, probabilities, "roi2");
        var library = Preprocessor.Run(Suite2pFolder.Load(plane));
        Assert.Equal(LibraryProbabilities(library.Traces).Traces, probabilities.Traces);
        var noise = ReadOutput(Output, NoiseFile);
        Assert.Equal(["roi0", "roi2"], noise.Names);
        Assert.Equal(library.Reports.Select(r => (float)r.NoiseLevel), noise.Traces.Select(t => Assert.Single(t)));
        Assert.Contains("2 of 4 ROIs are cells", result.StdOut);
        Assert.Contains("60 Hz (from ops.npy)", result.StdOut);
        Assert.Contains("input is raw fluorescence", result.StdOut);
        Assert.Empty(result.StdErr);
    }

    [Fact]
    public void Infer_NpyWithNeuropilNpy_SubtractsTheNeuropilRowByRow()
    {
        int frames = Calcium.Traces[0].Length;
        float[][] neuropil = [NeuropilTrace(frames, 0), NeuropilTrace(frames, 1)];
        string traces = _dir.WriteBytes("F.npy", NpyTestFiles.Float32([Raw(Calcium.Traces[0], neuropil[0]), Raw(Calcium.Traces[1], neuropil[1])]));
        string neuropilFile = _dir.WriteBytes("Fneu.npy", NpyTestFiles.Float32(neuropil));

        CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", traces, "--frame-rate", "60", "--neuropil", neuropilFile, "--out", Output);
        CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", traces, "--frame-rate", "60", "--neuropil", neuropilFile,
            "--neuropil-factor", "0", "--out", _dir.Sub("uncorrected"));

        var probabilities = ReadOutput(Output);
        Assert.Equal(["roi0", "roi1"], probabilities.Names);
        var reference = LibraryProbabilities(Calcium);
        AssertClose(reference, 0, probabilities, "roi0");
        AssertClose(reference, 1, probabilities, "roi1");
        // r = 0 leaves the oscillating neuropil in, and the network sees it.
        var uncorrected = ReadOutput(_dir.Sub("uncorrected"));
        float change = reference.Traces[0].Zip(uncorrected["roi0"], (e, a) => MathF.Abs(e - a)).Max();
        Assert.True(change > 0.05f, $"--neuropil-factor 0 changed the probabilities by only {change}");
    }

    [Fact]
    public void Infer_CsvWithNeuropilCsv_MatchesNeuropilByTraceName()
    {
        int frames = Calcium.Traces[0].Length;
        float[][] neuropil = [NeuropilTrace(frames, 0), NeuropilTrace(frames, 1)];
        string raw = _dir.WriteText("raw/F.csv", Files.Csv(["a", "b"], [Raw(Calcium.Traces[0], neuropil[0]), Raw(Calcium.Traces[1], neuropil[1])]));
        // Columns in the other order: matched by name, not by position.
        string neuropilCsv = _dir.WriteText("raw/Fneu.csv", Files.Csv(["b", "a"], [neuropil[1], neuropil[0]]));

        var result = CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", raw, "--frame-rate", "60", "--neuropil", neuropilCsv, "--out", Output);

        var probabilities = ReadOutput(Output);
        Assert.Equal(["a", "b"], probabilities.Names);
        var reference = LibraryProbabilities(Calcium);
        AssertClose(reference, 0, probabilities, "a");
        AssertClose(reference, 1, probabilities, "b");
        Assert.Contains($"neuropil from '{neuropilCsv}'", result.StdOut);
        Assert.Contains("input is raw fluorescence", result.StdOut); // --neuropil makes CSV input raw by default
    }

    [Fact]
    public void Infer_ShortGaps_AreInterpolatedWithAWarningPerTrace()
    {
        // 5 NaN frames and 3 empty cells, both under 0.5 s (30 frames at 60 Hz).
        string folder = DatasetWith(t => { Array.Fill(t[0], float.NaN, 100, 5); Array.Fill(t[1], float.NaN, 1000, 3); });
        File.WriteAllText(Path.Combine(folder, Dataset.CalciumFileName),
            File.ReadAllText(Path.Combine(folder, Dataset.CalciumFileName)).Replace(",NaN\n", ",\n", StringComparison.Ordinal));

        var result = CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", folder, "--out", Output);

        Assert.Equal(
            ["warning: trace 'cell000_r1': 5 missing frame(s) in 1 gap(s) filled by linear interpolation",
             "warning: trace 'cell001_r1': 3 missing frame(s) in 1 gap(s) filled by linear interpolation"],
            result.ErrorLines);
        float[][] filled = Calcium.Traces.Select(t => (float[])t.Clone()).ToArray();
        Array.Fill(filled[0], float.NaN, 100, 5);
        Array.Fill(filled[1], float.NaN, 1000, 3);
        foreach (float[] trace in filled) GapFilling.FillShortGaps(trace, 30);
        var expected = LibraryProbabilities(new TraceSet(Calcium.Names, filled, FrameRateHz));
        var probabilities = ReadOutput(Output);
        Assert.Equal(Calcium.Names, probabilities.Names);
        Assert.Equal(expected.Traces, probabilities.Traces);
    }

    [Fact]
    public void Infer_GapLongerThanHalfASecond_SkipsThatTraceOnly()
    {
        string folder = DatasetWith(t => Array.Fill(t[0], float.NaN, 500, 100)); // 1.67 s

        var result = CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", folder, "--out", Output);

        Assert.Equal(
            ["warning: trace 'cell000_r1' skipped: has 1 gap(s) of missing values longer than 0.5 s (30 frames); the longest is frames 500–599 (100 frames, 1.67 s)",
             "warning: skipped 1 of 2 traces ('cell000_r1'); they are left out of the output"],
            result.ErrorLines);
        var probabilities = ReadOutput(Output);
        Assert.Equal(["cell001_r1"], probabilities.Names);
        Assert.Equal(LibraryProbabilities(Calcium)["cell001_r1"], probabilities["cell001_r1"]);
        Assert.Equal(["cell001_r1"], ReadOutput(Output, NoiseFile).Names);
        Assert.Contains("for 1 traces", result.StdOut);
    }

    [Fact]
    public void Infer_LongGapWithMaxGapRaised_IsFilledInstead()
    {
        string folder = DatasetWith(t => Array.Fill(t[0], float.NaN, 500, 100));

        var result = CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", folder, "--out", Output, "--max-gap-s", "2");

        Assert.Equal(["warning: trace 'cell000_r1': 100 missing frame(s) in 1 gap(s) filled by linear interpolation"], result.ErrorLines);
        Assert.Equal(Calcium.Names, ReadOutput(Output).Names);
    }

    [Fact]
    public void Deconvolve_ConstantTrace_IsSkippedAndTheOthersMatchTheLibrary()
    {
        string folder = DatasetWith(_ => { });
        string csv = Path.Combine(folder, Dataset.CalciumFileName);
        File.WriteAllText(csv, Files.Csv([.. Calcium.Names, "flat"], [.. Calcium.Traces, Enumerable.Repeat(1f, 2000).ToArray()]));

        var result = CliHost.Succeed("deconvolve", "--method", "oasis-ar1", "--data", folder, "--out", Output);

        Assert.Equal(
            ["warning: trace 'flat' skipped: is constant (1 in every frame): it holds no signal",
             "warning: skipped 1 of 3 traces ('flat'); they are left out of the output"],
            result.ErrorLines);
        var spikes = ReadOutput(Output);
        var expected = SpikeInferenceMethods.Run(BaselineMethods.Create("oasis-ar1"), Calcium);
        Assert.Equal(Calcium.Names, spikes.Names);
        Assert.Equal(expected.Traces, spikes.Traces);
        Assert.Equal(Calcium.Names, ReadOutput(Output, NoiseFile).Names);
    }
}
