using DeepSpike.Engine;

namespace DeepSpike.Generative;

/// <summary>
/// The stable, decaying AR(p) calcium kernel shared by the generative models, held as root logits:
/// roots <c>r_j = σ(u_j) ∈ (0, 1)</c>, with <c>γ = r</c> for p = 1 and <c>γ_1 = r_1 + r_2, γ_2 = −r_1 r_2</c>
/// for p = 2. Any real <c>u</c> is a valid kernel, so Adam can move it freely.
/// </summary>
public static class ArKernelParameters
{
    /// <summary>Name of the root-logit parameter inside <see cref="GenerativeParameters"/>.</summary>
    public const string ParameterName = "ar_root_logits";

    /// <summary>Root logits for AR coefficients (validated: real roots in (0, 1)).</summary>
    public static float[] RootLogits(double[] gamma) => Roots(gamma).Select(r => (float)Math.Log(r / (1 - r))).ToArray();

    /// <summary>γ as a differentiable tensor <c>[p]</c>.</summary>
    public static Tensor Gamma(GenerativeParameters theta)
    {
        var roots = Ops.Sigmoid(theta[ParameterName]);
        if (roots.Length == 1) return roots;
        var r1 = Ops.SliceLast(roots, 0, 1);
        var r2 = Ops.SliceLast(roots, 1, 1);
        return Ops.ConcatLast([Ops.Add(r1, r2), Ops.Neg(Ops.Mul(r1, r2))]);
    }

    /// <summary>γ as plain values.</summary>
    public static double[] GammaValues(GenerativeParameters theta)
    {
        var r = theta[ParameterName].Data.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
        return r.Length == 1 ? [r[0]] : FromRoots(r[0], r[1]);
    }

    /// <summary>AR(2) coefficients with the given roots.</summary>
    public static double[] FromRoots(double r1, double r2) => [r1 + r2, -r1 * r2];

    /// <summary>Real roots in (0, 1) of <c>z^p − γ_1 z^{p−1} − … − γ_p</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The kernel does not decay, or has complex roots.</exception>
    public static double[] Roots(double[] gamma)
    {
        if (gamma.Length == 1)
        {
            if (!(gamma[0] > 0 && gamma[0] < 1)) throw new ArgumentOutOfRangeException(nameof(gamma), $"AR(1) coefficient must be in (0, 1), got {gamma[0]}");
            return [gamma[0]];
        }
        if (gamma.Length != 2) throw new ArgumentOutOfRangeException(nameof(gamma), $"AR order must be 1 or 2, got {gamma.Length}");
        double disc = gamma[0] * gamma[0] + 4 * gamma[1];
        if (!(disc >= 0)) throw new ArgumentOutOfRangeException(nameof(gamma), $"AR(2) coefficients give complex roots (g1²+4g2 = {disc:G3})");
        double r1 = (gamma[0] + Math.Sqrt(disc)) / 2, r2 = (gamma[0] - Math.Sqrt(disc)) / 2;
        if (!(r1 < 1 && r2 > 0)) throw new ArgumentOutOfRangeException(nameof(gamma), $"AR(2) roots must lie in (0, 1) for a decaying kernel, got {r1:G4} and {r2:G4}");
        return [r1, r2];
    }
}
