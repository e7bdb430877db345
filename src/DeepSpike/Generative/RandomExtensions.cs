namespace DeepSpike.Generative;

/// <summary>Draws from distributions that <see cref="Random"/> lacks.</summary>
public static class RandomExtensions
{
    /// <summary>A standard normal draw (Box–Muller; one of the pair is discarded for simplicity).</summary>
    public static double NextGaussian(this Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // (0, 1]: log stays finite
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Uniform draw in [lo, hi).</summary>
    public static double NextUniform(this Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    /// <summary>Adds i.i.d. N(0, σ²) noise to every value (the models' measurement noise).</summary>
    public static void AddGaussianNoise(this Random rng, Span<float> values, float sigma)
    {
        for (int t = 0; t < values.Length; t++) values[t] += sigma * (float)rng.NextGaussian();
    }
}
