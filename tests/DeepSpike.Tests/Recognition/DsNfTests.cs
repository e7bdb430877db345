using DeepSpike.Engine;
using DeepSpike.Generative;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Training;

namespace DeepSpike.Tests.Recognition;

public sealed class DsNfTests : IDisposable
{
    private const int Batch = 2, Frames = 60;

    private readonly string folder = Directory.CreateTempSubdirectory("deepspike-dsnf-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static DsNfOptions SmallOptions => new(new DsFOptions(Channels: 4, Kernels: [5, 3], Dilations: [1, 2]), BackwardUnits: 8, ForwardUnits: 8);

    private static DsNf Network(int seed = 0) => new(SmallOptions, new Random(seed));

    /// <summary>A noisy trace with a few decaying transients, already in noise units.</summary>
    private static Tensor Input(int seed = 1)
    {
        var rng = new Random(seed);
        var x = new float[Batch * Frames];
        for (int b = 0; b < Batch; b++)
        {
            double c = 0;
            for (int t = 0; t < Frames; t++)
            {
                c = 0.9 * c + (rng.NextDouble() < 0.08 ? 8 : 0);
                x[b * Frames + t] = (float)(c + rng.NextDouble() * 2 - 1);
            }
        }
        return new Tensor(x, Batch, Frames);
    }

    private static Tensor RandomSpikes(int seed)
    {
        var rng = new Random(seed);
        var s = Tensor.Zeros(Batch, Frames);
        for (int i = 0; i < s.Length; i++) s.Data[i] = rng.NextDouble() < 0.2 ? 1f : 0f;
        return s;
    }

    private static double LogBernoulli(float s, float logit)
    {
        double a = logit;
        // ln σ(a) = −softplus(−a), ln(1 − σ(a)) = −softplus(a)
        static double Softplus(double v) => Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v)));
        return s > 0 ? -Softplus(-a) : -Softplus(a);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    [InlineData(59)]
    public void Logits_FlipPreviousSpike_ChangesThatFrameOnwardNeverEarlier(int t)
    {
        var net = Network();
        var input = Input();
        var spikes = RandomSpikes(2);
        var flipped = new Tensor((float[])spikes.Data.Clone(), Batch, Frames);
        flipped.Data[Frames + t - 1] = 1 - flipped.Data[Frames + t - 1]; // chunk 1, frame t − 1
        var before = net.Logits(input, spikes).Data;
        var after = net.Logits(input, flipped).Data;
        for (int u = 0; u < Frames; u++) Assert.Equal(before[u], after[u]); // chunk 0 is independent of chunk 1
        for (int u = 0; u < t; u++) Assert.Equal(before[Frames + u], after[Frames + u]);
        Assert.NotEqual(before[Frames + t], after[Frames + t]);
    }

    [Fact]
    public void Sample_LogProbability_EqualsBernoulliSumOverTeacherForcedLogits()
    {
        var net = Network();
        var input = Input();
        const int samples = 7;
        var posterior = net.Sample(input, samples, new Random(3));
        Assert.Equal([samples, Batch, Frames], posterior.Spikes.Shape);
        Assert.Equal([samples, Batch], posterior.LogProbability.Shape);
        var meanProbability = new double[Batch * Frames];
        for (int k = 0; k < samples; k++)
        {
            var spikes = new Tensor(posterior.Spikes.Data.AsSpan(k * Batch * Frames, Batch * Frames).ToArray(), Batch, Frames);
            var logits = net.Logits(input, spikes).Data;
            for (int b = 0; b < Batch; b++)
            {
                double expected = 0;
                for (int t = 0; t < Frames; t++)
                {
                    int i = b * Frames + t;
                    expected += LogBernoulli(spikes.Data[i], logits[i]);
                    meanProbability[i] += 1 / (1 + Math.Exp(-logits[i])) / samples;
                }
                double actual = posterior.LogProbability.Data[k * Batch + b];
                Assert.True(Math.Abs(actual - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"sample {k}, chunk {b}: log q {actual} vs {expected}");
            }
        }
        for (int i = 0; i < meanProbability.Length; i++) Assert.Equal(meanProbability[i], posterior.Probabilities[i], 1e-6);
        Assert.All(posterior.Spikes.Data, s => Assert.True(s is 0f or 1f));
    }

    [Fact]
    public void LogQ_FixedSpikes_GradientMatchesFiniteDifferences()
    {
        // log q(s | f) of fixed trains is a smooth function of every weight: compare the tape's gradient with
        // central differences on a few elements of each parameter tensor.
        var net = Network(5);
        var input = Input(6);
        var spikes = RandomSpikes(7);
        double LogQ() => Ops.Sum(Ops.BernoulliLogProb(net.Logits(input, spikes), spikes)).Item();
        foreach (var p in net.Parameters()) p.ZeroGrad();
        using (var tape = new Tape())
            tape.Backward(Ops.Sum(Ops.BernoulliLogProb(net.Logits(input, spikes), spikes)));
        var rng = new Random(8);
        foreach (var (name, p) in net.NamedParameters())
        {
            Assert.NotNull(p.Grad);
            for (int n = 0; n < 3; n++)
            {
                int j = rng.Next(p.Length);
                float original = p.Data[j];
                const float h = 1e-2f;
                p.Data[j] = original + h;
                double plus = LogQ();
                p.Data[j] = original - h;
                double minus = LogQ();
                p.Data[j] = original;
                double numeric = (plus - minus) / (2 * h), analytic = p.Grad![j];
                Assert.True(Math.Abs(analytic - numeric) <= 2e-2 * Math.Max(1, Math.Abs(numeric)), $"{name}[{j}]: analytic {analytic}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public void Sample_UnderTape_EveryParameterReceivesAGradient()
    {
        var net = Network();
        foreach (var p in net.Parameters()) p.ZeroGrad();
        using (var tape = new Tape())
        {
            var posterior = net.Sample(Input(), 4, new Random(9));
            tape.Backward(Ops.Sum(posterior.LogProbability));
        }
        foreach (var (name, p) in net.NamedParameters())
            Assert.True(p.Grad is not null && p.Grad.Any(v => v != 0), $"{name} received no gradient");
    }

    [Fact]
    public void Marginals_Trace_AreProbabilitiesAndReproducible()
    {
        var net = Network();
        var trace = Input().Data.AsSpan(0, Frames).ToArray();
        var m = net.Marginals(trace, new Random(4));
        Assert.Equal(Frames, m.Length);
        Assert.All(m, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(m, net.Marginals(trace, new Random(4)));
    }

    [Fact]
    public void Marginals_ManySamples_ApproachTheMeanOfSampledProbabilities()
    {
        // Both are Monte-Carlo estimates of q(s_t = 1 | f); with 2000 samples they agree closely.
        var net = new DsNf(SmallOptions with { MarginalSamples = 2000 }, new Random(0));
        var trace = Input().Data.AsSpan(0, Frames).ToArray();
        var m = net.Marginals(trace, new Random(10));
        var posterior = net.Sample(new Tensor(trace, 1, Frames), 2000, new Random(11));
        for (int t = 0; t < Frames; t++) Assert.Equal(posterior.Probabilities[t], m[t], 0.02);
    }

    [Fact]
    public void SaveThenLoad_ThroughSpikeModel_GivesIdenticalTeacherForcedLogits()
    {
        var options = SmallOptions with { MarginalSamples = 12 };
        var net = new DsNf(options, new Random(2));
        string path = Path.Combine(folder, "nf.dsmodel");
        new SpikeModel(net, "scf", 60, new ModelInfo("test", "none", "none", 0, double.NaN)).Save(path);
        var loaded = SpikeModel.Load(path);
        var copy = Assert.IsType<DsNf>(loaded.Recognition);
        Assert.Equal(options.MarginalSamples, copy.Options.MarginalSamples);
        Assert.Equal(options.Cnn.Kernels, copy.Options.Cnn.Kernels);
        var input = Input();
        var spikes = RandomSpikes(3);
        Assert.Equal(net.Logits(input, spikes).Data, copy.Logits(input, spikes).Data);
        var trace = input.Data.AsSpan(0, Frames).ToArray();
        Assert.Equal(net.Marginals(trace, new Random(1)), copy.Marginals(trace, new Random(1)));
    }

    [Fact]
    public void Logits_WithoutConditioningSpikes_ThrowsSayingTeacherForcing()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Network().Logits(Input()));
        Assert.Contains("teacher forcing", e.Message);
    }

    [Theory]
    [InlineData(0, 64, 30)]
    [InlineData(64, 0, 30)]
    [InlineData(64, 64, 0)]
    public void Options_OutOfRange_Throw(int backward, int forward, int marginalSamples) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DsNfOptions(BackwardUnits: backward, ForwardUnits: forward, MarginalSamples: marginalSamples).Validate());

    [Fact]
    public void Registry_Dsnf_CreatesTheNetworkAtTheGivenFrameRate()
    {
        Assert.Contains("dsnf", ModelRegistry.RecognitionNames);
        var net = Assert.IsType<DsNf>(ModelRegistry.CreateRecognition("dsnf", 30, new Random(0)));
        Assert.Equal(30, net.Options.Cnn.FrameRateHz);
        Assert.Equal("dsnf", net.Name);
    }

    [Fact]
    public void Trainer_FewUnsupervisedIterations_RunsAndChangesWeights()
    {
        var net = Network();
        var before = net.Parameters().Select(p => (float[])p.Data.Clone()).ToArray();
        var data = DeepSpike.Simulation.ScfSimulationProtocol.Paper.Simulate(1, [1.0], 600, 60, seed: 1);
        var options = new TrainingOptions(Samples: 8, ChunkFrames: 100, ChunksPerBatch: 2, MaxIterations: 5, Seed: 1);
        var result = new Trainer(new ScfModel(), net, options).Train(new TrainingData(data.Calcium));
        Assert.Equal(5, result.Iterations);
        Assert.Contains(net.Parameters().Select((p, i) => !p.Data.AsSpan().SequenceEqual(before[i])), changed => changed);
    }

    [Fact]
    public void WarmStartFrom_TrainedDsF_GivesExactlyItsProbabilitiesWhateverTheSamples()
    {
        var dsf = new DsF(SmallOptions.Cnn, new Random(7));
        var net = Network();
        net.WarmStartFrom(dsf);
        var trace = Input().Data.AsSpan(0, Frames).ToArray();
        var expected = dsf.Marginals(trace, new Random(0));
        var actual = net.Marginals(trace, new Random(3));
        for (int t = 0; t < Frames; t++) Assert.Equal(expected[t], actual[t], 5e-6f);
        // The history must still matter after training: its readout weights are zero, not detached.
        using var tape = new Tape();
        var logProbability = net.Sample(Input(), 4, new Random(1)).LogProbability;
        tape.Backward(Ops.Sum(logProbability));
        var readoutWeight = net.NamedParameters().Single(p => p.Name == "readout.weight").Value;
        Assert.Contains(readoutWeight.Grad!.Take(SmallOptions.ForwardUnits), g => g != 0);
    }

    [Fact]
    public void WarmStartFrom_DsFWithAnotherTrunk_ThrowsNamingTheMismatch()
    {
        var other = new DsF(new DsFOptions(Channels: 4, Kernels: [5, 3], Dilations: [1, 1]), new Random(0));
        var e = Assert.Throws<ArgumentException>(() => Network().WarmStartFrom(other));
        Assert.Contains("dilations", e.Message);
    }

    [Fact]
    public void Posterior_SameSeed_ProbabilitiesEqualMarginalsAndSamplesAreBinaryTrains()
    {
        var net = Network();
        var trace = Input().Data.AsSpan(0, Frames).ToArray();

        var posterior = net.Posterior(trace, net.Options.MarginalSamples, new Random(4));

        Assert.Equal(net.Marginals(trace, new Random(4)), posterior.Probabilities);
        Assert.Equal(net.Options.MarginalSamples, posterior.Samples.Length);
        Assert.All(posterior.Samples, s => Assert.Equal(Frames, s.Length));
        Assert.All(posterior.Samples, s => Assert.All(s, v => Assert.True(v is 0f or 1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Posterior(trace, 0, new Random(0)));
    }
}
