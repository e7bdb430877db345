using DeepSpike.Engine;
using DeepSpike.Recognition;

namespace DeepSpike.Tests.Recognition;

public sealed class DsFTests
{
    [Fact]
    public void Marginals_PooledInferencePath_MatchesTapedLogits()
    {
        var net = new DsF(new DsFOptions(), new Random(4));
        var rng = new Random(5);
        var x = Enumerable.Range(0, 1234).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        var fast = net.Marginals(x, new Random(0));
        var logits = net.Logits(new Tensor((float[])x.Clone(), 1, x.Length)).Data;
        for (int t = 0; t < x.Length; t++)
            Assert.True(MathF.Abs(1 / (1 + MathF.Exp(-logits[t])) - fast[t]) < 1e-5f, $"frame {t}");
    }

    [Fact]
    public void Sample_LogProbability_EqualsBernoulliSumOfReturnedProbabilities()
    {
        var net = new DsF(new DsFOptions(Channels: 4, Kernels: [5, 3], Dilations: [1, 1]), new Random(1));
        var rng = new Random(2);
        var x = Enumerable.Range(0, 2 * 50).Select(_ => (float)rng.NextDouble()).ToArray();
        var posterior = net.Sample(new Tensor(x, 2, 50), 3, new Random(3));
        for (int k = 0; k < 3; k++)
            for (int b = 0; b < 2; b++)
            {
                double expected = 0;
                for (int t = 0; t < 50; t++)
                {
                    double p = posterior.Probabilities[b * 50 + t];
                    expected += posterior.Spikes.Data[(k * 2 + b) * 50 + t] == 1 ? Math.Log(p) : Math.Log(1 - p);
                }
                Assert.Equal(expected, posterior.LogProbability.Data[k * 2 + b], 3);
            }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Options_BadChannels_Throw(int channels) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DsFOptions(Channels: channels).Validate());

    [Fact]
    public void Options_EvenKernel_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DsFOptions(Kernels: [4], Dilations: [1]).Validate());
}
