using DeepSpike.Dynamics;

namespace DeepSpike.Tests.Dynamics;

/// <summary>The Table 1 measures against hand-computed values and known maps.</summary>
public sealed class DynamicsMetricsTests
{
    [Fact]
    public void PooledR2_AffineImage_IsOne_AndHandComputedCaseMatches()
    {
        float[] truth = [1, 2, 3, 4, 5];
        Assert.Equal(1, DynamicsMetrics.PooledR2([-3, -5, -7, -9, -11], truth), 12);
        // r between [1, 2, 3] and [1, 3, 2]: covariance 0.5 · 2 / 3 ... r = 0.5, so R² = 0.25.
        Assert.Equal(0.25, DynamicsMetrics.PooledR2([1, 3, 2], [1, 2, 3]), 12);
        Assert.Equal(0, DynamicsMetrics.PooledR2([2, 2, 2], [1, 2, 3]));
    }

    [Fact]
    public void LatentR2_FactorsAnAffineImageOfTheLatents_IsOne()
    {
        var rng = new Random(1);
        TrialArray Latents(int trials) => new(trials, 20, 3, Enumerable.Range(0, trials * 60).Select(_ => rng.NextSingle() * 2 - 1).ToArray());
        // factors = latents · A + c with an invertible A: the fitted inverse map must recover the latents exactly.
        double[,] a = { { 1, 0.5, -0.2 }, { 0.3, -1, 0.1 }, { 0, 0.4, 2 } };
        TrialArray Factors(TrialArray z)
        {
            var f = TrialArray.Zeros(z.Trials, z.Bins, 3);
            for (int r = 0; r < z.Trials * z.Bins; r++)
                for (int j = 0; j < 3; j++)
                    f.Data[r * 3 + j] = (float)(0.7 + a[0, j] * z.Data[r * 3] + a[1, j] * z.Data[r * 3 + 1] + a[2, j] * z.Data[r * 3 + 2]);
            return f;
        }
        var trainLatents = Latents(10);
        var validationLatents = Latents(4);

        double r2 = DynamicsMetrics.LatentR2(Factors(trainLatents), trainLatents, Factors(validationLatents), validationLatents);

        Assert.Equal(1, r2, 5);
    }

    [Fact]
    public void LatentR2_UnrelatedFactors_NearZero()
    {
        var rng = new Random(2);
        TrialArray Random(int trials, int channels) => new(trials, 50, channels, Enumerable.Range(0, trials * 50 * channels).Select(_ => rng.NextSingle()).ToArray());

        Assert.InRange(DynamicsMetrics.LatentR2(Random(20, 3), Random(20, 3), Random(20, 3), Random(20, 3)), 0, 0.01);
    }
}
