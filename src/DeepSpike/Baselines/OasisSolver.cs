namespace DeepSpike.Baselines;

/// <summary>
/// Sums over frames that the baseline and penalty searches need from one solve: with c the solution and
/// <c>u = −∂c/∂φ</c> its slope at a fixed active set, <c>C = Σc</c>, <c>YC = Σ y c</c>, <c>CC = Σ c²</c>,
/// <c>U = Σu</c>, <c>UU = Σ u²</c>, <c>YU = Σ y u</c>, <c>CU = Σ c u</c>.
/// </summary>
internal readonly record struct SolveSums(double C, double YC, double CC, double U, double UU, double YU, double CU);

/// <summary>
/// One trace's penalised deconvolution problem, solved repeatedly for different shifts of the data:
/// <c>min_c ½‖ỹ − c‖²</c> over the calcium cone, with <c>ỹ_t = y_t − φ − λ_b e_t</c>. Here
/// <c>φ = b + λ(1 − Σγ)</c> is the shift that baseline and penalty apply to every frame, and
/// <c>e_t = Σ_{k: t+k ≥ T} γ_k</c> the extra penalty weight of the last p frames (the penalty is
/// <c>λ Σ_t s_t = λ Σ_t w_t c_t</c> with <c>w_t = 1 − Σ_{k: t+k &lt; T} γ_k</c>).
/// </summary>
/// <remarks>
/// The cone: <c>c_t = a d^t + Σ_{τ≥1} h_{t−τ} s_τ</c> with <c>a ≥ 0</c>, <c>s_τ ≥ 0</c> (or ≥ s_min when
/// non-zero), h the AR impulse response and d its slowest root, i.e. the calcium before the recording decays
/// with the slow time constant. For AR(1) this is <c>c_0 ≥ 0</c>, <c>c_t − γ c_{t−1} ≥ 0</c>.
/// </remarks>
internal abstract class OasisSolver : IDisposable
{
    protected OasisSolver(double[] y, double[] ar, double minSpikeSize)
    {
        Y = y;
        Ar = ar;
        MinSpikeSize = minSpikeSize;
        double sum = 0;
        foreach (double g in ar) sum += g;
        InteriorWeight = 1 - sum;
    }

    /// <summary>The data y (baseline not removed).</summary>
    public double[] Y { get; }

    /// <summary>AR coefficients γ.</summary>
    public double[] Ar { get; }

    /// <summary>s_min ≥ 0.</summary>
    public double MinSpikeSize { get; }

    /// <summary>Penalty weight of interior frames, <c>1 − Σγ</c> (&gt; 0 for a stable kernel).</summary>
    public double InteriorWeight { get; }

    /// <summary>Solves for <c>ỹ_t = y_t − shift − boundaryLambda·e_t</c> and returns the sums of the solution.</summary>
    public abstract SolveSums Solve(double shift, double boundaryLambda);

    /// <summary>
    /// Tells the solver that the last solve lies below the searched shift, so later solves at larger shifts may
    /// start from it (a larger shift only merges pools). Optional: solvers may ignore it.
    /// </summary>
    public virtual void KeepAsLowerBound() { }

    /// <summary>Writes c and <c>s_t</c> of the last solve (s is 0 inside pools and at frame 0).</summary>
    public abstract void Materialize(Span<double> calcium, Span<double> spikes);

    /// <summary>As <see cref="Materialize(Span{double}, Span{double})"/>, each value rounded to single precision.</summary>
    public virtual void Materialize(Span<float> calcium, Span<float> spikes)
    {
        var c = new double[calcium.Length];
        var s = new double[spikes.Length];
        Materialize(c, s);
        for (int t = 0; t < c.Length; t++) calcium[t] = (float)c[t];
        for (int t = 0; t < s.Length; t++) spikes[t] = (float)s[t];
    }

    /// <summary>The spikes of <see cref="Materialize(Span{float}, Span{float})"/> alone (the same values).</summary>
    public virtual void MaterializeSpikes(Span<float> spikes) => Materialize(new float[spikes.Length], spikes);

    /// <summary>Returns rented storage; the solver must not be used afterwards.</summary>
    public virtual void Dispose() { }

    /// <summary>A solver for an AR(1) or AR(2) kernel.</summary>
    public static OasisSolver Create(double[] y, double[] ar, double minSpikeSize) => ar.Length switch
    {
        1 => new OasisAr1Solver(y, ar[0], minSpikeSize),
        2 => new OasisAr2Solver(y, ar[0], ar[1], minSpikeSize),
        _ => throw new ArgumentException($"AR order must be 1 or 2, got {ar.Length}"),
    };
}
