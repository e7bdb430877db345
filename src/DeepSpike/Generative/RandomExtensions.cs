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

    /// <summary>Below this mean a Poisson draw multiplies uniforms (Knuth), above it uses transformed rejection.</summary>
    private const double PoissonInversionLimit = 10;

    /// <summary>
    /// A Poisson draw with mean <paramref name="lambda"/> ≥ 0: Knuth's product of uniforms for λ &lt; 10, else Hörmann's
    /// transformed rejection with squeeze (PTRS, 1993), exact for every λ and O(1) per draw.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, NaN or infinite.</exception>
    public static int NextPoisson(this Random rng, double lambda)
    {
        if (!(lambda >= 0 && double.IsFinite(lambda)))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, $"Poisson mean must be finite and ≥ 0, got {lambda}");
        if (lambda < PoissonInversionLimit)
        {
            double limit = Math.Exp(-lambda), product = rng.NextDouble();
            int count = 0;
            while (product > limit)
            {
                count++;
                product *= rng.NextDouble();
            }
            return count;
        }
        double logLambda = Math.Log(lambda), b = 0.931 + 2.53 * Math.Sqrt(lambda), a = -0.059 + 0.02483 * b;
        double inverseAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = rng.NextDouble() - 0.5, v = rng.NextDouble(), us = 0.5 - Math.Abs(u);
            double k = Math.Floor((2 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) return (int)k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(inverseAlpha) - Math.Log(a / (us * us) + b) <= -lambda + k * logLambda - LogFactorial(k))
                return (int)k;
        }
    }

    // ln k! by Stirling's series (exact to double precision for k ≥ 10; below, a direct sum).
    private static double LogFactorial(double k)
    {
        if (k < 10)
        {
            double sum = 0;
            for (int i = 2; i <= k; i++) sum += Math.Log(i);
            return sum;
        }
        double k1 = k + 1;
        return (k1 - 0.5) * Math.Log(k1) - k1 + 0.5 * Math.Log(2 * Math.PI) + 1 / (12 * k1) - 1 / (360 * k1 * k1 * k1);
    }

    /// <summary>Adds i.i.d. N(0, σ²) noise to every value (the models' measurement noise).</summary>
    public static void AddGaussianNoise(this Random rng, Span<float> values, float sigma)
    {
        for (int t = 0; t < values.Length; t++) values[t] += sigma * (float)rng.NextGaussian();
    }
}
