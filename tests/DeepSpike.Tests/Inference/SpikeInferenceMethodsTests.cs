using DeepSpike.Data;
using DeepSpike.Engine;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Recognition;

namespace DeepSpike.Tests.Inference;

public sealed class SpikeInferenceMethodsTests
{
    /// <summary>Output derived from the seed only, and a rejection of any trace starting with 99.</summary>
    private sealed class SeedEcho : ISpikeInferenceMethod
    {
        public string Name => "seed-echo";
        public string OutputUnit => "seed";
        public float[] Infer(ReadOnlySpan<float> fluorescence, double frameRateHz, int seed)
        {
            if (fluorescence[0] == 99) throw new ArgumentOutOfRangeException(nameof(fluorescence), "the first frame is 99");
            var rng = new Random(seed);
            return Enumerable.Range(0, fluorescence.Length).Select(_ => (float)rng.NextDouble()).ToArray();
        }
    }

    private static TraceSet Traces(int count = 6) => new(
        Enumerable.Range(0, count).Select(i => $"t{i}").ToList(),
        Enumerable.Range(0, count).Select(i => Enumerable.Range(0, 50 + i).Select(t => (float)t).ToArray()).ToList(),
        30);

    [Fact]
    public void Run_KeepsNamesLengthsAndFrameRate()
    {
        var traces = Traces();
        var result = SpikeInferenceMethods.Run(new SeedEcho(), traces, seed: 3);
        Assert.Equal(traces.Names, result.Names);
        Assert.Equal(30, result.FrameRateHz);
        for (int i = 0; i < traces.Count; i++) Assert.Equal(traces.Traces[i].Length, result.Traces[i].Length);
    }

    [Fact]
    public void Run_SameSeed_SameOutputAtAnyThreadCount()
    {
        var traces = Traces(20);
        int before = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            var one = SpikeInferenceMethods.Run(new SeedEcho(), traces, seed: 5);
            Parallelism.MaxThreads = 4;
            var four = SpikeInferenceMethods.Run(new SeedEcho(), traces, seed: 5);
            for (int i = 0; i < traces.Count; i++) Assert.Equal(one.Traces[i], four.Traces[i]);
        }
        finally { Parallelism.MaxThreads = before; }
    }

    [Fact]
    public void TraceSeed_FixedAcrossProcessesAndDistinctPerTrace()
    {
        // Constants, not HashCode.Combine (which is salted per process): seeds must reproduce across runs.
        Assert.Equal(SpikeInferenceMethods.TraceSeed(0, 0), SpikeInferenceMethods.TraceSeed(0, 0));
        Assert.Equal(269_157_861, SpikeInferenceMethods.TraceSeed(0, 0));
        var seeds = Enumerable.Range(0, 1000).Select(i => SpikeInferenceMethods.TraceSeed(7, i)).ToHashSet();
        Assert.Equal(1000, seeds.Count);
        Assert.All(seeds, s => Assert.True(s >= 0));
    }

    [Fact]
    public void Run_MethodRejectsATrace_ThrowsNamingTheFirstSuchTrace()
    {
        var traces = Traces();
        traces.Traces[2][0] = 99;
        traces.Traces[4][0] = 99;
        var e = Assert.Throws<ArgumentException>(() => SpikeInferenceMethods.Run(new SeedEcho(), traces));
        Assert.Equal("trace 't2': the first frame is 99", e.Message);
    }

    [Fact]
    public void Run_UnknownFrameRate_Throws()
    {
        var traces = Traces().WithFrameRate(double.NaN);
        Assert.Contains("frame rate", Assert.Throws<ArgumentException>(() => SpikeInferenceMethods.Run(new SeedEcho(), traces)).Message);
    }

    [Theory]
    [InlineData(60.0)] // the model's rate: no resampling
    [InlineData(30.0)] // resampled to 60 Hz and summed back
    public void DeepSpikeMethod_Infer_MatchesSpikeInferenceRun(double rate)
    {
        var model = new SpikeModel(new DsF(new DsFOptions(Channels: 4, Kernels: [5, 3], Dilations: [1, 2]), new Random(1)), "scf", 60,
            new ModelInfo("test", "none", "none", 0, double.NaN));
        var rng = new Random(2);
        var traces = new TraceSet(["a", "b"], [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 400).Select(_ => (float)rng.NextDouble()).ToArray())], rate);
        var expected = SpikeInference.Run(model, traces).Probabilities;
        var method = new DeepSpikeMethod(model, "ds-f");
        Assert.Equal("ds-f", method.Name);
        for (int i = 0; i < traces.Count; i++)
        {
            var actual = method.Infer(traces.Traces[i], rate, 0);
            Assert.Equal(expected.Traces[i].Length, actual.Length);
            for (int t = 0; t < actual.Length; t++) Assert.Equal(expected.Traces[i][t], actual[t], 6);
        }
    }
}
