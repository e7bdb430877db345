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
/// which the trace is most probable, <c>θ̂ = argmax_θ log p(F | θ)</c>, the spikes and the drifting baseline
/// summed out exactly on the grid by the forward pass (<see cref="MlSpikeHmm.LogLikelihood"/>). It uses every
/// frame it is given, needs no event-detection thresholds, and is the criterion the inference itself assumes.
/// A trace longer than <see cref="MlSpikeOptions.CalibrationFrames"/> is calibrated on that many frames, in
/// <see cref="StretchCount"/> stretches spread over it (<see cref="Stretches"/>): the parameters are the cell's,
/// and the cost stays bounded for hour-long recordings.</para>
/// <para>Steps: σ from the power spectrum (OASIS's estimator, <see cref="OasisEstimation.NoiseSigma(ReadOnlySpan{float}, NoiseAveraging)"/>);
/// starting τ from the AR(1) coefficient of the autocovariance and starting A from the cumulants
/// (<see cref="ScfSamplerStart.Estimate"/>); the baseline grid from the trace (<see cref="BaselineGrid"/>). Then,
/// on a coarse calcium grid (<see cref="MlSpikeResolution.CalibrationCalciumLevels"/>), coordinate ascent on
/// <c>ln A</c> (points a factor 2 apart), <c>ln τ</c> (a factor 1.5) and <c>ln A</c> again (10 %): three points,
/// more while the best is at an end, then the vertex of the parabola through the best and its neighbours. During
/// this search λ is tied to A by the power of the calcium signal, <c>λΔt = S / A²</c> with
/// <c>S = acov(1) (1 − γ²) / γ</c> (for Poisson spikes <c>Var(A c) = A² λΔt / (1 − γ²)</c>, and the white noise
/// does not reach lag 1), so that few large and many small spikes are compared at the same signal power; then one EM step sets λ
/// (<c>λ = Σ_t E[n_t | F] / (T Δt)</c>). On the final grid, A is refined again and extrapolated to a
/// vanishing calcium step from the two grids (Richardson: the stochastic rounding of calcium onto the grid lowers
/// the A that fits best roughly in proportion to the step, ~10 % at 41 levels over 10 spikes, ~5 % at 81), then τ
/// is refined. About 20 forward passes in all. Parameters given in the options are held fixed.</para>
/// </remarks>
public static class MlSpikeCalibration
{
    /// <summary>Width of the running mean the baseline range is read from (s): averages the noise down.</summary>
    public const double SmoothingSeconds = 0.1;

    /// <summary>Shortest block whose minimum is taken as a local baseline (s); blocks also span three decay times.</summary>
    public const double MinBlockSeconds = 3;

    /// <summary>Baseline level counts are rounded to a multiple of this (the inference's vector width).</summary>
    private const int BaselineLevelMultiple = 8;

    /// <summary>Margin around the baseline range, in standard deviations of the smoothed trace's noise.</summary>
    public const double MarginSigmas = 4;

    /// <summary>Spacing in ln τ of the first search (a factor 1.5), and in ln A or ln τ of the refinements (10 %).</summary>
    private const double TauStep = 0.4, FineStep = 0.1;

    /// <summary>Most points added beyond the initial three when the best point is at an end.</summary>
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
        var stretches = Stretches(fluorescence, options.CalibrationFrames);
        var resolution = options.Grid;

        double sigma = options.NoiseSigma ?? OasisEstimation.NoiseSigma(y, NoiseAveraging.Mean);
        if (!(sigma > 0)) throw new ArgumentException("trace has no measurable noise (spectral estimate 0); give the noise sigma");
        var effect = options.Effect ?? (fluorescence.IndexOfAnyInRange(float.NegativeInfinity, 0f) < 0 ? BaselineEffect.Multiplicative : BaselineEffect.Additive);
        var start = ScfSamplerStart.Estimate(fluorescence).Parameters;
        double tau = options.TauDecaySeconds
            ?? Math.Clamp(CalciumKernel.ToTau(Math.Clamp(start.Gamma, MinDecay, MaxDecay), frameRateHz), options.TauRange.Min, options.TauRange.Max);
        var (grid, level) = BaselineGrid(y, sigma, frameRateHz, tau, effect, resolution);
        // While A is searched, λ follows it so that the calcium's variance stays what the trace shows: for Poisson
        // spikes Var(A c) = A² λΔt / (1 − γ²), read (without the white noise) from the lag-1 autocovariance,
        // γ A² λΔt / (1 − γ²). Holding λ fixed instead lets a poor start settle on many small spikes.
        double signal = SignalVariance(y, start.Gamma);
        double SearchRate(double logJump) => options.SpikeRateHz
            ?? Math.Clamp(signal / (Math.Exp(2 * logJump) * sigma * sigma) * frameRateHz, MinStartRateHz, MaxStartRateFraction * frameRateHz);
        double rate = 0;

        // A is searched as ln(jump / σ), the jump in trace units: A·F₀ (multiplicative) or A (additive).
        double scale = effect == BaselineEffect.Multiplicative ? level : 1;
        var coarse = grid with { CalciumLevels = resolution.CalibrationCalciumLevels };
        MlSpikeParameters Model(double logJump, double logTau, double spikeRate) => new(
            frameRateHz, Math.Exp(logTau), Math.Exp(logJump) * sigma / scale, sigma, spikeRate,
            options.DriftPerSqrtSecond * scale, effect, options.Nonlinearity);
        int evaluations = 0;
        double LogLikelihood(double logJump, double logTau, double spikeRate, MlSpikeGrid on)
        {
            evaluations++;
            var hmm = new MlSpikeHmm(Model(logJump, logTau, spikeRate), on);
            double sum = 0;
            foreach (var stretch in stretches) sum += hmm.LogLikelihood(stretch);
            return sum;
        }

        bool fitJump = options.Amplitude is null, fitTau = options.TauDecaySeconds is null;
        double logTau = Math.Log(tau);
        var (jumpLo, jumpHi) = (Math.Log(options.AmplitudeRange.Min), Math.Log(options.AmplitudeRange.Max));
        var (tauLo, tauHi) = (Math.Log(options.TauRange.Min), Math.Log(options.TauRange.Max));
        double logJump = options.Amplitude is double a ? Math.Log(a * scale / sigma) : Math.Clamp(Math.Log(start.Amplitude / sigma), jumpLo, jumpHi);

        // Coarse grid: the whole search; the first two passes only need to land near the optimum.
        if (fitJump) logJump = Refine(x => LogLikelihood(x, logTau, SearchRate(x), coarse), logJump, Math.Log(2), jumpLo, jumpHi);
        if (fitTau) logTau = Refine(x => LogLikelihood(logJump, x, SearchRate(logJump), coarse), logTau, TauStep, tauLo, tauHi);
        if (fitJump) logJump = Refine(x => LogLikelihood(x, logTau, SearchRate(x), coarse), logJump, FineStep, jumpLo, jumpHi);

        // λ: one EM step from there, on the coarse grid; it is held for the rest.
        rate = SearchRate(logJump);
        if (options.SpikeRateHz is null)
        {
            var hmm = new MlSpikeHmm(Model(logJump, logTau, rate), coarse);
            rate = MlSpike.SpikeRateUpdate([.. stretches.SelectMany(stretch => hmm.Smooth(stretch).ExpectedSpikes)], frameRateHz);
        }

        // Final grid: A again, extrapolated to a vanishing calcium step from the two grids (Richardson), then τ.
        // Both A's of the extrapolation are taken at the same λ.
        if (fitJump)
        {
            double ratio = (double)(grid.CalciumLevels - 1) / (coarse.CalciumLevels - 1);
            if (options.SpikeRateHz is null) logJump = Refine(x => LogLikelihood(x, logTau, rate, coarse), logJump, FineStep, jumpLo, jumpHi);
            double fine = Refine(x => LogLikelihood(x, logTau, rate, grid), logJump, FineStep, jumpLo, jumpHi);
            logJump = Math.Clamp(fine + (fine - logJump) / (ratio - 1), jumpLo, jumpHi);
        }
        if (fitTau) logTau = Refine(x => LogLikelihood(logJump, x, rate, grid), logTau, FineStep, tauLo, tauHi);
        return new MlSpikeCalibrationResult(Model(logJump, logTau, rate).Validate(), grid, level, evaluations);
    }

    /// <summary>Bounds on the AR(1) coefficient the starting τ is read from (the estimator may return 0 or 1).</summary>
    private const double MinDecay = 1e-3, MaxDecay = 0.9999;

    /// <summary>Bounds on λ while A and τ are searched: [0.05 Hz, 0.2 · frame rate].</summary>
    private const double MinStartRateHz = 0.05, MaxStartRateFraction = 0.2;

    /// <summary>
    /// The variance of the calcium signal without the white noise, <c>acov(1) (1 − γ²) / γ</c> (lag-1
    /// autocovariance of an AR(1) signal plus white noise), at least 0.
    /// </summary>
    private static double SignalVariance(double[] y, double gamma)
    {
        double mean = VectorMath.Sum(y) / y.Length, lag1 = 0;
        for (int t = 1; t < y.Length; t++) lag1 += (y[t] - mean) * (y[t - 1] - mean);
        lag1 /= y.Length;
        gamma = Math.Clamp(gamma, MinDecay, MaxDecay);
        return Math.Max(0, lag1 * (1 - gamma * gamma) / gamma);
    }

    /// <summary>
    /// The frames the likelihood is evaluated on: the whole trace if it has at most <paramref name="frames"/>,
    /// otherwise <see cref="StretchCount"/> stretches of <c>frames / StretchCount</c> frames spread evenly from its
    /// start to its end (each with its own uniform start, as if separate recordings of the same cell).
    /// </summary>
    internal static float[][] Stretches(ReadOnlySpan<float> fluorescence, int frames)
    {
        int total = fluorescence.Length;
        if (total <= frames) return [fluorescence.ToArray()];
        int length = frames / StretchCount;
        var stretches = new float[StretchCount][];
        for (int k = 0; k < StretchCount; k++)
        {
            int start = (int)Math.Round((double)k * (total - length) / (StretchCount - 1));
            stretches[k] = fluorescence.Slice(start, length).ToArray();
        }
        return stretches;
    }

    /// <summary>Stretches a long trace's calibration frames are split into.</summary>
    public const int StretchCount = 4;

    /// <summary>
    /// The baseline grid for a trace: a running mean over <see cref="SmoothingSeconds"/> is cut into blocks of
    /// <c>max(</c><see cref="MinBlockSeconds"/><c>, 3τ)</c>; each block's minimum is a local baseline (a slightly low
    /// one: noise; a high one if the block never comes back to rest). The grid spans the lowest to the highest block
    /// minimum, widened by <see cref="MarginSigmas"/> standard deviations of the smoothed noise, with a step of about
    /// <see cref="MlSpikeResolution.BaselineStepSigmas"/>·σ: the level count that gives is rounded to a multiple of
    /// eight and kept within the resolution's bounds (a wide range gets a coarser step rather than more levels
    /// than the maximum). F₀ is the median block minimum. A multiplicative baseline stays above 1 % of F₀.
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
        // The inference pads rows to whole vectors of eight levels, so the count is rounded to a multiple of eight:
        // padding costs as much as a level, and the step moves by at most a quarter.
        double needed = (hi - lo) / (resolution.BaselineStepSigmas * sigma) + 1;
        int levels = Math.Clamp(Math.Max(BaselineLevelMultiple, (int)Math.Round(needed / BaselineLevelMultiple) * BaselineLevelMultiple),
            resolution.MinBaselineLevels, resolution.MaxBaselineLevels);
        var grid = new MlSpikeGrid(resolution.CalciumLevels, resolution.CalciumMax, levels, lo, hi, resolution.MaxSpikesPerFrame, resolution.CalciumSpacing);
        return (grid, level);
    }

    /// <summary>
    /// A maximiser of f near x0: f at x0 − h, x0, x0 + h (within [lo, hi]); while the best point is at an end,
    /// one more point beyond it (up to <see cref="MaxExtensions"/>); then the vertex of the parabola through the
    /// best point and its two neighbours, kept within h of the best point (the best point itself if f is not
    /// concave there). Near a maximum the log-likelihood is close to quadratic, so the vertex is accurate to a
    /// small fraction of h.
    /// </summary>
    private static double Refine(Func<double, double> f, double x0, double h, double lo, double hi)
    {
        var points = new SortedDictionary<double, double>();
        void Evaluate(double x)
        {
            x = Math.Clamp(x, lo, hi);
            if (!points.ContainsKey(x)) points[x] = f(x);
        }
        for (int k = -1; k <= 1; k++) Evaluate(x0 + k * h);
        for (int extension = 0; extension < MaxExtensions; extension++)
        {
            double bestX = points.MaxBy(p => p.Value).Key;
            if (bestX == points.Keys.First() && bestX > lo) Evaluate(bestX - h);
            else if (bestX == points.Keys.Last() && bestX < hi) Evaluate(bestX + h);
            else break;
        }
        var keys = points.Keys.ToArray();
        int best = Array.IndexOf(keys, points.MaxBy(p => p.Value).Key);
        if (keys.Length < 3) return keys[best];
        int middle = Math.Clamp(best, 1, keys.Length - 2);
        double x1 = keys[middle - 1], x2 = keys[middle], x3 = keys[middle + 1];
        double f1 = points[x1], f2 = points[x2], f3 = points[x3];
        // Vertex of the parabola through three (not necessarily evenly spaced) points.
        double numerator = (x2 - x1) * (x2 - x1) * (f2 - f3) - (x2 - x3) * (x2 - x3) * (f2 - f1);
        double denominator = (x2 - x1) * (f2 - f3) - (x2 - x3) * (f2 - f1);
        bool concave = (f2 - f1) / (x2 - x1) > (f3 - f2) / (x3 - x2);
        double vertex = x2 - 0.5 * numerator / denominator;
        if (!concave || !double.IsFinite(vertex)) return keys[best];
        return Math.Clamp(vertex, Math.Max(lo, keys[best] - h), Math.Min(hi, keys[best] + h));
    }
}
