namespace DeepSpike.Engine.Nn;

/// <summary>Weight initialisation schemes.</summary>
public static class Init
{
    /// <summary>
    /// Uniform in ±√(6 / ((1 + slope²) fanIn)) · gain — He/Kaiming-uniform for (leaky) ReLU layers, so
    /// activations keep their variance through depth.
    /// </summary>
    public static float[] KaimingUniform(int count, int fanIn, Random rng, float leakySlope = 0f)
    {
        float bound = MathF.Sqrt(6f / ((1f + leakySlope * leakySlope) * fanIn));
        return Uniform(count, bound, rng);
    }

    /// <summary>Uniform in ±bound.</summary>
    public static float[] Uniform(int count, float bound, Random rng)
    {
        var w = new float[count];
        for (int i = 0; i < count; i++) w[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
        return w;
    }
}
