using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

public class BernoulliGradientTests
{
    [Theory]
    [InlineData(new[] { 3, 2, 9 }, new[] { 2, 9 })]
    [InlineData(new[] { 3, 2, 9 }, new[] { 9 })]
    [InlineData(new[] { 3, 2, 9 }, new[] { 1 })]
    [InlineData(new[] { 3, 2, 9 }, new[] { 3, 2, 9 })]
    [InlineData(new[] { 9 }, new[] { 9 })]
    public void BernoulliLogProb_LogitBroadcast_GradientMatchesFiniteDifferences(int[] sampleShape, int[] logitShape)
    {
        var rng = new Random(61);
        var samples = Rand.Binary(rng, sampleShape);
        var logits = Rand.Param(rng, logitShape, -3f, 3f, "logits");
        GradCheck.Assert(() => Ops.BernoulliLogProb(logits, samples), logits);
    }

    [Theory]
    [InlineData(new[] { 3, 2, 9 }, new[] { 2, 9 })]
    [InlineData(new[] { 3, 2, 9 }, new[] { 1 })]
    [InlineData(new[] { 3, 2, 9 }, new[] { 3, 2, 9 })]
    public void BernoulliLogProb_LogitBroadcast_MatchesScalarLoop(int[] sampleShape, int[] logitShape)
    {
        var rng = new Random(62);
        var samples = Rand.Binary(rng, sampleShape);
        var logits = Rand.Param(rng, logitShape, -30f, 30f);
        var y = Ops.BernoulliLogProb(logits, samples);
        int frames = sampleShape[^1];
        Assert.Equal(sampleShape[..^1], y.Shape);
        for (int r = 0; r < y.Length; r++)
        {
            double expected = 0;
            for (int t = 0; t < frames; t++)
            {
                int i = r * frames + t;
                double p = 1 / (1 + Math.Exp(-(double)logits.Data[i % logits.Length]));
                expected += samples.Data[i] == 1 ? Math.Log(p) : Math.Log(1 - p);
            }
            Assert.Equal(expected, y.Data[r], 1e-3);
        }
    }
}
