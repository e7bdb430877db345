using DeepSpike.Generative;

namespace DeepSpike.Tests.Generative;

/// <summary><see cref="RandomExtensions.NextPoisson"/> against the Poisson distribution's exact moments and probabilities.</summary>
public sealed class PoissonSamplerTests
{
    [Theory]
    [InlineData(0.05)]
    [InlineData(0.7)]
    [InlineData(3)]
    [InlineData(9.99)]
    [InlineData(10)]
    [InlineData(25)]
    [InlineData(400)]
    public void NextPoisson_ManyDraws_MeanAndVarianceEqualLambda(double lambda)
    {
        const int Draws = 200_000;
        var rng = new Random(3);
        double sum = 0, squares = 0;
        for (int i = 0; i < Draws; i++)
        {
            int k = rng.NextPoisson(lambda);
            Assert.True(k >= 0);
            sum += k;
            squares += (double)k * k;
        }
        double mean = sum / Draws, variance = squares / Draws - mean * mean;
        // The sample mean's SD is sqrt(λ / n); the sample variance's is about λ sqrt(2 / n) for large λ.
        Assert.InRange(mean, lambda - 5 * Math.Sqrt(lambda / Draws), lambda + 5 * Math.Sqrt(lambda / Draws));
        Assert.InRange(variance, lambda * (1 - 5 * Math.Sqrt(2.0 / Draws)) - 5 * Math.Sqrt(lambda / Draws), lambda * (1 + 5 * Math.Sqrt(2.0 / Draws)) + 0.01 * lambda);
    }

    [Theory]
    [InlineData(2.5)]
    [InlineData(15)]
    public void NextPoisson_ManyDraws_FrequenciesMatchTheProbabilityMassFunction(double lambda)
    {
        const int Draws = 200_000;
        var rng = new Random(4);
        var counts = new int[200];
        for (int i = 0; i < Draws; i++) counts[Math.Min(rng.NextPoisson(lambda), counts.Length - 1)]++;
        double logP = -lambda;
        for (int k = 0; k < 3 * lambda + 5; k++)
        {
            if (k > 0) logP += Math.Log(lambda / k);
            double p = Math.Exp(logP), sd = Math.Sqrt(Draws * p * (1 - p));
            Assert.InRange(counts[k], Draws * p - 5 * sd - 1, Draws * p + 5 * sd + 1);
        }
    }

    [Fact]
    public void NextPoisson_ZeroMean_AlwaysZero()
    {
        var rng = new Random(1);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0, rng.NextPoisson(0)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NextPoisson_BadMean_Throws(double lambda) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Random(1).NextPoisson(lambda));
}
