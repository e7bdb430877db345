namespace DeepSpike.Engine;

public static partial class Ops
{
    /// <summary>
    /// Linear autoregressive filter along the last dimension, for every row of x <c>[..., T]</c>:
    /// <c>c_t = Σ_{j=1..p} γ_j c_{t−j} + x_t</c>, with the state before the first frame equal to
    /// <paramref name="initial"/> (one value per row, i.e. <c>c_{−j} = h</c> for all j ≥ 1; zero if null).
    /// This is the calcium dynamics of the SCF model; γ has p values.
    /// </summary>
    /// <remarks>
    /// Fused because composing it from per-frame ops would record T tape entries. Backward runs the
    /// adjoint recursion <c>g_t = ∂L/∂c_t + Σ_j γ_j g_{t+j}</c>, then ∂L/∂x_t = g_t,
    /// ∂L/∂γ_j = Σ_t g_t c_{t−j}, ∂L/∂h = Σ_{t&lt;p} g_t Σ_{j&gt;t} γ_j.
    /// </remarks>
    public static Tensor ArFilter(Tensor x, Tensor gamma, Tensor? initial = null)
    {
        int frames = x.Dim(-1), rows = x.Length / Math.Max(frames, 1), p = gamma.Length;
        if (p < 1) throw new ArgumentException("ArFilter: gamma needs at least one coefficient");
        if (initial is not null && initial.Length != rows && initial.Length != 1)
            throw new ArgumentException($"ArFilter: initial state [{initial.ShapeString}] must have one value or one per row of x [{x.ShapeString}] ({rows})");
        var y = Tensor.Zeros((int[])x.Shape.Clone());
        var g = gamma.Data;
        for (int r = 0; r < rows; r++)
        {
            float h = initial is null ? 0f : initial.Data[initial.Length == 1 ? 0 : r];
            var xr = x.Data.AsSpan(r * frames, frames);
            var cr = y.Data.AsSpan(r * frames, frames);
            for (int t = 0; t < frames; t++)
            {
                float c = xr[t];
                for (int j = 1; j <= p; j++) c += g[j - 1] * (t - j >= 0 ? cr[t - j] : h);
                cr[t] = c;
            }
        }
        Tape.Record(y, () =>
        {
            var adj = new float[frames];
            Span<float> dGamma = stackalloc float[p];
            dGamma.Clear();
            for (int r = 0; r < rows; r++)
            {
                float h = initial is null ? 0f : initial.Data[initial.Length == 1 ? 0 : r];
                var dc = y.Grad.AsSpan(r * frames, frames);
                var cr = y.Data.AsSpan(r * frames, frames);
                for (int t = frames - 1; t >= 0; t--)
                {
                    float a = dc[t];
                    for (int j = 1; j <= p && t + j < frames; j++) a += g[j - 1] * adj[t + j];
                    adj[t] = a;
                    for (int j = 1; j <= p; j++) dGamma[j - 1] += a * (t - j >= 0 ? cr[t - j] : h);
                }
                if (x.RequiresGrad)
                {
                    var dx = x.GradSpan().Slice(r * frames, frames);
                    System.Numerics.Tensors.TensorPrimitives.Add(dx, adj, dx);
                }
                if (initial is not null && initial.RequiresGrad)
                {
                    float dh = 0;
                    for (int t = 0; t < Math.Min(p, frames); t++)
                    {
                        float tail = 0;
                        for (int j = t + 1; j <= p; j++) tail += g[j - 1];
                        dh += adj[t] * tail;
                    }
                    initial.GradSpan()[initial.Length == 1 ? 0 : r] += dh;
                }
            }
            if (gamma.RequiresGrad)
            {
                var dg = gamma.GradSpan();
                for (int j = 0; j < p; j++) dg[j] += dGamma[j];
            }
        }, x, gamma, initial);
        return y;
    }
}
