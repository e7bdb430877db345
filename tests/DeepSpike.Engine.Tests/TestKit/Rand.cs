namespace DeepSpike.Engine.Tests.TestKit;

/// <summary>Seeded random tensors for tests.</summary>
internal static class Rand
{
    /// <summary>Uniform values in [lo, hi).</summary>
    public static float[] Uniform(Random rng, int count, float lo = -1f, float hi = 1f)
    {
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = lo + (hi - lo) * (float)rng.NextDouble();
        return v;
    }

    /// <summary>A trainable tensor of uniform values in [lo, hi).</summary>
    public static Tensor Param(Random rng, int[] shape, float lo = -1f, float hi = 1f, string? name = null) =>
        new(Uniform(rng, Tensor.Product(shape), lo, hi), shape) { RequiresGrad = true, Name = name };

    /// <summary>A trainable tensor whose values have magnitude in [lo, hi) and a random sign.</summary>
    public static Tensor SignedParam(Random rng, int[] shape, float lo, float hi, string? name = null)
    {
        var t = Param(rng, shape, lo, hi, name);
        for (int i = 0; i < t.Length; i++) if (rng.Next(2) == 0) t.Data[i] = -t.Data[i];
        return t;
    }

    /// <summary>A constant tensor of 0/1 values with P(1) = 0.3.</summary>
    public static Tensor Binary(Random rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = rng.NextDouble() < 0.3 ? 1f : 0f;
        return t;
    }
}
