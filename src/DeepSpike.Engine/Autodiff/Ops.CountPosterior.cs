namespace DeepSpike.Engine;

public static partial class Ops
{
    /// <summary>
    /// A factorised posterior over spike counts s ∈ {0, …, K} per row, combined from bottom-up evidence and a Poisson prior,
    /// with everything a variational bound needs in closed form. Row r has evidence <c>a_k</c> (<paramref name="evidence"/>
    /// <c>[R, K+1]</c>) and prior log-rate ℓ (<paramref name="logRate"/> <c>[R]</c>, log expected count); the posterior is
    /// <c>q(k) ∝ exp(a_k + kℓ − ln k!)</c>, i.e. the Poisson(e^ℓ) prior (truncated at K) reweighted by the evidence.
    /// Returns <c>[R, 3]</c>: the posterior mean <c>m = Σ k q_k</c>, variance <c>Σ k² q_k − m²</c>, and
    /// <c>KL(q ‖ Poisson(e^ℓ)) = Σ q_k a_k − ln Z + e^ℓ</c> with <c>Z = Σ exp(a_k + kℓ − ln k!)</c>.
    /// </summary>
    /// <remarks>
    /// Fused because the three outputs share the softmax and composing them would need broadcasts the engine lacks.
    /// Backward: with <c>G_j = q_j [ḡ_m (j − m) + ḡ_v (j² − E[s²] − 2m(j − m)) + ḡ_KL (a_j − A − 1)]</c>, A = Σ q a,
    /// <c>∂L/∂a_j = G_j + ḡ_KL q_j</c> and <c>∂L/∂ℓ = Σ_j j G_j + ḡ_KL e^ℓ</c>. The KL is exact against the untruncated
    /// Poisson prior: q has no mass above K, so only its own support enters. Callers clamp ℓ.
    /// </remarks>
    public static Tensor CountPosterior(Tensor evidence, Tensor logRate)
    {
        int rows = logRate.Length, support = evidence.Length / Math.Max(rows, 1);
        if (support < 2 || rows * support != evidence.Length)
            throw new ArgumentException($"CountPosterior: evidence [{evidence.ShapeString}] must be [rows, K+1] with K ≥ 1 for {rows} log-rates");
        var logFactorial = new float[support];
        for (int k = 2; k < support; k++) logFactorial[k] = logFactorial[k - 1] + MathF.Log(k);
        var y = Tensor.Zeros(rows, 3);
        var posterior = new float[rows * support];   // q, saved for backward
        var a = evidence.Data;
        for (int r = 0; r < rows; r++)
        {
            float l = logRate.Data[r];
            var q = posterior.AsSpan(r * support, support);
            var ar = a.AsSpan(r * support, support);
            float max = float.NegativeInfinity;
            for (int k = 0; k < support; k++) max = MathF.Max(max, q[k] = ar[k] + k * l - logFactorial[k]);
            double z = 0;
            for (int k = 0; k < support; k++) z += q[k] = MathF.Exp(q[k] - max);
            float inverse = (float)(1 / z);
            double mean = 0, second = 0, expectedEvidence = 0;
            for (int k = 0; k < support; k++)
            {
                q[k] *= inverse;
                mean += k * q[k];
                second += (double)k * k * q[k];
                expectedEvidence += q[k] * ar[k];
            }
            y.Data[3 * r] = (float)mean;
            y.Data[3 * r + 1] = (float)Math.Max(second - mean * mean, 0);
            y.Data[3 * r + 2] = (float)(expectedEvidence - (max + Math.Log(z)) + Math.Exp(l));
        }
        Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            var da = evidence.RequiresGrad ? evidence.GradSpan() : default;
            var dl = logRate.RequiresGrad ? logRate.GradSpan() : default;
            for (int r = 0; r < rows; r++)
            {
                var q = posterior.AsSpan(r * support, support);
                var ar = a.AsSpan(r * support, support);
                float gm = dy[3 * r], gv = dy[3 * r + 1], gkl = dy[3 * r + 2];
                float m = y.Data[3 * r], second = y.Data[3 * r + 1] + m * m, expectedEvidence = 0;
                for (int k = 0; k < support; k++) expectedEvidence += q[k] * ar[k];
                float dLogRate = 0;
                for (int j = 0; j < support; j++)
                {
                    float g = q[j] * (gm * (j - m) + gv * (j * j - second - 2 * m * (j - m)) + gkl * (ar[j] - expectedEvidence - 1));
                    if (!da.IsEmpty) da[r * support + j] += g + gkl * q[j];
                    dLogRate += j * g;
                }
                if (!dl.IsEmpty) dl[r] += dLogRate + gkl * MathF.Exp(logRate.Data[r]);
            }
        }, evidence, logRate);
        return y;
    }
}
