using System.Text.Json.Nodes;
using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Models;

namespace DeepSpike.Cli.Tests;

/// <summary>
/// The same seed gives the same bits: model files of <c>train</c> and every output of <c>infer</c> (with posterior samples) and
/// <c>deconvolve</c>, at one thread and at two — and, as the kernels sum in an order fixed by the data's shape, not by the
/// threads, the same bits at one thread as at two (README, "Reproducibility"). A different seed must change the random parts.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class DeterminismTests(TrainedModelFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();
    private int _runs;

    public void Dispose() => _dir.Dispose();

    /// <summary>Every file <c>deepspike <paramref name="args"/> --out FOLDER</c> writes, by relative path.</summary>
    private Dictionary<string, byte[]> Outputs(params string[] args)
    {
        string folder = _dir.Sub($"run{++_runs}");
        CliHost.Succeed([.. args, "--out", folder]);
        return Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);
    }

    private static void AssertSameFiles(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual, string what)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in expected)
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{what}: {name} differs");
    }

    private string Train(int threads, params string[] extra) => Train(threads, 3, extra);

    private string Train(int threads, int seed, params string[] extra)
    {
        string model = _dir.Sub($"model{++_runs}.dsm");
        CliHost.Succeed(["train", "--data", fixture.DataFolder, "--out", model, "--samples", "8", "--chunk-frames", "200", "--batch-chunks", "4",
            "--seed", seed.ToString(), "--threads", threads.ToString(), .. extra]);
        return model;
    }

    /// <summary>Every tensor of a model file and its header without the command line, which names the thread count.</summary>
    private static (string Header, List<(string Name, float[] Data)> Tensors) Content(string path)
    {
        var (header, tensors) = ModelFile.Read(path);
        using (header)
        {
            var json = JsonNode.Parse(header.RootElement.GetRawText())!;
            json["info"]!.AsObject().Remove("Command");
            return (json.ToJsonString(), tensors.Select(t => (t.Name, t.Data)).ToList());
        }
    }

    private static void AssertSameModel(string expected, string actual)
    {
        var (a, b) = (Content(expected), Content(actual));
        Assert.Equal(a.Header, b.Header);
        Assert.Equal(a.Tensors.Select(t => t.Name), b.Tensors.Select(t => t.Name));
        for (int i = 0; i < a.Tensors.Count; i++)
            Assert.True(a.Tensors[i].Data.AsSpan().SequenceEqual(b.Tensors[i].Data), $"tensor '{a.Tensors[i].Name}' differs");
    }

    public static TheoryData<string> Networks => new() { "dsf", "dsnf" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Train_SameSeed_ByteIdenticalModelsAtOneThreadAndAtTwo_AndTheSameWeightsAcrossThem(string network)
    {
        // DS-F with validation and weight averaging; DS-NF warm-started from the fixture's DS-F (the recommended way).
        string[] extra = network == "dsf"
            ? ["--max-iterations", "40", "--validation", fixture.DataFolder, "--validate-every", "10", "--weight-averaging", "0.95"]
            : ["--max-iterations", "4", "--recognition", "dsnf", "--init-from", fixture.ModelPath, "--theta-warmup", "3"];

        string one = Train(1, extra), oneAgain = Train(1, extra), two = Train(2, extra), twoAgain = Train(2, extra);

        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(oneAgain));
        Assert.Equal(File.ReadAllBytes(two), File.ReadAllBytes(twoAgain));
        AssertSameModel(one, two);
    }

    [Fact]
    public void Train_OtherSeed_OtherWeights()
    {
        string[] extra = ["--max-iterations", "10"];

        var a = Content(Train(1, extra));
        var b = Content(Train(1, 4, extra));

        Assert.Contains(a.Tensors.Zip(b.Tensors), p => !p.First.Data.AsSpan().SequenceEqual(p.Second.Data));
    }

    [Theory]
    [InlineData("dsf")]
    [InlineData("dsnf")]
    public void Infer_SameSeed_ByteIdenticalProbabilitiesAndSamplesAtOneThreadAndAtTwo(string network)
    {
        string model = network == "dsf" ? fixture.ModelPath : Train(1, "--max-iterations", "2", "--recognition", "dsnf", "--init-from", fixture.ModelPath, "--theta-warmup", "0");
        string[] Infer(int threads, int seed = 9) =>
            ["infer", "--model", model, "--data", fixture.DataFolder, "--samples", "5", "--seed", seed.ToString(), "--threads", threads.ToString()];

        var one = Outputs(Infer(1));
        Assert.Contains(one.Keys, k => k.StartsWith("samples", StringComparison.Ordinal));

        AssertSameFiles(one, Outputs(Infer(1)), "1 thread, twice");
        AssertSameFiles(Outputs(Infer(2)), Outputs(Infer(2)), "2 threads, twice");
        AssertSameFiles(one, Outputs(Infer(2)), "1 thread against 2");
        var otherSeed = Outputs(Infer(1, seed: 10));
        Assert.Contains(one.Keys, k => k.StartsWith("samples", StringComparison.Ordinal) && !one[k].AsSpan().SequenceEqual(otherSeed[k]));
    }

    [Theory]
    [InlineData("oasis-ar1")]
    [InlineData("oasis-ar2")]
    [InlineData("mcmc")]
    [InlineData("mlspike")]
    public void Deconvolve_SameSeed_ByteIdenticalOutputsAtOneThreadAndAtTwo(string method)
    {
        string[] Deconvolve(int threads) => ["deconvolve", "--method", method, "--data", fixture.DataFolder, "--seed", "9", "--threads", threads.ToString()];

        var one = Outputs(Deconvolve(1));

        AssertSameFiles(one, Outputs(Deconvolve(1)), "1 thread, twice");
        AssertSameFiles(Outputs(Deconvolve(2)), Outputs(Deconvolve(2)), "2 threads, twice");
        AssertSameFiles(one, Outputs(Deconvolve(2)), "1 thread against 2");
    }
}
