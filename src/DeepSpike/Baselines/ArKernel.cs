namespace DeepSpike.Baselines;

/// <summary>Checks on AR(1)/AR(2) calcium kernels <c>c_t = Σ_k γ_k c_{t−k} + s_t</c>.</summary>
internal static class ArKernel
{
    /// <summary>
    /// Throws unless γ is a decaying kernel the OASIS pools can represent: AR(1) with <c>0 &lt; γ &lt; 1</c>;
    /// AR(2) with real, distinct roots <c>0 &lt; r &lt; d &lt; 1</c> of <c>z² − γ_1 z − γ_2</c>.
    /// </summary>
    public static void Validate(double[] ar, string name = "ar")
    {
        ArgumentNullException.ThrowIfNull(ar, name);
        if (ar.Length is not (1 or 2)) throw new ArgumentException($"need 1 or 2 AR coefficients, got {ar.Length}", name);
        foreach (double g in ar)
            if (!double.IsFinite(g)) throw new ArgumentException($"AR coefficients must be finite, got {g}", name);
        if (ar.Length == 1)
        {
            if (!(ar[0] > 0 && ar[0] < 1)) throw new ArgumentOutOfRangeException(name, ar[0], $"AR(1) coefficient must be in (0, 1) for a decaying kernel, got {ar[0]}");
            return;
        }
        double disc = ar[0] * ar[0] + 4 * ar[1];
        if (!(disc > 0)) throw new ArgumentOutOfRangeException(name, disc, $"AR(2) coefficients give complex or repeated roots (g1²+4g2 = {disc:G3}); need two distinct real roots");
        double d = (ar[0] + Math.Sqrt(disc)) / 2, r = (ar[0] - Math.Sqrt(disc)) / 2;
        if (!(d < 1 && r > 0)) throw new ArgumentOutOfRangeException(name, ar, $"AR(2) roots must lie in (0, 1) for a decaying, non-oscillating kernel, got {d:G4} and {r:G4}");
    }
}
