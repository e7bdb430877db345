using System.Numerics.Tensors;

namespace DeepSpike.Engine;

public static partial class Ops
{
    /// <summary><c>exp(x)</c>. Backward saves the output: dx = dy · y.</summary>
    public static Tensor Exp(Tensor x)
    {
        var y = Like(x);
        TensorPrimitives.Exp(x.Data, y.Data);
        Tape.Record(y, () => MultiplyAccumulate(x.GradSpan(), y.Grad!, y.Data), x);
        return y;
    }

    /// <summary><c>ln(x)</c>; −∞ at 0 and NaN below. Backward saves the input: dx = dy / x.</summary>
    public static Tensor Log(Tensor x)
    {
        var y = Like(x);
        TensorPrimitives.Log(x.Data, y.Data);
        Tape.Record(y, () =>
        {
            var tmp = new float[x.Length];
            TensorPrimitives.Divide(y.Grad!, x.Data, tmp);
            TensorPrimitives.Add(x.GradSpan(), tmp, x.GradSpan());
        }, x);
        return y;
    }

    /// <summary>Logistic sigmoid <c>1 / (1 + e^−x)</c>. Backward saves the output: dx = dy · y(1 − y).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        var y = Like(x);
        TensorPrimitives.Sigmoid(x.Data, y.Data);
        Tape.Record(y, () =>
        {
            var g = x.GradSpan(); var dy = y.Grad!; var s = y.Data;
            for (int i = 0; i < g.Length; i++) g[i] += dy[i] * s[i] * (1f - s[i]);
        }, x);
        return y;
    }

    /// <summary><c>tanh(x)</c>. Backward saves the output: dx = dy · (1 − y²).</summary>
    public static Tensor Tanh(Tensor x)
    {
        var y = Like(x);
        TensorPrimitives.Tanh(x.Data, y.Data);
        Tape.Record(y, () =>
        {
            var g = x.GradSpan(); var dy = y.Grad!; var t = y.Data;
            for (int i = 0; i < g.Length; i++) g[i] += dy[i] * (1f - t[i] * t[i]);
        }, x);
        return y;
    }

    /// <summary>
    /// Softplus <c>ln(1 + eˣ)</c>, computed as <c>max(x, 0) + ln(1 + e^−|x|)</c> so it neither overflows
    /// nor loses precision for large |x|. Range: (0, ∞). Backward: dx = dy · σ(x).
    /// </summary>
    public static Tensor Softplus(Tensor x)
    {
        var y = Like(x);
        Kernels.Elementwise.Softplus(x.Data, y.Data);
        Tape.Record(y, () =>
        {
            var g = x.GradSpan(); var dy = y.Grad!; var xs = x.Data;
            for (int i = 0; i < g.Length; i++) g[i] += dy[i] / (1f + MathF.Exp(-xs[i]));
        }, x);
        return y;
    }

    /// <summary>
    /// Log-sigmoid <c>ln σ(x) = −softplus(−x)</c>, stable for all x. Range: (−∞, 0).
    /// Backward: dx = dy · (1 − σ(x)).
    /// </summary>
    public static Tensor LogSigmoid(Tensor x)
    {
        var y = Like(x);
        Kernels.Elementwise.LogSigmoid(x.Data, y.Data);
        Tape.Record(y, () =>
        {
            var g = x.GradSpan(); var dy = y.Grad!; var xs = x.Data;
            for (int i = 0; i < g.Length; i++) g[i] += dy[i] / (1f + MathF.Exp(xs[i]));
        }, x);
        return y;
    }

    /// <summary>Leaky ReLU: x for x &gt; 0, <paramref name="slope"/>·x otherwise. The gradient at 0 is taken as slope.</summary>
    public static Tensor LeakyRelu(Tensor x, float slope = 0.01f)
    {
        var y = Like(x);
        Kernels.Elementwise.LeakyRelu(x.Data, y.Data, slope);
        Tape.Record(y, () =>
        {
            var g = x.GradSpan(); var dy = y.Grad!; var xs = x.Data;
            for (int i = 0; i < g.Length; i++) g[i] += xs[i] > 0 ? dy[i] : slope * dy[i];
        }, x);
        return y;
    }

    /// <summary><c>x^p</c> for a constant exponent. Backward: dx = dy · p · x^(p−1).</summary>
    public static Tensor Pow(Tensor x, float p)
    {
        var y = Like(x);
        TensorPrimitives.Pow(x.Data, p, y.Data);
        Tape.Record(y, () =>
        {
            var g = x.GradSpan(); var dy = y.Grad!; var xs = x.Data;
            for (int i = 0; i < g.Length; i++) g[i] += dy[i] * p * MathF.Pow(xs[i], p - 1f);
        }, x);
        return y;
    }

    /// <summary>
    /// <c>x^e</c> for x ≥ 0 with a learnable exponent <paramref name="exponent"/> (one value, or x's shape).
    /// Defined as 0 where x = 0 (with zero gradient), which is the limit for e &gt; 0 — the Hill
    /// coefficient case of the SCDF model. Backward: dx = dy · e · x^(e−1), de = Σ dy · y · ln x.
    /// </summary>
    public static Tensor Pow(Tensor x, Tensor exponent)
    {
        if (exponent.Length != 1 && exponent.Length != x.Length)
            throw new ArgumentException($"Pow: exponent [{exponent.ShapeString}] must have one value or one per element of x [{x.ShapeString}]");
        if (exponent.Length == 1 && x.Length > 1) return PowScalarExponent(x, exponent);
        var y = Like(x);
        var e = exponent.Data; var xs = x.Data; var ys = y.Data;
        for (int i = 0; i < xs.Length; i++)
            ys[i] = xs[i] > 0 ? MathF.Pow(xs[i], e[i]) : 0f;
        Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            if (x.RequiresGrad)
            {
                var g = x.GradSpan();
                for (int i = 0; i < g.Length; i++)
                    if (xs[i] > 0) g[i] += dy[i] * e[i] * ys[i] / xs[i];
            }
            if (exponent.RequiresGrad)
            {
                var ge = exponent.GradSpan();
                for (int i = 0; i < xs.Length; i++)
                    if (xs[i] > 0) ge[i] += dy[i] * ys[i] * MathF.Log(xs[i]);
            }
        }, x, exponent);
        return y;
    }

    /// <summary>
    /// <see cref="Pow(Tensor, Tensor)"/> with one exponent for all of x, vectorised as <c>exp(e ln x)</c>: the MLphys
    /// drive raises every sampled calcium value (K × B × T of them per step) to the Hill power, and the scalar
    /// <c>MathF.Pow</c> loop cost more than the rest of the likelihood. ln x is kept for the backward pass.
    /// </summary>
    private static Tensor PowScalarExponent(Tensor x, Tensor exponent)
    {
        var y = Like(x);
        float e = exponent.Data[0];
        var xs = x.Data; var ys = y.Data;
        var logX = new float[xs.Length];
        TensorPrimitives.Log(xs, logX);
        TensorPrimitives.Multiply(logX, e, ys);
        TensorPrimitives.Exp(ys, ys);
        for (int i = 0; i < xs.Length; i++)
            if (!(xs[i] > 0)) ys[i] = logX[i] = 0f; // the x = 0 limit (and no NaN from ln of x ≤ 0)
        Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            var dyY = new float[xs.Length];
            TensorPrimitives.Multiply(dy, ys, dyY);
            if (exponent.RequiresGrad) exponent.GradSpan()[0] += TensorPrimitives.Dot(dyY, logX);
            if (x.RequiresGrad)
            {
                // dx = dy · e · y / x, and 0 where x ≤ 0 (y = 0 there; avoid 0/0).
                var g = x.GradSpan();
                for (int i = 0; i < g.Length; i++)
                    if (xs[i] > 0) g[i] += e * dyY[i] / xs[i];
            }
        }, x, exponent);
        return y;
    }

    /// <summary><c>s · x</c> for a constant s.</summary>
    public static Tensor Scale(Tensor x, float s)
    {
        var y = Like(x);
        TensorPrimitives.Multiply(x.Data, s, y.Data);
        Tape.Record(y, () => TensorPrimitives.MultiplyAdd(y.Grad!, s, x.GradSpan(), x.GradSpan()), x);
        return y;
    }

    /// <summary><c>x + s</c> for a constant s.</summary>
    public static Tensor AddScalar(Tensor x, float s)
    {
        var y = Like(x);
        TensorPrimitives.Add(x.Data, s, y.Data);
        Tape.Record(y, () => TensorPrimitives.Add(x.GradSpan(), y.Grad!, x.GradSpan()), x);
        return y;
    }

    /// <summary>
    /// <c>min(max(x, lo), hi)</c>: the guard in front of an <c>exp</c> whose argument a network computes, so that no
    /// weight setting can overflow it. Backward: dx = dy where lo &lt; x &lt; hi, else 0 (the clamped value is constant).
    /// </summary>
    /// <exception cref="ArgumentException">lo &gt; hi, or either is NaN.</exception>
    public static Tensor Clamp(Tensor x, float lo, float hi)
    {
        if (!(lo <= hi)) throw new ArgumentException($"Clamp: need lo ≤ hi, got [{lo}, {hi}]");
        var y = Like(x);
        TensorPrimitives.Max(x.Data, lo, y.Data);
        TensorPrimitives.Min(y.Data, hi, y.Data);
        Tape.Record(y, () =>
        {
            var g = x.GradSpan(); var dy = y.Grad!; var xs = x.Data;
            for (int i = 0; i < g.Length; i++)
                if (xs[i] > lo && xs[i] < hi) g[i] += dy[i];
        }, x);
        return y;
    }

    /// <summary>
    /// <c>ln Γ(x)</c> for x &gt; 0 (Lanczos, g = 7, 9 terms, in double; relative error below 1e-13 before the cast), e.g. the
    /// <c>−ln Γ(v + 1)</c> of a Poisson density evaluated at a continuous v. NaN for x ≤ 0. Backward saves the input:
    /// dx = dy · ψ(x), the digamma function (recurrence up to x ≥ 6, then its asymptotic series).
    /// </summary>
    public static Tensor LogGamma(Tensor x)
    {
        var y = Like(x);
        for (int i = 0; i < y.Length; i++) y.Data[i] = (float)LogGammaOf(x.Data[i]);
        Tape.Record(y, () =>
        {
            var g = x.GradSpan(); var dy = y.Grad!; var xs = x.Data;
            for (int i = 0; i < g.Length; i++) g[i] += dy[i] * (float)Digamma(xs[i]);
        }, x);
        return y;
    }

    private static readonly double[] LanczosCoefficients =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) in double for x &gt; 0; NaN otherwise.</summary>
    public static double LogGammaOf(double x)
    {
        if (!(x > 0)) return double.NaN;
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGammaOf(1 - x);
        x -= 1;
        double sum = LanczosCoefficients[0];
        for (int i = 1; i < LanczosCoefficients.Length; i++) sum += LanczosCoefficients[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>ψ(x) = d ln Γ(x) / dx for x &gt; 0 (ψ(x) = ψ(x + 1) − 1/x up to x ≥ 6, then the asymptotic series); NaN otherwise.</summary>
    public static double Digamma(double x)
    {
        if (!(x > 0)) return double.NaN;
        double result = 0;
        for (; x < 6; x++) result -= 1 / x;
        double inverse = 1 / x, inverse2 = inverse * inverse;
        return result + Math.Log(x) - 0.5 * inverse
               - inverse2 * (1.0 / 12 - inverse2 * (1.0 / 120 - inverse2 * (1.0 / 252 - inverse2 * (1.0 / 240 - inverse2 / 132))));
    }

    /// <summary><c>−x</c>.</summary>
    public static Tensor Neg(Tensor x) => Scale(x, -1f);

    /// <summary><c>x²</c>. Backward saves the input: dx = 2 · dy · x.</summary>
    public static Tensor Square(Tensor x)
    {
        var y = Like(x);
        TensorPrimitives.Multiply(x.Data, x.Data, y.Data);
        Tape.Record(y, () =>
        {
            var g = x.GradSpan(); var dy = y.Grad!; var xs = x.Data;
            for (int i = 0; i < g.Length; i++) g[i] += 2f * dy[i] * xs[i];
        }, x);
        return y;
    }

    /// <summary>A new zero tensor of x's shape.</summary>
    private static Tensor Like(Tensor x) => Tensor.Zeros((int[])x.Shape.Clone());

    /// <summary>g += a ⊙ b.</summary>
    private static void MultiplyAccumulate(Span<float> g, ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        TensorPrimitives.FusedMultiplyAdd(a, b, g, g);
}
