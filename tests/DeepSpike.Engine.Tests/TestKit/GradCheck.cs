using System.Globalization;
using System.Text;

namespace DeepSpike.Engine.Tests.TestKit;

/// <summary>Settings for <see cref="GradCheck"/>.</summary>
/// <param name="RelativeStep">Perturbation h = RelativeStep · max(|x|, 1); central differences have O(h²) error.</param>
/// <param name="RelativeTolerance">An element passes if |analytic − numeric| ≤ RelativeTolerance · max(|analytic|, |numeric|) …</param>
/// <param name="AbsoluteTolerance">… or |analytic − numeric| ≤ AbsoluteTolerance.</param>
/// <param name="Seed">Seed of the random projection w that turns the output into the scalar loss Σ w ⊙ y.</param>
internal sealed record GradCheckOptions(
    double RelativeStep = 1e-2,
    double RelativeTolerance = 2e-2,
    double AbsoluteTolerance = 1e-3,
    int Seed = 20240611)
{
    public static GradCheckOptions Default { get; } = new();
}

/// <summary>
/// Finite-difference gradient checker for the tape. The scalar loss is a random linear projection of the
/// output, <c>L = Σ_i w_i y_i</c> with w ~ N(0, 1), so every output element contributes to every gradient.
/// The analytic gradient is the tape's vector–Jacobian product seeded with w; the numeric one is
/// <c>(L(x + h) − L(x − h)) / (2h)</c> per input element, with L summed in double precision and h the
/// difference actually representable in float.
/// </summary>
internal static class GradCheck
{
    /// <summary>
    /// Checks the gradient of <paramref name="forward"/> with respect to every element of every tensor in
    /// <paramref name="inputs"/> (which must be the tensors the closure reads, marked RequiresGrad).
    /// </summary>
    /// <param name="skip">Elements (input index, element index) left out of the numeric comparison, e.g. kinks.</param>
    public static void Assert(Func<Tensor> forward, IReadOnlyList<Tensor> inputs, GradCheckOptions? options = null,
        Func<int, int, bool>? skip = null)
    {
        var result = Run(forward, inputs, options, skip);
        if (result.Failures.Count > 0)
            throw new Xunit.Sdk.XunitException(result.Describe());
    }

    /// <inheritdoc cref="Assert(Func{Tensor}, IReadOnlyList{Tensor}, GradCheckOptions?, Func{int, int, bool}?)"/>
    public static void Assert(Func<Tensor> forward, params Tensor[] inputs) => Assert(forward, inputs, null);

    /// <summary>Analytic gradients (tape, seeded with w) for each input, and the projection w.</summary>
    public static (float[][] Gradients, float[] Projection) Analytic(Func<Tensor> forward, IReadOnlyList<Tensor> inputs, int seed)
    {
        foreach (var t in inputs)
        {
            if (!t.RequiresGrad) throw new ArgumentException($"gradient check input {t} must have RequiresGrad set");
            t.ZeroGrad();
        }
        using var tape = new Tape();
        var y = forward();
        var w = Normal(new Random(seed), y.Length);
        tape.Backward(y, w);
        return (inputs.Select(t => (float[])(t.Grad?.Clone() ?? new float[t.Length])).ToArray(), w);
    }

    public static GradCheckResult Run(Func<Tensor> forward, IReadOnlyList<Tensor> inputs, GradCheckOptions? options = null,
        Func<int, int, bool>? skip = null)
    {
        options ??= GradCheckOptions.Default;
        var (analytic, w) = Analytic(forward, inputs, options.Seed);
        var failures = new List<GradCheckFailure>();
        int checkedCount = 0;
        for (int p = 0; p < inputs.Count; p++)
        {
            var data = inputs[p].Data;
            for (int j = 0; j < data.Length; j++)
            {
                if (skip?.Invoke(p, j) == true) continue;
                float original = data[j];
                double h = options.RelativeStep * Math.Max(Math.Abs(original), 1.0);
                float plus = (float)(original + h), minus = (float)(original - h);
                data[j] = plus;
                double lossPlus = Loss(forward(), w);
                data[j] = minus;
                double lossMinus = Loss(forward(), w);
                data[j] = original;
                double numeric = (lossPlus - lossMinus) / ((double)plus - minus);
                double a = analytic[p][j], err = Math.Abs(a - numeric);
                checkedCount++;
                if (!(err <= options.AbsoluteTolerance || err <= options.RelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(numeric))))
                    failures.Add(new GradCheckFailure(p, j, a, numeric));
            }
        }
        return new GradCheckResult(inputs, analytic, checkedCount, failures);
    }

    /// <summary>Σ w ⊙ y in double precision.</summary>
    private static double Loss(Tensor y, float[] w)
    {
        if (y.Length != w.Length) throw new InvalidOperationException($"forward changed its output length from {w.Length} to {y.Length}");
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += (double)w[i] * y.Data[i];
        return s;
    }

    private static float[] Normal(Random rng, int n)
    {
        var w = new float[n];
        for (int i = 0; i < n; i++)
            w[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return w;
    }
}

/// <summary>One element whose analytic and numeric gradients disagree.</summary>
internal sealed record GradCheckFailure(int Input, int Element, double Analytic, double Numeric);

/// <summary>Outcome of <see cref="GradCheck.Run"/>.</summary>
internal sealed record GradCheckResult(IReadOnlyList<Tensor> Inputs, float[][] Analytic, int Checked, IReadOnlyList<GradCheckFailure> Failures)
{
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Failures.Count} of {Checked} gradient elements disagree with finite differences:");
        foreach (var f in Failures.Take(12))
            sb.Append(CultureInfo.InvariantCulture,
                $"\n  input {f.Input} ({Inputs[f.Input]}) [{f.Element}]: analytic {f.Analytic:G6}, numeric {f.Numeric:G6}");
        return sb.ToString();
    }
}
