using DeepSpike.Engine;

namespace DeepSpike.Generative;

/// <summary>
/// The observation model every calcium model here shares: <c>f_t = α x_t + β + e_t</c>, <c>e_t ~ N(0, σ²)</c>, for a
/// model-specific indicator signal x (calcium for SCF, bound dye for SCDF, the MLspike response for MLphys),
/// with θ holding <c>log_alpha</c>, <c>beta</c> and <c>log_sigma</c>.
/// </summary>
internal static class GaussianReadout
{
    private const float HalfLogTwoPi = 0.9189385f;

    /// <summary>Throws unless <paramref name="spikes"/> is <c>[K, B, T]</c> (or <c>[B, T]</c>) for fluorescence <c>[B, T]</c>.</summary>
    public static void CheckShapes(Tensor fluorescence, Tensor spikes)
    {
        if (spikes.Dim(-1) != fluorescence.Dim(-1) || spikes.Length % fluorescence.Length != 0)
            throw new ArgumentException($"spikes [{string.Join(", ", spikes.Shape)}] do not match fluorescence [{string.Join(", ", fluorescence.Shape)}]");
    }

    /// <summary><c>α x + β</c>, differentiable.</summary>
    public static Tensor Mean(GenerativeParameters theta, Tensor signal) =>
        Ops.Add(Ops.Mul(signal, Ops.Exp(theta["log_alpha"])), theta["beta"]);

    /// <summary><c>log N(f; α x + β, σ²)</c> summed over the last axis: <c>[K, B, T] → [K, B]</c>, differentiable.</summary>
    public static Tensor LogLikelihood(GenerativeParameters theta, Tensor signal, Tensor fluorescence)
    {
        int frames = fluorescence.Dim(-1);
        var logSigma = theta["log_sigma"];
        var squares = Ops.Sum(Ops.Square(Ops.Sub(Mean(theta, signal), fluorescence)), -1);
        // −½ Σ r² / σ² − T ln σ − T ln √(2π)
        var precisionTerm = Ops.Mul(squares, Ops.Scale(Ops.Exp(Ops.Scale(logSigma, -2f)), -0.5f));
        return Ops.Add(precisionTerm, Ops.AddScalar(Ops.Scale(logSigma, -frames), -frames * HalfLogTwoPi));
    }

    /// <summary>The mean fluorescence of a noise-free signal plus Gaussian noise of the model's σ.</summary>
    public static float[] Simulate(GenerativeParameters theta, Tensor signal, Random rng)
    {
        var f = Mean(theta, signal).Data;
        rng.AddGaussianNoise(f, MathF.Exp(theta.Value("log_sigma")));
        return f;
    }

    /// <summary>Mean of a trace, in double.</summary>
    public static double Mean(ReadOnlySpan<float> f)
    {
        double s = 0;
        foreach (var v in f) s += v;
        return s / Math.Max(f.Length, 1);
    }

    /// <summary>Sample variance of a trace, in double.</summary>
    public static double Variance(ReadOnlySpan<float> f)
    {
        double mean = Mean(f), ss = 0;
        foreach (var v in f) ss += (v - mean) * (v - mean);
        return ss / Math.Max(f.Length - 1, 1);
    }
}
