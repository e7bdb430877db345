using DeepSpike.Generative;
using DeepSpike.Preprocessing;

namespace DeepSpike.Baselines;

/// <summary>The model and grid <see cref="MlSpikeCalibration.Calibrate"/> chose for one trace.</summary>
/// <param name="Parameters">The calibrated model.</param>
/// <param name="Grid">The grid for the final inference.</param>
/// <param name="BaselineLevel">F₀: the baseline level the multiplicative drift and the amplitude bounds are scaled
/// by (1 for an additive baseline).</param>
/// <param name="Evaluations">Forward passes the search used (the EM step's forward–backward not counted).</param>
public sealed record MlSpikeCalibrationResult(MlSpikeParameters Parameters, MlSpikeGrid Grid, double BaselineLevel, int Evaluations);

/// <summary>
/// Autocalibration of the MLspike model on one trace by maximum marginal likelihood (empirical Bayes).
/// </summary>
/// <remarks>
/// <para>MLspike's own autocalibration (Deneux et al. 2016, <c>spk_autocalibration</c>) detects isolated calcium
/// events, fits τ to them and reads A off a histogram of their amplitudes. This one instead chooses the θ under
/// which the whole trace is most probable, <c>θ̂ = argmax_θ log p(F | θ)</c>, the spikes and the drifting baseline
/// summed out exactly on the grid by the forward pass (<see cref="MlSpikeHmm.LogLikelihood"/>). It uses every
/// frame, needs no event-detection thresholds, and is the criterion the inference itself assumes.</para>
/// <para>Steps: σ from the power spectrum (OASIS's estimator, <see cref="OasisEstimation.NoiseSigma(ReadOnlySpan{float}, NoiseAveraging)"/>);
/// starting τ from the AR(1) coefficient of the autocovariance and starting A and λ from the cumulants
/// (<see cref="ScfSamplerStart.Estimate"/>); the baseline grid from the trace (<see cref="BaselineGrid"/>). Then,
/// on a coarse calcium grid (<see cref="MlSpikeResolution.CalibrationCalciumLevels"/>), coordinate ascent on
/// <c>ln A</c>, <c>ln τ</c>, <c>ln A</c> again: each coordinate is scanned (steps of ln 2, then of 0.1; extended
/// while the best point is at an end) and refined by Brent's parabolic search to 1 %. One EM step sets λ
/// (<c>λ = Σ_t E[n_t | F] / (T Δt)</c>). On the final grid, A is searched again and extrapolated to a vanishing
/// calcium step from the two grids (Richardson: the stochastic rounding of calcium onto the grid lowers the A
/// that fits best roughly in proportion to the step, by ~10 % at 41 levels over 10 spikes), then τ is refined.
/// Parameters given in the options are held fixed.</para>
/// </remarks>
public static class MlSpikeCalibration
{
    /// <summary>Width of the running mean the baseline range is read from (s): averages the noise down.</summary>
    public const double SmoothingSeconds = 0.1;

    /// <summary>Shortest block whose minimum is taken as a local baseline (s); blocks also span three decay times.</summary>
    public const double MinBlockSeconds = 3;

    /// <summary>Margin around the baseline range, in standard deviations of the smoothed trace's noise.</summary>
    public const double MarginSigmas = 4;

    /// <summary>Brent's tolerance on the log of A and τ where it matters (1 %), and for a first approach (3 %).</summary>
    private const double Tolerance = 0.01, LooseTolerance = 0.03;

    /// <summary>Spacing (in ln A or ln τ) of the three points a refinement's parabola goes through; its vertex is
    /// kept within two spacings of the middle one.</summary>
    private const double VertexStep = 0.07;

    /// <summary>Scan step (in ln A or ln τ) when refining around an estimate: ±10 %.</summary>
    private const double RefineStep = 0.1;

    /// <summary>Most scan steps beyond the initial window when the best point is at its end.</summary>
    private const int MaxExtensions = 6;

    /// <summary>
    /// Calibrates σ, τ, A and the baseline grid on <paramref name="fluorescence"/> (see the class remarks); values
    /// given in <paramref name="options"/> are used as they are.
    /// </summary>
    /// <exception cref="ArgumentException">Empty, short (&lt; <see cref="OasisEstimation.MinFrames"/>), non-finite or
    /// constant trace, or a frame rate that is not &gt; 0.</exception>
    public static MlSpikeCalibrationResult Calibrate(ReadOnlySpan<float> fluorescence, double frameRateHz, MlSpikeOptions? options = null)
    {
        TraceValidation.CheckFrameRate(frameRateHz);
        options = (options ?? new MlSpikeOptions()).Validate();
        var y = TraceValidation.ToCheckedDoubles(fluorescence, OasisEstimation.MinFrames);
        var trace = fluorescence.ToArray();
        var resolution = options.Grid;

        double sigma = options.NoiseSigma ?? OasisEstimation.NoiseSigma(y, NoiseAveraging.Mean);
        if (!(sigma > 0)) throw new ArgumentException("trace has no measurable noise (spectral estimate 0); give the noise sigma");
        var effect = options.Effect ?? (fluorescence.IndexOfAnyInRange(float.NegativeInfinity, 0f) < 0 ? BaselineEffect.Multiplicative : BaselineEffect.Additive);
        var start = ScfSamplerStart.Estimate(fluorescence).Parameters;
        double tau = options.TauDecaySeconds
            ?? Math.Clamp(CalciumKernel.ToTau(Math.Clamp(start.Gamma, MinDecay, MaxDecay), frameRateHz), options.TauRange.Min, options.TauRange.Max);
        var (grid, level) = BaselineGrid(y, sigma, frameRateHz, tau, effect, resolution);
        double rate = options.SpikeRateHz ?? Math.Clamp(start.SpikeProbability * frameRateHz, MinSpikeRateHz, MaxSpikeRateFraction * frameRateHz);

        // A is searched as ln(jump / σ), the jump in trace units: A·F₀ (multiplicative) or A (additive).
        double scale = effect == BaselineEffect.Multiplicative ? level : 1;
        var coarse = grid with { CalciumLevels = resolution.CalibrationCalciumLevels };
        MlSpikeParameters Model(double logJump, double logTau) => new(
            frameRateHz, Math.Exp(logTau), Math.Exp(logJump) * sigma / scale, sigma, rate,
            options.DriftPerSqrtSecond * scale, effect, options.Nonlinearity);
        int evaluations = 0;
        double LogLikelihood(double logJump, double logTau, MlSpikeGrid on)
        {
            evaluations++;
            return new MlSpikeHmm(Model(logJump, logTau), on).LogLikelihood(trace);
        }

        bool fitJump = options.Amplitude is null, fitTau = options.TauDecaySeconds is null;
        double logTau = Math.Log(tau);
        var (jumpLo, jumpHi) = (Math.Log(options.AmplitudeRange.Min), Math.Log(options.AmplitudeRange.Max));
        var (tauLo, tauHi) = (Math.Log(options.TauRange.Min), Math.Log(options.TauRange.Max));
        double logJump = options.Amplitude is double a ? Math.Log(a * scale / sigma) : Math.Clamp(Math.Log(start.Amplitude / sigma), jumpLo, jumpHi);
        double best = double.NaN; // log-likelihood at the current point on the coarse grid, when known

        // Coarse grid: the whole search; the first two passes only need to land near the optimum.
        if (fitJump) (logJump, best) = Maximise(x => LogLikelihood(x, logTau, coarse), logJump, double.NaN, 1, Math.Log(2), jumpLo, jumpHi, LooseTolerance);
        if (fitTau)
        {
            (logTau, best) = Maximise(x => LogLikelihood(logJump, x, coarse), logTau, best, 1, Math.Log(2), tauLo, tauHi, LooseTolerance);
            if (fitJump) (logJump, best) = Maximise(x => LogLikelihood(x, logTau, coarse), logJump, best, 1, RefineStep, jumpLo, jumpHi, Tolerance);
        }

        // λ: one EM step from the cumulant estimate, on the coarse grid.
        if (options.SpikeRateHz is null)
        {
            var posterior = new MlSpikeHmm(Model(logJump, logTau), coarse).Smooth(trace);
            rate = MlSpike.SpikeRateUpdate(posterior.ExpectedSpikes, frameRateHz);
        }

        // Final grid: A again (the vertex of a parabola through three points: the coarse optimum is close), then
        // extrapolated to a vanishing calcium step from the two grids (Richardson); then τ, whose coarse estimate
        // can be further off for slow decays, by a search.
        if (fitJump)
        {
            double ratio = (double)(grid.CalciumLevels - 1) / (coarse.CalciumLevels - 1);
            double fine = Vertex(x => LogLikelihood(x, logTau, grid), logJump, VertexStep, jumpLo, jumpHi);
            logJump = Math.Clamp(fine + (fine - logJump) / (ratio - 1), jumpLo, jumpHi);
        }
        if (fitTau) (logTau, _) = Maximise(x => LogLikelihood(logJump, x, grid), logTau, double.NaN, 1, RefineStep, tauLo, tauHi, Tolerance);
        return new MlSpikeCalibrationResult(Model(logJump, logTau).Validate(), grid, level, evaluations);
    }

    /// <summary>Bounds on the AR(1) coefficient the starting τ is read from (the estimator may return 0 or 1).</summary>
    private const double MinDecay = 1e-3, MaxDecay = 0.9999;

    /// <summary>Bounds on the starting λ: the cumulant estimate is clamped to [0.05 Hz, 0.2 · frame rate].</summary>
    private const double MinSpikeRateHz = 0.05, MaxSpikeRateFraction = 0.2;

    /// <summary>
    /// The baseline grid for a trace: a running mean over <see cref="SmoothingSeconds"/> is cut into blocks of
    /// <c>max(</c><see cref="MinBlockSeconds"/><c>, 3τ)</c>; each block's minimum is a local baseline (a slightly low
    /// one: noise; a high one if the block never comes back to rest). The grid spans the lowest to the highest block
    /// minimum, widened by <see cref="MarginSigmas"/> standard deviations of the smoothed noise, with a step of at
    /// most <see cref="MlSpikeResolution.BaselineStepSigmas"/>·σ (more levels, up to the maximum, rather than a
    /// coarser step). F₀ is the median block minimum. A multiplicative baseline stays above 1 % of F₀.
    /// </summary>
    /// <returns>The grid (with the final calcium resolution) and F₀ (1 for an additive baseline).</returns>
    internal static (MlSpikeGrid Grid, double Level) BaselineGrid(double[] y, double sigma, double frameRateHz, double tauSeconds, BaselineEffect effect, MlSpikeResolution resolution)
    {
        int n = y.Length;
        int window = Math.Clamp((int)Math.Round(SmoothingSeconds * frameRateHz), 1, n);
        int block = Math.Clamp((int)Math.Round(Math.Max(MinBlockSeconds, 3 * tauSeconds) * frameRateHz), window, n);
        var prefix = new double[n + 1];
        for (int t = 0; t < n; t++) prefix[t + 1] = prefix[t] + y[t];
        int blocks = (n + block - 1) / block;
        var minima = new double[blocks];
        Array.Fill(minima, double.PositiveInfinity);
        for (int t = 0; t + window <= n; t++)
        {
            double mean = (prefix[t + window] - prefix[t]) / window;
            int b = Math.Min((t + window / 2) / block, blocks - 1);
            minima[b] = Math.Min(minima[b], mean);
        }
        var found = minima.Where(double.IsFinite).ToArray();
        double margin = MarginSigmas * sigma / Math.Sqrt(window);
        double lo = found.Min() - margin, hi = found.Max() + margin;
        double level = effect == BaselineEffect.Multiplicative ? OrderStatistics.Percentile(found.AsSpan(), 50) : 1;
        if (effect == BaselineEffect.Multiplicative)
        {
            if (!(level > 0)) throw new ArgumentException($"trace's baseline level is {level}: a multiplicative baseline needs raw fluorescence > 0; use an additive baseline for ΔF/F");
            lo = Math.Max(lo, 0.01 * level);
        }
        int levels = Math.Clamp((int)Math.Ceiling((hi - lo) / (resolution.BaselineStepSigmas * sigma)) + 1, resolution.MinBaselineLevels, resolution.MaxBaselineLevels);
        var grid = new MlSpikeGrid(resolution.CalciumLevels, resolution.CalciumMax, levels, lo, hi, resolution.MaxSpikesPerFrame, resolution.CalciumSpacing);
        return (grid, level);
    }

    /// <summary>
    /// Maximises f over [lo, hi]: f at x0 + k·step for |k| ≤ <paramref name="half"/> (extended while the best is at
    /// an end, up to <see cref="MaxExtensions"/> steps), then Brent's method between the best point's neighbours.
    /// </summary>
    /// <param name="f">The objective.</param>
    /// <param name="x0">Start, inside [lo, hi].</param>
    /// <param name="f0">f(x0) if known, else NaN.</param>
    /// <param name="half">Scan points on each side of x0, ≥ 1.</param>
    /// <param name="step">Scan step.</param>
    /// <param name="lo">Lower bound.</param>
    /// <param name="hi">Upper bound.</param>
    /// <param name="tolerance">Brent's tolerance on x.</param>
    private static (double X, double Value) Maximise(Func<double, double> f, double x0, double f0, int half, double step, double lo, double hi, double tolerance)
    {
        var points = new SortedDictionary<double, double>();
        double Evaluate(double x)
        {
            x = Math.Clamp(x, lo, hi);
            if (!points.TryGetValue(x, out double v)) points[x] = v = f(x);
            return v;
        }
        if (!double.IsNaN(f0)) points[Math.Clamp(x0, lo, hi)] = f0;
        for (int k = -half; k <= half; k++) Evaluate(x0 + k * step);
        for (int extension = 0; extension < MaxExtensions; extension++)
        {
            double bestX = points.MaxBy(p => p.Value).Key;
            if (bestX == points.Keys.First() && bestX > lo) Evaluate(bestX - step);
            else if (bestX == points.Keys.Last() && bestX < hi) Evaluate(bestX + step);
            else break;
        }
        var best = points.MaxBy(p => p.Value);
        var keys = points.Keys.ToList();
        int index = keys.IndexOf(best.Key);
        double left = index > 0 ? keys[index - 1] : best.Key, right = index < keys.Count - 1 ? keys[index + 1] : best.Key;
        if (right - left <= tolerance) return (best.Key, best.Value);
        var (x, value) = Brent(x => -Evaluate(x), left, right, best.Key, -best.Value, tolerance);
        return (x, -value);
    }

    /// <summary>
    /// The vertex of the parabola through f at x0 − h, x0, x0 + h (clamped to [lo, hi]), kept within 2h of x0; the
    /// best of the three points if f is not concave there.
    /// </summary>
    private static double Vertex(Func<double, double> f, double x0, double h, double lo, double hi)
    {
        x0 = Math.Clamp(x0, lo + h, hi - h);
        double below = f(x0 - h), middle = f(x0), above = f(x0 + h);
        double curvature = below - 2 * middle + above;
        if (!(curvature < 0)) return below > middle && below > above ? x0 - h : above > middle ? x0 + h : x0;
        return Math.Clamp(x0 + h * (below - above) / (2 * curvature), Math.Max(lo, x0 - 2 * h), Math.Min(hi, x0 + 2 * h));
    }

    /// <summary>
    /// Brent's minimiser (parabolic interpolation with golden-section fallback; Brent 1973, ch. 5) on [a, b] from
    /// the interior point x with f(x) = fx, to <paramref name="tolerance"/>.
    /// </summary>
    private static (double X, double Value) Brent(Func<double, double> f, double a, double b, double x, double fx, double tolerance)
    {
        const double golden = 0.3819660112501051, epsilon = 1e-10;
        const int maxIterations = 30;
        double w = x, v = x, fw = fx, fv = fx, d = 0, e = 0;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double middle = 0.5 * (a + b), tol1 = tolerance / 2 + epsilon, tol2 = 2 * tol1;
            if (Math.Abs(x - middle) <= tol2 - 0.5 * (b - a)) break;
            bool golden_step = true;
            if (Math.Abs(e) > tol1)
            {
                double r = (x - w) * (fx - fv), q = (x - v) * (fx - fw), p = (x - v) * q - (x - w) * r;
                q = 2 * (q - r);
                if (q > 0) p = -p;
                q = Math.Abs(q);
                if (Math.Abs(p) < Math.Abs(0.5 * q * e) && p > q * (a - x) && p < q * (b - x))
                {
                    e = d;
                    d = p / q;
                    double u0 = x + d;
                    if (u0 - a < tol2 || b - u0 < tol2) d = middle >= x ? tol1 : -tol1;
                    golden_step = false;
                }
            }
            if (golden_step)
            {
                e = x >= middle ? a - x : b - x;
                d = golden * e;
            }
            double u = Math.Abs(d) >= tol1 ? x + d : x + (d >= 0 ? tol1 : -tol1);
            double fu = f(u);
            if (fu <= fx)
            {
                if (u >= x) a = x; else b = x;
                (v, fv, w, fw, x, fx) = (w, fw, x, fx, u, fu);
            }
            else
            {
                if (u < x) a = u; else b = u;
                if (fu <= fw || w == x) (v, fv, w, fw) = (w, fw, u, fu);
                else if (fu <= fv || v == x || v == w) (v, fv) = (u, fu);
            }
        }
        return (x, fx);
    }
}
