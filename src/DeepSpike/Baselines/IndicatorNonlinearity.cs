namespace DeepSpike.Baselines;

/// <summary>
/// The indicator's response <c>p(c)</c> to calcium <c>c</c> (in units of one spike's calcium jump), as in MLspike
/// (Deneux et al. 2016, Nat Commun 7:12190, Methods; <c>tps_mlspikes</c> options <c>hill</c>, <c>c0</c>,
/// <c>saturation</c>, <c>pnonlin</c>): first the Hill step <c>x = (c₀ + c)^h − c₀^h</c>, then either the saturation
/// <c>p = x / (1 + s·x)</c> (OGB-like dyes) or the polynomial <c>p = (1 − Σ_k p_k) x + Σ_k p_k x^{k+1}</c>
/// (GCaMP6: coefficients of x², x³, …, chosen so that <c>p(1) = 1</c> when there is no Hill step). The default is
/// linear, <c>p(c) = c</c>.
/// </summary>
/// <param name="Saturation">s ≥ 0; 0 for none.</param>
/// <param name="Hill">Hill exponent h &gt; 0; 1 for none.</param>
/// <param name="HillOffset">c₀ ≥ 0: resting calcium in one-spike units; only matters when h ≠ 1.</param>
/// <param name="Polynomial">Coefficients p₂, p₃, … of x², x³, …, or null for none; not together with a saturation.</param>
public sealed record IndicatorNonlinearity(double Saturation = 0, double Hill = 1, double HillOffset = 0, double[]? Polynomial = null)
{
    /// <summary>The identity, <c>p(c) = c</c>.</summary>
    public static IndicatorNonlinearity Linear { get; } = new();

    /// <summary>True when <c>p(c) = c</c> exactly.</summary>
    public bool IsLinear => Saturation == 0 && Hill == 1 && (Polynomial is null || Polynomial.All(p => p == 0));

    /// <summary>Throws if a value is out of range; returns this.</summary>
    public IndicatorNonlinearity Validate()
    {
        if (!(Saturation >= 0 && double.IsFinite(Saturation)))
            throw new ArgumentOutOfRangeException(nameof(Saturation), Saturation, $"saturation must be finite and >= 0, got {Saturation}");
        if (!(Hill > 0 && double.IsFinite(Hill)))
            throw new ArgumentOutOfRangeException(nameof(Hill), Hill, $"Hill exponent must be finite and > 0, got {Hill}");
        if (!(HillOffset >= 0 && double.IsFinite(HillOffset)))
            throw new ArgumentOutOfRangeException(nameof(HillOffset), HillOffset, $"Hill offset c0 must be finite and >= 0, got {HillOffset}");
        if (Polynomial is not null)
        {
            foreach (double p in Polynomial)
                if (!double.IsFinite(p)) throw new ArgumentException($"polynomial coefficients must be finite, got {p}", nameof(Polynomial));
            if (Saturation > 0 && Polynomial.Any(p => p != 0))
                throw new ArgumentException("give either a saturation or a polynomial nonlinearity, not both (as MLspike)", nameof(Polynomial));
        }
        return this;
    }

    /// <summary><c>p(c)</c> for <c>c ≥ 0</c>.</summary>
    public double Apply(double calcium)
    {
        double x = Hill == 1 ? calcium : Math.Pow(HillOffset + calcium, Hill) - Math.Pow(HillOffset, Hill);
        if (Polynomial is { Length: > 0 } poly)
        {
            double linear = 1, power = x, sum = 0;
            foreach (double p in poly)
            {
                linear -= p;
                power *= x;
                sum += p * power;
            }
            return linear * x + sum;
        }
        return Saturation == 0 ? x : x / (1 + Saturation * x);
    }
}
