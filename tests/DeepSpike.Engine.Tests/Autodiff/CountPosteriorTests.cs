using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

public sealed class CountPosteriorTests
{
    [Fact]
    public void Gradient_MatchesFiniteDifferences()
    {
        var rng = new Random(5);
        var evidence = Rand.Param(rng, [6, 4], -2f, 2f, "evidence");
        var logRate = Rand.Param(rng, [6], -2.5f, 1f, "logRate");
        GradCheck.Assert(() => Ops.CountPosterior(evidence, logRate), evidence, logRate);
    }

    [Fact]
    public void Moments_AndKl_MatchDirectEnumeration()
    {
        // Row values: q ∝ e^{a_k} Poisson(k; λ) on {0..K}; KL against the untruncated Poisson, summed over k ≤ K only.
        float[] a = [0.3f, -1.2f, 0.8f, -0.4f, 1.1f];
        float l = -0.7f;
        var y = Ops.CountPosterior(new Tensor(a, 1, 5), new Tensor([l], 1));

        double lambda = Math.Exp(l);
        var prior = Enumerable.Range(0, 5).Select(k => Math.Exp(-lambda) * Math.Pow(lambda, k) / Factorial(k)).ToArray();
        var weights = Enumerable.Range(0, 5).Select(k => prior[k] * Math.Exp(a[k])).ToArray();
        var q = weights.Select(w => w / weights.Sum()).ToArray();
        double mean = Enumerable.Range(0, 5).Sum(k => k * q[k]);
        double variance = Enumerable.Range(0, 5).Sum(k => k * k * q[k]) - mean * mean;
        double kl = Enumerable.Range(0, 5).Sum(k => q[k] * Math.Log(q[k] / prior[k]));

        Assert.Equal(mean, y.Data[0], 5);
        Assert.Equal(variance, y.Data[1], 5);
        Assert.Equal(kl, y.Data[2], 5);
    }

    [Fact]
    public void NoEvidence_GivesThePriorAndZeroKlUpToTruncation()
    {
        var y = Ops.CountPosterior(new Tensor(new float[8], 1, 8), new Tensor([MathF.Log(0.3f)], 1));
        Assert.Equal(0.3, y.Data[0], 4);   // Poisson mean (mass above 7 counts is negligible at λ = 0.3)
        Assert.Equal(0.3, y.Data[1], 4);   // Poisson variance
        Assert.Equal(0, y.Data[2], 4);
    }

    [Fact]
    public void ExtremeEvidence_StaysFinite()
    {
        var y = Ops.CountPosterior(new Tensor([80f, -80f, 0f, -80f, 80f, 0f], 2, 3), new Tensor([-20f, 10f], 2));
        Assert.All(y.Data, v => Assert.True(float.IsFinite(v)));
    }

    private static double Factorial(int k) => k <= 1 ? 1 : k * Factorial(k - 1);
}
