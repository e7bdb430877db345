using System.Runtime.CompilerServices;
namespace DeepSpike.Baselines;

/// <summary>
/// Exact Euclidean projection of ỹ onto the AR(2) calcium cone <c>{c : R c ≥ 0}</c> by block principal
/// pivoting (a primal–dual active-set method with Murty's backup rule; Júdice &amp; Pires 1994, Kim &amp; Park
/// 2011), warm-started from OASIS's greedy pools or the previous solve.
/// </summary>
/// <remarks>
/// The rows of R are <c>r_0 = e_0</c> (<c>c_0 ≥ 0</c>), <c>r_1 = e_1 − d e_0</c> (the calcium before the
/// recording decays with the slow root d) and <c>r_t = e_t − γ_1 e_{t−1} − γ_2 e_{t−2}</c>, whose values are the
/// spikes. For an active set A (rows held at 0) the KKT system is <c>c = ỹ + R_Aᵀ μ_A</c>,
/// <c>R_A R_Aᵀ μ_A = −R_A ỹ</c>; <c>R_A R_Aᵀ</c> is pentadiagonal in the order of A (rows overlap only within
/// two frames), so each step is an O(T) banded LDLᵀ solve. The infeasible rows (active with <c>μ_t &lt; 0</c>,
/// inactive with a negative spike) then all switch sides; when their number stops falling for
/// <see cref="BackupSteps"/> steps, only the last of them switches (Murty's rule), which guarantees
/// termination — <c>R Rᵀ</c> is not an M-matrix for AR(2), and the plain method can cycle. When no row is
/// infeasible, c satisfies all KKT conditions and is the unique optimum.
/// </remarks>
internal sealed class ConeProjection
{
    /// <summary>Active-set steps before giving up.</summary>
    public const int MaxIterations = 500;

    /// <summary>Full exchanges allowed without reducing the number of infeasible rows.</summary>
    public const int BackupSteps = 3;

    private readonly int _n;
    private readonly double[] _a1, _a2;   // row t = e_t + a1_t e_{t−1} + a2_t e_{t−2}
    private readonly int[] _rows;         // active rows in increasing order
    private readonly double[] _l1, _l2, _diag, _work;

    public ConeProjection(int frames, double g1, double g2, double d)
    {
        _n = frames;
        _a1 = new double[frames];
        _a2 = new double[frames];
        for (int t = 1; t < frames; t++)
        {
            _a1[t] = t == 1 ? -d : -g1;
            _a2[t] = t >= 2 ? -g2 : 0;
        }
        _rows = new int[frames];
        _l1 = new double[frames];
        _l2 = new double[frames];
        _diag = new double[frames];
        _work = new double[frames];
        Active = new bool[frames];
    }

    /// <summary>Rows held at 0; set by the caller as the warm start, updated by <see cref="Project"/>.</summary>
    public bool[] Active { get; }

    /// <summary>Whether the last <see cref="Project"/> satisfied every KKT condition.</summary>
    public bool Converged { get; private set; }

    /// <summary>Projects <paramref name="target"/> into <paramref name="c"/>; returns the active-set steps used.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Project(ReadOnlySpan<double> target, Span<double> c)
    {
        double scale = 0;
        foreach (double v in target) scale = Math.Max(scale, Math.Abs(v));
        double tolerance = 1e-10 * (scale + double.Epsilon);
        var active = Active;
        Converged = false;
        int best = int.MaxValue, backup = BackupSteps, iteration = 0;
        while (iteration < MaxIterations)
        {
            iteration++;
            int m = Factor();
            for (int j = 0; j < m; j++) _work[j] = -RowDot(_rows[j], target);
            SolveFactored(m, _work);
            target.CopyTo(c);
            for (int j = 0; j < m; j++) AddRowTransposed(_rows[j], _work[j], c);

            // Infeasible rows: active with μ < 0, inactive with a negative spike. _work holds μ in row order.
            int infeasible = 0, lastInfeasible = -1, j2 = 0;
            for (int t = 0; t < _n; t++)
            {
                bool bad = active[t] ? _work[j2++] < -tolerance : RowDot(t, c) < -tolerance;
                if (bad) { infeasible++; lastInfeasible = t; }
            }
            if (infeasible == 0) { Converged = true; break; }
            if (infeasible < best) { best = infeasible; backup = BackupSteps; }
            else if (backup > 0) backup--;
            else
            {
                active[lastInfeasible] = !active[lastInfeasible];
                continue;
            }
            j2 = 0;
            for (int t = 0; t < _n; t++)
            {
                if (active[t]) { if (_work[j2++] < -tolerance) active[t] = false; }
                else if (RowDot(t, c) < -tolerance) active[t] = true;
            }
        }
        return iteration;
    }

    /// <summary>
    /// <c>u = P_A 1</c> for the current active set: the least-squares fit of a constant 1 that satisfies the
    /// active rows with equality.
    /// </summary>
    /// <param name="u">Receives the fit.</param>
    /// <param name="reuseFactorization">True right after a converged <see cref="Project"/> (the active set is
    /// the one last factored); false if <see cref="Active"/> was set since.</param>
    public void ProjectOnes(Span<double> u, bool reuseFactorization)
    {
        int m;
        if (reuseFactorization)
        {
            m = 0;
            foreach (bool a in Active) if (a) m++;
        }
        else m = Factor();
        for (int j = 0; j < m; j++)
        {
            int t = _rows[j];
            _work[j] = -(1 + _a1[t] + _a2[t]);
        }
        SolveFactored(m, _work);
        u.Fill(1);
        for (int j = 0; j < m; j++) AddRowTransposed(_rows[j], _work[j], u);
    }

    /// <summary>Value of row t applied to x: <c>(R x)_t</c>.</summary>
    public double RowDot(int t, ReadOnlySpan<double> x) => t switch
    {
        0 => x[0],
        1 => x[1] + _a1[1] * x[0],
        _ => x[t] + _a1[t] * x[t - 1] + _a2[t] * x[t - 2],
    };

    private void AddRowTransposed(int t, double weight, Span<double> x)
    {
        x[t] += weight;
        if (t >= 1) x[t - 1] += _a1[t] * weight;
        if (t >= 2) x[t - 2] += _a2[t] * weight;
    }

    /// <summary>Collects the active rows and factors <c>R_A R_Aᵀ = L D Lᵀ</c> (L unit lower, bandwidth 2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Factor()
    {
        int m = 0;
        var active = Active;
        for (int t = 0; t < _n; t++) if (active[t]) _rows[m++] = t;
        var a1 = _a1;
        var a2 = _a2;
        for (int j = 0; j < m; j++)
        {
            int t = _rows[j];
            double diagonal = 1 + a1[t] * a1[t] + a2[t] * a2[t];
            double l1 = 0, l2 = 0, dj = diagonal;
            if (j >= 1)
            {
                int u = _rows[j - 1];
                // r_t·r_u: shared columns t−1 (gap 1) and t−2 (gap 1 or 2).
                double m1 = t - u == 1 ? a1[t] + a2[t] * a1[u] : t - u == 2 ? a2[t] : 0;
                if (j >= 2 && t - _rows[j - 2] == 2)
                {
                    l2 = a2[t] / _diag[j - 2];
                    m1 -= l2 * _l1[j - 1] * _diag[j - 2];
                    dj -= l2 * l2 * _diag[j - 2];
                }
                l1 = m1 / _diag[j - 1];
                dj -= l1 * l1 * _diag[j - 1];
            }
            _l1[j] = l1; _l2[j] = l2; _diag[j] = dj;
        }
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SolveFactored(int m, Span<double> x)
    {
        for (int j = 1; j < m; j++)
            x[j] -= _l1[j] * x[j - 1] + (j >= 2 ? _l2[j] * x[j - 2] : 0);
        for (int j = 0; j < m; j++) x[j] /= _diag[j];
        for (int j = m - 2; j >= 0; j--)
            x[j] -= _l1[j + 1] * x[j + 1] + (j + 2 < m ? _l2[j + 2] * x[j + 2] : 0);
    }
}
