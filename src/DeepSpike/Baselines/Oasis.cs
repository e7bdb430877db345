using DeepSpike.Preprocessing;
namespace DeepSpike.Baselines;

/// <summary>
/// OASIS, the online active-set method for sparse non-negative deconvolution of calcium traces (Friedrich,
/// Zhou &amp; Paninski 2017, "Fast online deconvolution of calcium imaging data", PLoS Comput Biol 13:e1005423).
/// </summary>
/// <remarks>
/// The problem, for a trace y of T frames and an AR(p) kernel γ (p = 1, 2):
/// <code>
/// min_{c, b}  ½ Σ_t (y_t − b − c_t)² + λ Σ_t s_t,   s_t = c_t − Σ_k γ_k c_{t−k}  (c_{−k} = 0 in the penalty)
/// subject to  s_t ≥ 0 (or s_t ∈ {0} ∪ [s_min, ∞)) for t ≥ 1, and c_0 ≥ 0,
/// </code>
/// where the calcium present before the first frame decays with the kernel's slow root d (for AR(1),
/// d = γ and this is simply <c>c_0 = s_0 ≥ 0</c>). With s_min = 0 the problem is convex and both
/// <see cref="Solve"/> and <see cref="Deconvolve"/> return its exact minimiser (AR(1): OASIS's pool
/// merging; AR(2): the greedy pools polished by an exact active-set step).
/// </remarks>
public static class Oasis
{
    /// <summary>
    /// Solves the problem for given γ, λ and b (the exact minimiser over c).
    /// </summary>
    /// <param name="fluorescence">The trace, finite, at least one frame.</param>
    /// <param name="ar">γ: one coefficient in (0, 1), or two with real roots in (0, 1).</param>
    /// <param name="lambda">λ ≥ 0.</param>
    /// <param name="baseline">b.</param>
    /// <param name="minSpikeSize">s_min ≥ 0.</param>
    /// <returns>The solution; <see cref="DeconvolutionResult.NoiseSigma"/> is NaN.</returns>
    /// <exception cref="ArgumentException">Empty, non-finite or constant trace, or a parameter out of range (named).</exception>
    public static DeconvolutionResult Solve(ReadOnlySpan<float> fluorescence, double[] ar, double lambda, double baseline = 0, double minSpikeSize = 0)
    {
        ArgumentNullException.ThrowIfNull(ar);
        return Deconvolve(fluorescence, new OasisOptions(ArOrder: ar.Length, Ar: ar, Lambda: lambda, Baseline: baseline, MinSpikeSize: minSpikeSize));
    }

    /// <summary>
    /// Deconvolves one trace, estimating what <paramref name="options"/> leaves null: σ from the power
    /// spectrum, γ from the autocovariance, then b jointly with c, and λ so that
    /// <c>Σ_t (y_t − b − c_t)² = σ² T</c> (the noise-constrained problem; OASIS <c>penalty=1</c>).
    /// </summary>
    /// <remarks>
    /// The constrained λ is found by a few exact solves (see <see cref="OasisSearch"/>), to a relative
    /// tolerance of 10⁻⁴ on the residual sum of squares. If even λ = 0 leaves more than σ²T, λ = 0; if
    /// the trace is within σ²T of its mean, c = 0. The result is always the exact minimiser for the
    /// returned b and λ.
    /// </remarks>
    /// <exception cref="ArgumentException">Empty, non-finite or constant trace; a trace shorter than
    /// <see cref="OasisEstimation.MinFrames"/> when something must be estimated; or invalid options.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static DeconvolutionResult Deconvolve(ReadOnlySpan<float> fluorescence, OasisOptions? options = null)
    {
        var o = (options ?? new OasisOptions()).Validate();
        var problem = Estimate(fluorescence, o);
        using var solver = OasisSolver.Create(problem.Y, problem.Ar, o.MinSpikeSize);
        var fit = FitPenalty(solver, problem, o);
        // Materialize writes every element (it clears the spikes first), so the arrays need no zeroing.
        var calcium = GC.AllocateUninitializedArray<float>(problem.Y.Length);
        var spikes = GC.AllocateUninitializedArray<float>(problem.Y.Length);
        solver.Materialize(calcium, spikes);
        return new DeconvolutionResult(
            calcium, spikes, fit.Baseline, (double[])problem.Ar.Clone(), fit.Lambda,
            o.Lambda is null ? problem.NoiseSigma : double.NaN);
    }

    /// <summary>
    /// <see cref="Deconvolve"/>'s <see cref="DeconvolutionResult.Spikes"/> alone, without writing the calcium
    /// (which costs as much as the rest of the output for AR(1), whose spikes come from the pools directly).
    /// </summary>
    /// <param name="fluorescence">The trace, as for <see cref="Deconvolve"/>.</param>
    /// <param name="options">Validated options.</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static float[] DeconvolveSpikes(ReadOnlySpan<float> fluorescence, OasisOptions options)
    {
        var problem = Estimate(fluorescence, options);
        using var solver = OasisSolver.Create(problem.Y, problem.Ar, options.MinSpikeSize);
        FitPenalty(solver, problem, options);
        var spikes = GC.AllocateUninitializedArray<float>(problem.Y.Length); // cleared by MaterializeSpikes
        solver.MaterializeSpikes(spikes);
        return spikes;
    }

    /// <summary>The checked trace and the σ and γ that <see cref="Deconvolve"/> solves with (given or estimated).</summary>
    private readonly record struct Problem(double[] Y, double NoiseSigma, double[] Ar);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static Problem Estimate(ReadOnlySpan<float> fluorescence, OasisOptions o)
    {
        bool needSigma = o.NoiseSigma is null && (o.Ar is null || o.Lambda is null);
        var y = TraceBuffer(fluorescence.Length);
        TraceValidation.ToCheckedDoubles(fluorescence, y, o.Ar is null || needSigma ? OasisEstimation.MinFrames : 1);
        double sigma = o.NoiseSigma ?? (needSigma ? OasisEstimation.NoiseSigma(y, o.NoiseAveraging) : double.NaN);
        double[] ar = o.Ar ?? OasisEstimation.ArCoefficients(y, o.ArOrder, sigma, o.ExtraLags, o.ArShrinkage);
        return new Problem(y, sigma, ar);
    }

    /// <summary>This thread's double-precision copy of the trace being deconvolved, reused while traces keep one length.</summary>
    /// <remarks>
    /// Nothing returned refers to it. A fresh 80 KB array per 10⁴-frame trace cost more than its copy loop: the
    /// allocator's pages, page faults and collections.
    /// </remarks>
    [ThreadStatic] private static double[]? _trace;

    private static double[] TraceBuffer(int frames) =>
        _trace is { } cached && cached.Length == frames ? cached : (_trace = GC.AllocateUninitializedArray<double>(frames));

    /// <summary>b and λ as <paramref name="o"/> asks (given, or searched); leaves the solver's last solve at them.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static PenaltyFit FitPenalty(OasisSolver solver, Problem problem, OasisOptions o)
    {
        var search = new OasisSearch(solver);
        double sigma = problem.NoiseSigma, threshold = sigma * sigma * problem.Y.Length;
        switch (o.Lambda, o.Baseline)
        {
            case (double l, double b):
                search.SolveAt(b, l);
                return new PenaltyFit(b, l);
            case (double l, null):
                return new PenaltyFit(search.FitBaseline(l, InitialBaseline(problem.Y)), l);
            case (null, double b):
                return new PenaltyFit(b, search.FitLambda(b, threshold));
            default:
                return search.FitLambdaAndBaseline(threshold, InitialBaseline(problem.Y), sigma);
        }
    }

    /// <summary>
    /// Frames sampled for the starting baseline: plenty for a percentile that only starts a search (its rank
    /// is off by ~2 % of the sample, a few hundredths of σ, while the first step moves φ by about σ); the
    /// selection's mispredicted branches made 2048 cost ~8 % of a whole deconvolution.
    /// </summary>
    private const int BaselineSample = 256;

    /// <summary>OASIS's starting baseline: the 15th percentile of the trace (of an evenly strided sample of it).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double InitialBaseline(double[] y)
    {
        int stride = Math.Max(1, y.Length / BaselineSample);
        Span<double> sample = stackalloc double[(y.Length + stride - 1) / stride]; // < 2·BaselineSample
        for (int i = 0; i < sample.Length; i++) sample[i] = y[i * stride];
        return OrderStatistics.Percentile(sample, 15);
    }
}
