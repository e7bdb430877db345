using DeepSpike.Data;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Recognition;

namespace DeepSpike.Tests.Models;

public sealed class SpikeModelTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("deepspike-model-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static SpikeModel NewModel(int seed = 1) =>
        new(new DsF(new DsFOptions(Channels: 4, Kernels: [5, 3], Dilations: [1, 2]), new Random(seed)), "scf", 60,
            new ModelInfo("test", "none", "none", 0, double.NaN));

    private static TraceSet Traces()
    {
        var rng = new Random(2);
        var traces = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 500).Select(_ => (float)rng.NextDouble()).ToArray()).ToList();
        return new TraceSet(["a", "b", "c"], traces, 60);
    }

    [Fact]
    public void SaveThenLoad_SameWeights_GivesIdenticalInference()
    {
        var model = NewModel();
        string path = Path.Combine(folder, "m.dsmodel");
        model.Save(path);
        var loaded = SpikeModel.Load(path);
        var before = SpikeInference.Run(model, Traces()).Probabilities;
        var after = SpikeInference.Run(loaded, Traces()).Probabilities;
        for (int i = 0; i < before.Count; i++) Assert.Equal(before.Traces[i], after.Traces[i]);
        Assert.Equal("scf", loaded.GenerativeName);
        Assert.True(double.IsNaN(loaded.Info.ValidationBoundPerFrame));
    }

    [Fact]
    public void Load_FlippedByte_ReportsChecksumWithFileName()
    {
        string path = Path.Combine(folder, "m.dsmodel");
        NewModel().Save(path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => SpikeModel.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void Load_TruncatedFile_Throws()
    {
        string path = Path.Combine(folder, "m.dsmodel");
        NewModel().Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        Assert.Throws<InvalidDataException>(() => SpikeModel.Load(path));
    }

    [Theory]
    [InlineData("hello, I am a CSV\n1,2,3\n")]
    [InlineData("")]
    public void Load_ForeignFile_SaysNotAModel(string contents)
    {
        string path = Path.Combine(folder, "foreign.dsmodel");
        File.WriteAllText(path, contents);
        var e = Assert.Throws<InvalidDataException>(() => SpikeModel.Load(path));
        Assert.Contains("not a DeepSpike model", e.Message);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingPath()
    {
        string path = Path.Combine(folder, "absent.dsmodel");
        var e = Assert.Throws<FileNotFoundException>(() => SpikeModel.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Builtin_IsEmbeddedAndRunsAt60Hz()
    {
        var model = SpikeModel.Builtin();
        Assert.Equal(60, model.FrameRateHz);
        var result = SpikeInference.Run(model, Traces());
        Assert.All(result.Probabilities.Traces, p => Assert.All(p, v => Assert.InRange(v, 0f, 1f)));
    }

    [Theory]
    [InlineData("gcamp6s", "GCaMP6s")]
    [InlineData("gcamp6f", "GCaMP6f")]
    [InlineData("ogb1", "OGB-1")]
    public void Builtin_RealDataModels_RecordTheirIndicatorAndAreFoundByIt(string name, string indicator)
    {
        var model = SpikeModel.Builtin(name);

        Assert.Equal(indicator, model.Info.Indicator);
        Assert.InRange(model.FrameRateHz, 60, 60.1); // GENIE models keep the recordings' 60.06 Hz
        Assert.Equal("scf-ar2", model.GenerativeName);
        Assert.Contains("labels:", model.Info.TrainingData);
        Assert.Equal(name, SpikeModel.BuiltinForIndicator(indicator.ToLowerInvariant()));
        var result = SpikeInference.Run(model, Traces());
        Assert.All(result.Probabilities.Traces, p => Assert.All(p, v => Assert.InRange(v, 0f, 1f)));
    }

    [Fact]
    public void BuiltinForIndicator_UnknownIndicator_IsNull() => Assert.Null(SpikeModel.BuiltinForIndicator("jRGECO1a"));

    [Fact]
    public void Run_InputAtOtherFrameRate_ResamplesAndKeepsInputLength()
    {
        var traces = Traces().WithFrameRate(30);
        var result = SpikeInference.Run(NewModel(), traces);
        Assert.True(result.Resampled);
        for (int i = 0; i < traces.Count; i++) Assert.Equal(traces.Traces[i].Length, result.Probabilities.Traces[i].Length);
    }

    [Fact]
    public void Run_ConstantTrace_ErrorNamesTrace()
    {
        var traces = new TraceSet(["flat"], [Enumerable.Repeat(1f, 300).ToArray()], 60);
        var e = Assert.ThrowsAny<Exception>(() => SpikeInference.Run(NewModel(), traces));
        var inner = e is AggregateException a ? a.InnerExceptions[0] : e;
        Assert.Contains("'flat'", inner.Message);
        Assert.Contains("constant", inner.Message);
    }
}
