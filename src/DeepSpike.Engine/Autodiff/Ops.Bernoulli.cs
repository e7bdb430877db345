namespace DeepSpike.Engine;

public static partial class Ops
{
    /// <summary>
    /// Bernoulli log-probabilities of binary samples, summed over the last (time) dimension:
    /// <c>out[r] = Σ_t s_{r,t} a_t − softplus(a_t) = Σ_t ln Bernoulli(s_{r,t}; σ(a_t))</c>.
    /// </summary>
    /// <param name="logits">Logits a: one value, or the trailing dimensions of the samples' shape
    /// (e.g. <c>[B, T]</c> shared by K samples <c>[K, B, T]</c>), or the samples' full shape.</param>
    /// <param name="samples">0/1 values; constant (no gradient).</param>
    /// <returns>Shape of <paramref name="samples"/> without its last dimension.</returns>
    /// <remarks>Backward: <c>∂/∂a_t = Σ_r dy_r (s_{r,t} − σ(a_t))</c>. Fused so K samples share one logit pass.</remarks>
    public static Tensor BernoulliLogProb(Tensor logits, Tensor samples)
    {
        if (logits.Length != 1 && !IsSuffix(logits, samples))
            throw new ArgumentException($"BernoulliLogProb: logits [{logits.ShapeString}] do not broadcast to samples [{samples.ShapeString}]");
        int frames = samples.Dim(-1), rows = samples.Length / Math.Max(frames, 1), n = logits.Length;
        int[] shape = samples.Rank == 1 ? [1] : samples.Shape[..^1];
        var y = Tensor.Zeros(shape);
        var a = logits.Data; var s = samples.Data;
        // softplus(a) depends only on the logit, so compute it once per logit.
        var softplus = new float[n];
        Kernels.Elementwise.Softplus(a, softplus);
        for (int r = 0; r < rows; r++)
        {
            double acc = 0;
            int baseIdx = r * frames;
            for (int t = 0; t < frames; t++)
            {
                int li = (baseIdx + t) % n;
                acc += s[baseIdx + t] * a[li] - softplus[li];
            }
            y.Data[r] = (float)acc;
        }
        Tape.Record(y, () =>
        {
            var g = logits.GradSpan();
            var dy = y.Grad!;
            for (int r = 0; r < rows; r++)
            {
                float d = dy[r];
                if (d == 0) continue;
                int baseIdx = r * frames;
                for (int t = 0; t < frames; t++)
                {
                    int li = (baseIdx + t) % n;
                    g[li] += d * (s[baseIdx + t] - 1f / (1f + MathF.Exp(-a[li])));
                }
            }
        }, logits);
        return y;
    }
}
