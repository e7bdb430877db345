using DeepSpike.Baselines;

namespace DeepSpike.Tests.Baselines;

public sealed class VectorMathTests
{
    /// <summary>Every length up to three 16-wide steps plus a tail, against plain loops.</summary>
    [Fact]
    public void SumDotSubtract_AnyLength_MatchPlainLoops()
    {
        var rng = new Random(3);
        for (int n = 0; n <= 53; n++)
        {
            var a = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.3).ToArray();
            var b = Enumerable.Range(0, n + 2).Select(_ => rng.NextDouble() - 0.6).ToArray();
            double sum = 0, dot = 0;
            for (int i = 0; i < n; i++) (sum, dot) = (sum + a[i], dot + a[i] * b[i]);
            Assert.Equal(sum, VectorMath.Sum(a), 12);
            Assert.Equal(dot, VectorMath.Dot(a, b), 12); // over the shorter length
            var result = new double[n + 1];
            VectorMath.Subtract(a, 0.25, result);
            for (int i = 0; i < n; i++) Assert.Equal(a[i] - 0.25, result[i]);
            Assert.Equal(0, result[n]);
        }
    }

    [Fact]
    public void Subtract_ShortResult_ThrowsNamingTheLengths() =>
        Assert.Contains("2 elements for 3 inputs", Assert.Throws<ArgumentException>(() => VectorMath.Subtract(new double[3], 1, new double[2])).Message);
}
