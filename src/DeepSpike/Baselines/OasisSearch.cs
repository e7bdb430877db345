namespace DeepSpike.Baselines;

/// <summary>A baseline and penalty that a search settled on; the solver's last solve is at exactly these.</summary>
internal readonly record struct PenaltyFit(double Baseline, double Lambda);

/// <summary>
/// Chooses the baseline b and/or the penalty λ around repeated exact solves of an <see cref="OasisSolver"/>.
/// </summary>
/// <remarks>
/// Every frame's data is shifted by <c>φ = b + λ(1 − Σγ)</c> (the last p frames by a little more), so both
/// searches move φ. With the solution's active set held fixed, c is affine in φ with slope −u, which makes
/// the residual sum of squares a quadratic in the step and the baseline condition linear: each step solves
/// that model exactly (OASIS's own update, Friedrich et al. 2017, "Hyperparameter optimization") and then
/// re-solves the problem exactly; a bracket keeps the steps safe when the active set changes. Solves below
/// the target are kept so that the AR(1) solver can restart from them. The searches always end on a solve
/// at the parameters they return.
/// </remarks>
internal sealed class OasisSearch
{
    /// <summary>Exact solves before a search stops where it is.</summary>
    public const int MaxIterations = 60;

    /// <summary>Relative tolerance on <c>RSS = σ²T</c> (OASIS uses the same).</summary>
    public const double RssTolerance = 1e-4;

    /// <summary>
    /// How far, in units of σ, the λ used for the last frames may lag the λ the solve implies. A lag δ shifts
    /// the last p frames' data by at most δ·Σ|γ| and offsets b from mean(y − c) by δ(1 − Σγ): both ≤ 0.05σ
    /// on one or two frames is far below the noise.
    /// </summary>
    public const double LagTolerance = 0.05;

    /// <summary>Fraction of the target RSS that a step aims at while no solve above the target is known.</summary>
    public const double FirstStepAim = 0.98;

    /// <summary>Relative distance of the RSS from its target within which a step also updates λ on the last frames.</summary>
    public const double BoundaryUpdateBand = 0.05;

    private readonly OasisSolver _solver;
    private readonly int _n;
    private readonly double _sumY, _sumYY, _w;
    private double _range = double.NaN; // max − min of y, computed when a baseline search first needs it

    public OasisSearch(OasisSolver solver)
    {
        _solver = solver;
        var y = solver.Y;
        _n = y.Length;
        _sumY = VectorMath.Sum(y);
        _sumYY = VectorMath.Dot(y, y);
        _w = solver.InteriorWeight;
    }

    /// <summary>Solves at a given baseline and penalty.</summary>
    public SolveSums SolveAt(double baseline, double lambda) => _solver.Solve(baseline + lambda * _w, lambda);

    /// <summary>λ fixed, b the joint optimum: <c>b = mean(y − c(b))</c>; <c>ψ(b) = b − mean(y − c)</c> is non-decreasing.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public double FitBaseline(double lambda, double initialBaseline)
    {
        if (double.IsNaN(_range))
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (double v in _solver.Y) { if (v < min) min = v; if (v > max) max = v; }
            _range = max - min;
        }
        double tolerance = 1e-10 * (_range + double.Epsilon);
        double b = initialBaseline, solved = b, lo = double.NegativeInfinity, hi = double.PositiveInfinity;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            var sums = SolveAt(b, lambda);
            solved = b;
            double psi = b - (_sumY - sums.C) / _n;
            if (Math.Abs(psi) <= tolerance) break;
            if (psi < 0) { lo = b; _solver.KeepAsLowerBound(); }
            else hi = b;
            double slope = 1 - sums.U / _n;
            b = Safeguard(slope > 1e-12 ? b - psi / slope : double.NaN, lo, hi, b, Math.Abs(psi));
        }
        return solved;
    }

    /// <summary>b fixed; λ ≥ 0 with <c>‖y − b − c‖² = threshold</c> (0 if λ = 0 already exceeds it).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public double FitLambda(double baseline, double threshold)
    {
        double lambda = 0, solved = 0, lo = 0, hi = double.PositiveInfinity;
        double scale = Math.Sqrt(threshold / _n) / _w;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            var sums = SolveAt(baseline, lambda);
            solved = lambda;
            double rss = Rss(sums, baseline);
            if (Math.Abs(rss - threshold) <= RssTolerance * threshold || (rss > threshold && lambda == 0)) break;
            if (sums.UU == 0 && rss < threshold) break; // c ≡ 0 already: a larger λ changes nothing
            if (rss < threshold) { lo = lambda; _solver.KeepAsLowerBound(); }
            else hi = lambda;
            // r(λ + Δ) = r + Δ w u.
            double slope = _w * (sums.YU - baseline * sums.U - sums.CU), curvature = _w * _w * sums.UU;
            lambda = Safeguard(lambda + QuadraticStep(rss - threshold, slope, curvature), lo, hi, lambda, scale);
        }
        return solved;
    }

    /// <summary>
    /// Both free: <c>RSS = threshold</c> and <c>b = mean(y − c)</c>. λ's extra weight on the last p frames is
    /// held at its latest value while φ is searched (so the searched function stays fixed), then updated from
    /// the solve, and the search repeats until it no longer moves by more than <see cref="LagTolerance"/>.
    /// Falls back to λ = 0 with b fitted when the constraint would need λ &lt; 0 (σ²T below even the
    /// unpenalised residual).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public PenaltyFit FitLambdaAndBaseline(double threshold, double initialBaseline, double noiseSigma)
    {
        double phi = initialBaseline, boundaryLambda = 0, solvedPhi = phi, solvedLambda = 0;
        double lo = double.NegativeInfinity, hi = double.PositiveInfinity;
        bool firstStep = true;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            var sums = _solver.Solve(phi, boundaryLambda);
            (solvedPhi, solvedLambda) = (phi, boundaryLambda);
            double b = (_sumY - sums.C) / _n;
            double lambda = (phi - b) / _w;
            double rss = Rss(sums, b);
            bool met = Math.Abs(rss - threshold) <= RssTolerance * threshold
                || (sums.UU == 0 && rss < threshold); // c ≡ 0: the whole trace is within the noise
            if (met)
            {
                if (Math.Abs(lambda - boundaryLambda) <= LagTolerance * noiseSigma) break;
                // Same φ, updated λ on the last frames: a slightly different function, so a fresh bracket.
                boundaryLambda = lambda;
                (lo, hi) = (double.NegativeInfinity, double.PositiveInfinity);
                continue;
            }
            if (rss < threshold) { lo = phi; _solver.KeepAsLowerBound(); }
            else hi = phi;
            if (Math.Abs(rss - threshold) <= BoundaryUpdateBand * threshold && Math.Abs(lambda - boundaryLambda) > LagTolerance * noiseSigma)
            {
                // Near the root the implied λ is close to its final value: move the last frames' λ there now
                // rather than after convergence (a slightly different function, so a fresh bracket).
                boundaryLambda = lambda;
                (lo, hi) = (double.NegativeInfinity, double.PositiveInfinity);
            }
            // r is centred, so with v = u − ū: r·v = r·u and ‖v‖² = Σu² − (Σu)²/T.
            double rv = sums.YU - b * sums.U - sums.CU;
            double vv = Math.Max(0, sums.UU - sums.U * sums.U / _n);
            // Merges make RSS rise faster than the fixed-active-set model predicts, so the first step from
            // below aims a little short: landing below the root keeps a solution to restart from.
            double target = firstStep && rss < threshold ? FirstStepAim * threshold : threshold;
            firstStep = false;
            phi = Safeguard(phi + QuadraticStep(rss - target, rv, vv), lo, hi, phi, noiseSigma);
        }
        if (solvedLambda < 0)
            return new PenaltyFit(FitBaseline(0, solvedPhi), 0);
        return new PenaltyFit(solvedPhi - solvedLambda * _w, solvedLambda);
    }

    /// <summary><c>Σ (y − b − c)²</c> from the sums.</summary>
    private double Rss(SolveSums s, double b) =>
        _sumYY - 2 * b * _sumY + _n * b * b - 2 * s.YC + 2 * b * s.C + s.CC;

    /// <summary>
    /// Step Δ with <c>excess + 2 Δ slope + Δ² curvature = 0</c> on the increasing branch; the vertex if there is
    /// no root; NaN if the model is flat.
    /// </summary>
    private static double QuadraticStep(double excess, double slope, double curvature)
    {
        if (!(curvature > 0)) return slope != 0 ? -excess / (2 * slope) : double.NaN;
        double disc = slope * slope - curvature * excess;
        return disc >= 0 ? (-slope + Math.Sqrt(disc)) / curvature : -slope / curvature;
    }

    /// <summary>
    /// <paramref name="proposal"/> if strictly inside (lo, hi); else the midpoint of a finite bracket, or a step
    /// of 2·scale past the current point towards the open side.
    /// </summary>
    private static double Safeguard(double proposal, double lo, double hi, double current, double scale)
    {
        if (proposal > lo && proposal < hi && double.IsFinite(proposal)) return proposal;
        if (double.IsFinite(lo) && double.IsFinite(hi)) return lo + (hi - lo) / 2;
        scale = Math.Max(scale, 1e-12 * (Math.Abs(current) + 1));
        return double.IsFinite(lo) ? Math.Max(current, lo) + 2 * scale : Math.Min(current, hi) - 2 * scale;
    }
}
