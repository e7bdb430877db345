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
        int frames = samples.Dim(-1), rows = samples.Length / Math.Max(frames, 1), n = logits.Length;
        if (n != 1 && (!IsSuffix(logits, samples) || n % frames != 0))
            throw new ArgumentException($"BernoulliLogProb: logits [{logits.ShapeString}] do not broadcast to samples [{samples.ShapeString}]");
        int[] shape = samples.Rank == 1 ? [1] : samples.Shape[..^1];
        var y = Tensor.Zeros(shape);
        var a = logits.Data; var s = samples.Data;
        // softplus(a) and σ(a) depend only on the logit: computed once, shared by all K samples.
        var softplus = new float[n];
        Kernels.Elementwise.Softplus(a, softplus);
        for (int r = 0; r < rows; r++)
        {
            var sr = s.AsSpan(r * frames, frames);
            if (n == 1)
            {
                y.Data[r] = System.Numerics.Tensors.TensorPrimitives.Sum(sr) * a[0] - frames * softplus[0];
                continue;
            }
            int offset = r * frames % n;
            var ar = a.AsSpan(offset, frames);
            y.Data[r] = System.Numerics.Tensors.TensorPrimitives.Dot(sr, ar) - System.Numerics.Tensors.TensorPrimitives.Sum(softplus.AsSpan(offset, frames));
        }
        Tape.Record(y, () =>
        {
            var g = logits.GradSpan();
            var dy = y.Grad!;
            var sigmoid = new float[n];
            System.Numerics.Tensors.TensorPrimitives.Sigmoid(a, sigmoid);
            for (int r = 0; r < rows; r++)
            {
                float d = dy[r];
                if (d == 0) continue;
                var sr = s.AsSpan(r * frames, frames);
                if (n == 1)
                {
                    g[0] += d * (System.Numerics.Tensors.TensorPrimitives.Sum(sr) - frames * sigmoid[0]);
                    continue;
                }
                int offset = r * frames % n;
                var gr = g.Slice(offset, frames);
                // g += d · (s − σ)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(sr, d, gr, gr);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(sigmoid.AsSpan(offset, frames), -d, gr, gr);
            }
        }, logits);
        return y;
    }
}
