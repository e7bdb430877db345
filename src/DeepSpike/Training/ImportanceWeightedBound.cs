using DeepSpike.Engine;

namespace DeepSpike.Training;

/// <summary>The K-sample bound for a batch and the surrogate whose gradient is the VIMCO estimator.</summary>
/// <param name="Surrogate">Scalar to minimise: its gradient is −(VIMCO estimate of ∇_φ, ∇_θ of the bound) / (B·T).</param>
/// <param name="BoundPerChunk">L̂^K for each chunk (nats).</param>
/// <param name="BoundPerFrame">Mean over chunks of L̂^K divided by the chunk length (nats per frame).</param>
public sealed record BoundEstimate(Tensor Surrogate, double[] BoundPerChunk, double BoundPerFrame);

/// <summary>
/// The importance-weighted bound (Burda et al. 2015; Speiser et al. 2017, eq. 1)
/// <c>L^K = E[log (1/K) Σ_k w_k]</c>, <c>log w_k = log p_θ(f, s^k) − log q_φ(s^k | f)</c>, with gradient
/// estimates from VIMCO (Mnih &amp; Rezende 2016).
/// </summary>
/// <remarks>
/// For samples from q, <c>∇_φ L̂ = Σ_k (L̂ − L̂_{−k} − w̃_k) ∇_φ log q(s^k)</c> where w̃ are the normalised
/// weights and <c>L̂_{−k}</c> is L̂ with log w_k replaced by the mean of the other K − 1 log-weights (the
/// leave-one-out baseline); <c>∇_θ L̂ = Σ_k w̃_k ∇_θ log p_θ(f, s^k)</c>. Both are obtained at once by
/// differentiating the surrogate <c>Σ_k c_k log q(s^k) + w̃_k log p(f, s^k)</c> with c and w̃ held constant.
/// </remarks>
public static class ImportanceWeightedBound
{
    /// <summary>Builds the bound and surrogate from <c>log p(f, s)</c> and <c>log q(s | f)</c>, both <c>[K, B]</c>.</summary>
    /// <param name="logJoint">Differentiable in θ.</param>
    /// <param name="logQ">Differentiable in φ.</param>
    /// <param name="framesPerChunk">T, to report and normalise per frame.</param>
    public static BoundEstimate Vimco(Tensor logJoint, Tensor logQ, int framesPerChunk)
    {
        if (logJoint.Rank != 2 || !logJoint.Shape.AsSpan().SequenceEqual(logQ.Shape))
            throw new ArgumentException($"log p [{string.Join(", ", logJoint.Shape)}] and log q [{string.Join(", ", logQ.Shape)}] must both be [K, B]");
        int k = logJoint.Shape[0], b = logJoint.Shape[1];
        if (k < 2) throw new ArgumentException($"VIMCO needs at least 2 samples, got {k}");
        if (framesPerChunk < 1) throw new ArgumentOutOfRangeException(nameof(framesPerChunk), $"frames per chunk must be >= 1, got {framesPerChunk}");
        var qCoef = new float[k * b];
        var pCoef = new float[k * b];
        var bounds = new double[b];
        var w = new double[k];
        for (int j = 0; j < b; j++)
        {
            for (int i = 0; i < k; i++) w[i] = logJoint.Data[i * b + j] - logQ.Data[i * b + j];
            double bound = LogMeanExp(w);
            bounds[j] = bound;
            // A chunk no sample explains (all weights −∞, or a NaN) carries no usable gradient: leave its
            // coefficients at zero rather than let NaN or ∞ into the optimiser state.
            if (!double.IsFinite(bound)) continue;
            double sum = 0;
            foreach (var v in w) sum += v;
            for (int i = 0; i < k; i++)
            {
                double normalized = Math.Exp(w[i] - bound) / k;
                double wi = w[i];
                w[i] = (sum - wi) / (k - 1); // leave-one-out: the geometric mean of the others' weights
                double baseline = LogMeanExp(w);
                w[i] = wi;
                double signal = bound - baseline - normalized;
                qCoef[i * b + j] = double.IsFinite(signal) ? (float)signal : 0f;
                pCoef[i * b + j] = (float)normalized;
            }
        }
        float scale = -1f / (b * framesPerChunk);
        var surrogate = Ops.Scale(Ops.Add(
            Ops.Sum(Ops.Mul(logQ, new Tensor(qCoef, k, b))),
            Ops.Sum(Ops.Mul(logJoint, new Tensor(pCoef, k, b)))), scale);
        return new BoundEstimate(surrogate, bounds, bounds.Average() / framesPerChunk);
    }

    /// <summary><c>log (1/n) Σ exp(x_i)</c>, stabilised by the maximum.</summary>
    public static double LogMeanExp(ReadOnlySpan<double> x)
    {
        double max = double.NegativeInfinity;
        foreach (var v in x) max = Math.Max(max, v);
        if (double.IsNegativeInfinity(max)) return max;
        double s = 0;
        foreach (var v in x) s += Math.Exp(v - max);
        return max + Math.Log(s / x.Length);
    }
}
