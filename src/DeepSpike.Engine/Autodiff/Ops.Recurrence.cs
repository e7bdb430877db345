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

    /// <summary>
    /// First-order relaxation with a per-element retention, along the last dimension of every row:
    /// <c>y_t = r_t y_{t−1} + (1 − r_t) z_t</c>, i.e. y moves towards the target z_t, keeping the fraction r_t of
    /// its distance (with <c>r_t = e^{−λ_t}</c> this is the exact solution over one frame of
    /// <c>dy/dt = λ_t (z_t − y)</c> with z and λ held constant). <paramref name="target"/> and
    /// <paramref name="retention"/> have the same shape; the state before the first frame is
    /// <paramref name="initial"/> (one value per row or one shared; zero if null).
    /// </summary>
    /// <remarks>
    /// For r_t in [0, 1] every step is a convex combination, so y stays between its previous value and the
    /// target whatever the rates: the step cannot overshoot or diverge, unlike an explicit Euler step.
    /// Backward runs the adjoint recursion <c>g_t = ∂L/∂y_t + r_{t+1} g_{t+1}</c>; then
    /// ∂L/∂z_t = (1 − r_t) g_t, ∂L/∂r_t = g_t (y_{t−1} − z_t) and ∂L/∂h = r_0 g_0.
    /// </remarks>
    public static Tensor Relaxation(Tensor target, Tensor retention, Tensor? initial = null)
    {
        if (!target.Shape.AsSpan().SequenceEqual(retention.Shape))
            throw new ArgumentException($"Relaxation: target [{target.ShapeString}] and retention [{retention.ShapeString}] must have the same shape");
        int frames = target.Dim(-1), rows = target.Length / Math.Max(frames, 1);
        if (initial is not null && initial.Length != rows && initial.Length != 1)
            throw new ArgumentException($"Relaxation: initial state [{initial.ShapeString}] must have one value or one per row of target [{target.ShapeString}] ({rows})");
        var y = Tensor.Zeros((int[])target.Shape.Clone());
        for (int r = 0; r < rows; r++)
        {
            float previous = initial is null ? 0f : initial.Data[initial.Length == 1 ? 0 : r];
            var z = target.Data.AsSpan(r * frames, frames);
            var k = retention.Data.AsSpan(r * frames, frames);
            var yr = y.Data.AsSpan(r * frames, frames);
            for (int t = 0; t < frames; t++) yr[t] = previous = z[t] + k[t] * (previous - z[t]);
        }
        Tape.Record(y, () =>
        {
            for (int r = 0; r < rows; r++)
            {
                int o = r * frames;
                float h = initial is null ? 0f : initial.Data[initial.Length == 1 ? 0 : r];
                var dy = y.Grad.AsSpan(o, frames);
                var yr = y.Data.AsSpan(o, frames);
                var z = target.Data.AsSpan(o, frames);
                var k = retention.Data.AsSpan(o, frames);
                var dz = target.RequiresGrad ? target.GradSpan().Slice(o, frames) : default;
                var dk = retention.RequiresGrad ? retention.GradSpan().Slice(o, frames) : default;
                float g = 0;
                for (int t = frames - 1; t >= 0; t--)
                {
                    g = dy[t] + (t + 1 < frames ? k[t + 1] * g : 0f);
                    if (!dz.IsEmpty) dz[t] += (1f - k[t]) * g;
                    if (!dk.IsEmpty) dk[t] += g * ((t > 0 ? yr[t - 1] : h) - z[t]);
                }
                if (initial is not null && initial.RequiresGrad && frames > 0)
                    initial.GradSpan()[initial.Length == 1 ? 0 : r] += k[0] * g;
            }
        }, target, retention, initial);
        return y;
    }
}
