using DeepSpike.Evaluation;
using DeepSpike.Recognition;

namespace DeepSpike.Tests.Evaluation;

public sealed class PosteriorMetricsTests
{
    [Fact]
    public void IsolatedSpikeCounts_KnownSamples_GiveExactMeanVarianceAndFractionPerIsolatedSpike()
    {
        var truth = new float[40];
        truth[5] = 1;               // isolated
        truth[20] = 1; truth[23] = 1; // a pair: neither is isolated at 5 frames
        truth[35] = 2;              // two spikes in one frame: not one isolated spike
        float[] Sample(params int[] frames) { var s = new float[40]; foreach (int t in frames) s[t] += 1; return s; }
        var samples = new[] { Sample(5), Sample(4, 6), Sample(), Sample(7) };

        var counts = PosteriorMetrics.IsolatedSpikeCounts(truth, samples, isolationFrames: 5, windowFrames: 2);

        var only = Assert.Single(counts);
        Assert.Equal(5, only.Frame);
        // Counts in [3, 7]: 1, 2, 0, 1 → mean 1, population variance 0.5, exactly one in 2 of 4.
        Assert.Equal(1.0, only.MeanCount, 12);
        Assert.Equal(0.5, only.CountVariance, 12);
        Assert.Equal(0.5, only.FractionExactlyOne, 12);
    }

    [Fact]
    public void IsolatedSpikeCounts_SpikeAtTheEdge_UsesTheWindowInsideTheTrace()
    {
        var truth = new float[10];
        truth[0] = 1;
        var samples = new[] { new float[10], new float[10] };
        samples[0][1] = 1;

        var only = Assert.Single(PosteriorMetrics.IsolatedSpikeCounts(truth, samples, 3, 2));

        Assert.Equal(0.5, only.MeanCount, 12);
    }

    [Fact]
    public void IsolatedSpikeCounts_SampleOfOtherLength_Throws() =>
        Assert.Throws<ArgumentException>(() => PosteriorMetrics.IsolatedSpikeCounts(new float[10], [new float[9]], 3, 1));

    [Fact]
    public void LogProbabilityOfTruth_Dsf_EqualsSumOfLogBernoulliOfItsProbabilities()
    {
        var net = new DsF(new DsFOptions(Channels: 4, Kernels: [5, 3], Dilations: [1, 2]), new Random(2));
        var rng = new Random(3);
        var trace = Enumerable.Range(0, 80).Select(_ => (float)rng.NextDouble()).ToArray();
        var truth = Enumerable.Range(0, 80).Select(t => t % 9 == 0 ? (t % 2 == 0 ? 2f : 1f) : 0f).ToArray();
        var p = net.Marginals(trace, new Random(0));
        double expected = 0;
        for (int t = 0; t < 80; t++) expected += truth[t] > 0 ? Math.Log(p[t]) : Math.Log(1 - p[t]);

        double actual = PosteriorMetrics.LogProbabilityOfTruth(net, trace, truth);

        Assert.Equal(expected, actual, 1e-3);
    }
}
