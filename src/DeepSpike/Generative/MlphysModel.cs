using DeepSpike.Engine;
using DeepSpike.Preprocessing;

namespace DeepSpike.Generative;

/// <summary>
/// Physiological parameters of one calcium indicator in the MLspike model (Deneux et al. 2016, Nat Commun
/// 7:12190): <c>F = F0 (1 + A p)</c> with calcium in units of one spike's increment, decaying with τ;
/// <c>p</c> relaxes with the rise time τ_on towards <c>x / (1 + ω x)</c>, <c>x = (c0 + c)^η − c0^η</c>.
/// </summary>
/// <param name="TauDecaySeconds">Calcium decay time constant τ, in s (MLspike <c>tau</c>).</param>
/// <param name="TauOnSeconds">Rise time constant τ_on of the indicator, in s (MLspike <c>ton</c>).</param>
/// <param name="Hill">Hill exponent η &gt; 0 of the calcium drive (MLspike <c>hill</c>).</param>
/// <param name="Saturation">Saturation ω &gt; 0 (MLspike <c>saturation</c>): the response can never exceed 1/ω.</param>
/// <param name="AmplitudeDff">Fluorescence change for a unit response, ΔF/F (MLspike <c>a</c>).</param>
/// <remarks>
/// <para>The GCaMP6 sets come from the MLspike author's own code, section "II/7) calcium sensors" of
/// <c>spk_factorbox.m</c> in github.com/thomasdeneux/spikes, the script behind the factor box of the
/// paper's supplementary material. It gives two sets of (τ, A, τ_on): values taken from Chen et al. 2013,
/// and — in the comments — values Deneux calibrated on the GENIE ground-truth recordings (the Chen et al.
/// 2013 data that the DeepSpike paper evaluates on) "with Svoboda-like normalization". Saturation and
/// Hill exponent have one value each. These presets use the GENIE calibration, since Speiser et al.
/// (2017, §3.3) start from "the mean values given in [12] … obtained using ground truth data":</para>
/// <para>GCaMP6s: τ = 1.84 s, A = 0.254, τ_on = 0.0677 s, ω = 0.00629, η = 1.73.
/// GCaMP6f: τ = 0.716 s, A = 0.092, τ_on = 0.0156 s, ω = 0.00195, η = 2.05.
/// (The Chen et al. set there: GCaMP6s τ = 0.786 s, A = 0.22, τ_on = 0.190 s; GCaMP6f τ = 0.214 s,
/// A = 0.12, τ_on = 0.045 s.) The baseline calcium c0 is left at MLspike's default 0 in those sets.</para>
/// </remarks>
public sealed record MlspikeIndicator(double TauDecaySeconds, double TauOnSeconds, double Hill, double Saturation, double AmplitudeDff)
{
    /// <summary>GCaMP6s, calibrated by Deneux on the GENIE ground truth (see the type's remarks).</summary>
    public static MlspikeIndicator Gcamp6s { get; } = new(TauDecaySeconds: 1.84, TauOnSeconds: 0.0677, Hill: 1.73, Saturation: 0.00629, AmplitudeDff: 0.254);

    /// <summary>GCaMP6f, calibrated by Deneux on the GENIE ground truth (see the type's remarks).</summary>
    public static MlspikeIndicator Gcamp6f { get; } = new(TauDecaySeconds: 0.716, TauOnSeconds: 0.0156, Hill: 2.05, Saturation: 0.00195, AmplitudeDff: 0.092);

    /// <summary>Throws if a value is out of range.</summary>
    public MlspikeIndicator Validate()
    {
        if (!(TauDecaySeconds > 0 && double.IsFinite(TauDecaySeconds))) throw new ArgumentOutOfRangeException(nameof(TauDecaySeconds), $"decay time constant must be > 0 s, got {TauDecaySeconds}");
        if (!(TauOnSeconds > 0 && double.IsFinite(TauOnSeconds))) throw new ArgumentOutOfRangeException(nameof(TauOnSeconds), $"rise time constant must be > 0 s, got {TauOnSeconds}");
        if (!(Hill > 0 && double.IsFinite(Hill))) throw new ArgumentOutOfRangeException(nameof(Hill), $"Hill exponent must be > 0, got {Hill}");
        if (!(Saturation > 0 && double.IsFinite(Saturation))) throw new ArgumentOutOfRangeException(nameof(Saturation), $"saturation must be > 0, got {Saturation}");
        if (!(AmplitudeDff > 0 && double.IsFinite(AmplitudeDff))) throw new ArgumentOutOfRangeException(nameof(AmplitudeDff), $"amplitude must be > 0 (ΔF/F), got {AmplitudeDff}");
        return this;
    }
}

/// <summary>Settings of the <see cref="MlphysModel"/>: the indicator kinetics every cell starts from.</summary>
/// <param name="Indicator">Published kinetics the per-cell parameters start from; null means
/// <see cref="MlspikeIndicator.Gcamp6s"/>.</param>
/// <param name="InitialBaselineCalcium">Baseline calcium c0 &gt; 0 the cells start from, in units of one spike's
/// increment. The published GCaMP6 sets use c0 = 0, which the log parametrisation cannot hold; the default
/// 10⁻³ changes a single spike's drive <c>(c0 + 1)^η − c0^η</c> by under 0.2 % for η ≤ 2.</param>
public sealed record MlphysOptions(MlspikeIndicator? Indicator = null, double InitialBaselineCalcium = 1e-3)
{
    /// <summary>The indicator kinetics in effect.</summary>
    public MlspikeIndicator Kinetics => Indicator ?? MlspikeIndicator.Gcamp6s;

    /// <summary>GCaMP6s kinetics.</summary>
    public static MlphysOptions Gcamp6s { get; } = new(MlspikeIndicator.Gcamp6s);

    /// <summary>GCaMP6f kinetics.</summary>
    public static MlphysOptions Gcamp6f { get; } = new(MlspikeIndicator.Gcamp6f);

    /// <summary>Throws if a value is out of range.</summary>
    public MlphysOptions Validate()
    {
        Kinetics.Validate();
        if (!(InitialBaselineCalcium > 0 && double.IsFinite(InitialBaselineCalcium)))
            throw new ArgumentOutOfRangeException(nameof(InitialBaselineCalcium), $"baseline calcium c0 must be > 0 (spike units), got {InitialBaselineCalcium}");
        return this;
    }
}

/// <summary>The MLphys model's parameters in physical units.</summary>
/// <param name="TauDecaySeconds">Calcium decay time constant τ &gt; 0, in s (<c>γ = e^{−Δt/τ}</c>).</param>
/// <param name="TauOnSeconds">Rise time constant τ_on &gt; 0 of the indicator, in s.</param>
/// <param name="Hill">Hill exponent η &gt; 0.</param>
/// <param name="Saturation">Saturation ω &gt; 0; the noise-free response d stays below 1/ω.</param>
/// <param name="BaselineCalcium">Baseline calcium c0 &gt; 0, in units of one spike's increment.</param>
/// <param name="Alpha">Gain α &gt; 0 from the response d to fluorescence.</param>
/// <param name="Beta">Fluorescence baseline β.</param>
/// <param name="Sigma">Noise standard deviation σ &gt; 0.</param>
/// <param name="SpikeRateHz">Prior firing rate in Hz, ≥ 0.</param>
public sealed record MlphysParameters(double TauDecaySeconds, double TauOnSeconds, double Hill, double Saturation, double BaselineCalcium, double Alpha, double Beta, double Sigma, double SpikeRateHz)
{
    /// <summary>Throws if a value is out of range.</summary>
    public MlphysParameters Validate()
    {
        if (!(TauDecaySeconds > 0 && double.IsFinite(TauDecaySeconds))) throw new ArgumentOutOfRangeException(nameof(TauDecaySeconds), $"decay time constant must be > 0 s, got {TauDecaySeconds}");
        if (!(TauOnSeconds > 0 && double.IsFinite(TauOnSeconds))) throw new ArgumentOutOfRangeException(nameof(TauOnSeconds), $"rise time constant must be > 0 s, got {TauOnSeconds}");
        if (!(Hill > 0 && double.IsFinite(Hill))) throw new ArgumentOutOfRangeException(nameof(Hill), $"Hill exponent must be > 0, got {Hill}");
        if (!(Saturation > 0 && double.IsFinite(Saturation))) throw new ArgumentOutOfRangeException(nameof(Saturation), $"saturation must be > 0, got {Saturation}");
        if (!(BaselineCalcium > 0 && double.IsFinite(BaselineCalcium))) throw new ArgumentOutOfRangeException(nameof(BaselineCalcium), $"baseline calcium c0 must be > 0 (spike units), got {BaselineCalcium}");
        if (!(Alpha > 0 && double.IsFinite(Alpha))) throw new ArgumentOutOfRangeException(nameof(Alpha), $"gain alpha must be > 0, got {Alpha}");
        if (!double.IsFinite(Beta)) throw new ArgumentOutOfRangeException(nameof(Beta), $"baseline beta must be finite, got {Beta}");
        if (!(Sigma > 0 && double.IsFinite(Sigma))) throw new ArgumentOutOfRangeException(nameof(Sigma), $"noise sigma must be > 0, got {Sigma}");
        if (!(SpikeRateHz >= 0 && double.IsFinite(SpikeRateHz))) throw new ArgumentOutOfRangeException(nameof(SpikeRateHz), $"spike rate must be >= 0 Hz, got {SpikeRateHz}");
        return this;
    }
}

/// <summary>
/// The MLphys model (Speiser et al. 2017, eq. 4): a discrete-time version of the MLspike physiological
/// model (Deneux et al. 2016) without its drifting baseline. Calcium in units of one spike's increment
/// (δ = 1), <c>c_t = γ c_{t−1} + s_t</c> with <c>γ = e^{−Δt/τ}</c>; the indicator's drive
/// <c>x_t = (c0 + c_t)^η − c0^η</c>; its response follows eq. 4,
/// <c>d_t − d_{t−1} = k (1 + ω x_t) (x_t / (1 + ω x_t) − d_{t−1})</c>, where k is the paper's 1/τ_on per
/// frame, integrated exactly over each frame (see remarks); fluorescence <c>f_t = α d_t + β + e_t</c>,
/// <c>e_t ~ N(0, σ²)</c>. With η &gt; 1 a few spikes facilitate each other; ω saturates bursts (d relaxes
/// towards <c>x/(1 + ω x) &lt; 1/ω</c>).
/// </summary>
/// <remarks>
/// <para>MLspike writes the same model as <c>F = F0 (1 + A p)</c>: here β = F0, α = A F0, d = p, ω is its
/// <c>saturation</c>, η its <c>hill</c>, c0 its <c>c0</c> and τ_on its <c>ton</c>.</para>
/// <para>Per-frame rise rate: <c>k = 1 − e^{−Δt/τ_on}</c>, the fraction of the way to its target the response
/// covers in one unsaturated frame, which equals Δt/τ_on to first order; MLspike's own forward model
/// (<c>tps_mlspikes.m</c>) steps <c>p_t = p* + (p_{t−1} − p*) e^{−Δt/ton}</c> at any frame rate.
/// Eq. 4 is an explicit (Euler) step of <c>dd/dt = (1 + ω x)(x/(1 + ω x) − d)/τ_on</c>, which overshoots once
/// <c>k (1 + ω x_t) &gt; 1</c> and diverges beyond 2 — for the GCaMP6 sets at 60 Hz, once the calcium passes
/// ~15 spikes' worth (GCaMP6f) or ~40 (GCaMP6s), which an untrained recognition network's samples reach on
/// real data (the bound fell from −72 to −1571 nats per frame within 700 steps on GENIE GCaMP6s). So each frame
/// takes the exact step for x held constant over it, as MLspike's own forward model does:
/// <c>d_t = p*_t + (d_{t−1} − p*_t) e^{−λ (1 + ω x_t)}</c>, <c>p*_t = x_t/(1 + ω x_t)</c>, λ = Δt/τ_on
/// (<see cref="Ops.Relaxation"/>). The two agree to first order in λ(1 + ω x); the exact step is a convex
/// combination of d_{t−1} and p*_t for any rate, so it never overshoots.</para>
/// <para>Constraints by reparametrisation: γ = σ(u) ∈ (0, 1) (the AR(1) root of <see cref="ArKernelParameters"/>),
/// k = σ(v) ∈ (0, 1), and η, ω, c0, α, σ as exponentials; β free.</para>
/// <para>Before a chunk's first frame the response is held at the level the first frames imply,
/// <c>d_{−1} = clamp((f̄_{0..2} − β)/α, 0, 0.9/ω)</c>, and the calcium at the level that keeps it in steady
/// state, <c>c_{−1} = (x + c0^η)^{1/η} − c0</c> with <c>x = d_{−1}/(1 − ω d_{−1})</c>; both are constant in θ,
/// so a chunk cut from a long trace does not force spikes at its start.</para>
/// </remarks>
public sealed class MlphysModel : IGenerativeModel
{
    /// <summary>Largest fraction of the saturation level 1/ω a chunk may start from; its steady-state calcium grows without bound towards 1.</summary>
    private const double MaxInitialSaturatedFraction = 0.9;
    /// <summary>Frames a single-spike response is followed for at most.</summary>
    private const int MaxResponseFrames = 100_000;
    /// <summary>A single-spike response below this fraction of its peak counts as over.</summary>
    private const double ResponseEndFraction = 1e-6;
    /// <summary>Range the initial single-spike SNR is clamped to (as the SCF estimate's amplitude, 1σ to 30σ).</summary>
    private const double MinInitialSnr = 1, MaxInitialSnr = 30;
    /// <summary>Range the initial firing rate is clamped to, in Hz (as the SCF estimate's).</summary>
    private const double MinInitialRateHz = 0.05, MaxInitialRateHz = 10;
    /// <summary>
    /// Frames the initial calibration simulates: ~40 spikes at the lowest initial rate at 60 Hz, a few
    /// thousand at the highest.
    /// </summary>
    private const int CalibrationFrames = 50_000;
    /// <summary>Bisection steps in log ρ over the initial rate range (a factor of 200): 12 pin ρ to within 0.2 %.</summary>
    private const int CalibrationBisections = 12;
    /// <summary>Seed of the spike and noise draws the calibration reuses for every ρ (common random numbers).</summary>
    private const int CalibrationSeed = 20170;

    /// <summary>Creates the model.</summary>
    public MlphysModel(MlphysOptions? options = null) => Options = (options ?? new MlphysOptions()).Validate();

    /// <summary>The settings.</summary>
    public MlphysOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "mlphys";

    /// <summary>Per-frame rise rate <c>k = 1 − e^{−1/(τ_on · rate)}</c> for a rise time constant τ_on in s.</summary>
    public static double RiseRateFromTau(double tauOnSeconds, double frameRateHz)
    {
        if (!(tauOnSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(tauOnSeconds), $"rise time constant must be > 0 s, got {tauOnSeconds}");
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        return -double.ExpM1(-1.0 / (tauOnSeconds * frameRateHz));
    }

    /// <summary>Rise time constant <c>τ_on = −1 / (rate · ln(1 − k))</c> in s; exact inverse of <see cref="RiseRateFromTau"/>.</summary>
    public static double RiseRateToTau(double riseRate, double frameRateHz)
    {
        if (!(riseRate > 0 && riseRate < 1)) throw new ArgumentOutOfRangeException(nameof(riseRate), $"rise rate must be in (0, 1) per frame, got {riseRate}");
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        return -1.0 / (frameRateHz * Math.Log(1 - riseRate));
    }

    /// <summary>
    /// Peak of the noise-free fluorescence response above β to one spike from rest, <c>α max_t d_t</c>, in
    /// double precision (the single-spike amplitude that SNR is measured against).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value of <paramref name="p"/> or the frame rate is out of range.</exception>
    public static double SingleSpikeAmplitude(MlphysParameters p, double frameRateHz)
    {
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        return p.Validate().Alpha * SingleSpikePeak(p, frameRateHz);
    }

    /// <summary>Unconstrained parameters for given physical values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range (see <see cref="MlphysParameters"/>), or the frame rate is not &gt; 0.</exception>
    public GenerativeParameters FromPhysical(MlphysParameters p, double frameRateHz)
    {
        p.Validate();
        double gamma = CalciumKernel.FromTau(p.TauDecaySeconds, frameRateHz);
        double k = RiseRateFromTau(p.TauOnSeconds, frameRateHz);
        var theta = new GenerativeParameters()
            .Set(ArKernelParameters.ParameterName, ArKernelParameters.RootLogits([gamma]))
            .Set("rise_logit", (float)Math.Log(k / (1 - k)))
            .Set("log_hill", (float)Math.Log(p.Hill))
            .Set("log_saturation", (float)Math.Log(p.Saturation))
            .Set("log_baseline_calcium", (float)Math.Log(p.BaselineCalcium))
            .Set("log_alpha", (float)Math.Log(p.Alpha))
            .Set("beta", (float)p.Beta)
            .Set("log_sigma", (float)Math.Log(p.Sigma));
        BernoulliSpikePrior.AddTo(theta, p.SpikeRateHz, frameRateHz);
        return theta;
    }

    /// <summary>Physical values of <paramref name="theta"/>.</summary>
    public MlphysParameters ToPhysical(GenerativeParameters theta, double frameRateHz) => new(
        TauDecaySeconds: RetentionTau(-theta.Value(ArKernelParameters.ParameterName), frameRateHz),
        TauOnSeconds: RetentionTau(theta.Value("rise_logit"), frameRateHz),
        Hill: Math.Exp(theta.Value("log_hill")),
        Saturation: Math.Exp(theta.Value("log_saturation")),
        BaselineCalcium: Math.Exp(theta.Value("log_baseline_calcium")),
        Alpha: Math.Exp(theta.Value("log_alpha")),
        Beta: theta.Value("beta"),
        Sigma: Math.Exp(theta.Value("log_sigma")),
        SpikeRateHz: BernoulliSpikePrior.RateHz(theta, frameRateHz));

    /// <summary>
    /// Time constant <c>−1 / (rate · ln σ(−z))</c> in s of a per-frame retention σ(−z), written as
    /// <c>1 / (rate · softplus(z))</c> so that it stays finite and positive for any logit z (σ(−z) rounds to 1
    /// in double for z &lt; −37, where ln would give 0). For the AR root γ = σ(u), z = −u; for the rise rate
    /// k = σ(v), whose retention is 1 − k = σ(−v), z = v.
    /// </summary>
    private static double RetentionTau(double z, double frameRateHz) =>
        1 / (frameRateHz * (Math.Max(z, 0) + LogOnePlus(Math.Exp(-Math.Abs(z)))));

    /// <summary><c>ln(1 + x)</c> accurate for tiny x (Goldberg's correction; <c>double.LogP1</c> rounds 1 + x first).</summary>
    private static double LogOnePlus(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>The kinetics (τ, τ_on, η, ω) are the published values of <see cref="MlphysOptions.Kinetics"/> and c0
    /// is <see cref="MlphysOptions.InitialBaselineCalcium"/>, as the paper starts MLphys from MLspike's
    /// calibration (§3.3). The noise σ comes from the trace (<see cref="TraceStatistics.EstimateScf"/> with the
    /// published τ).</para>
    /// <para>Baseline β, gain α and rate ρ are then fitted by indirect inference against the model's own
    /// simulator: three statistics of the trace — its mean μ, its variance above the noise V = var − σ², and
    /// the SCF baseline estimate B — are matched by the same statistics of a simulated trace
    /// (<see cref="CalibrationFrames"/> frames, i.i.d. spikes at ρ, noise σ, fixed draws so the fit is
    /// deterministic). With m(ρ), v(ρ) the mean and variance of the noise-free response for α = 1, the variance
    /// gives <c>α(ρ) = √(V / v(ρ))</c>; ρ then solves <c>α m(ρ) − b(ρ) = μ − B</c> by bisection in log ρ, where
    /// b is the baseline estimate of the simulation with β = 0; finally β = B − b. The baseline estimate is
    /// matched, not trusted: for slow GCaMP6 decays the calcium seldom returns to rest, so B sits above β by a
    /// sizeable fraction of the mean signal, which a plain moment match turns into a twofold error in α and ρ.
    /// Linear shot-noise formulas (Campbell's theorem) would not do either: GCaMP6 is strongly supralinear
    /// (for the GCaMP6s set at 0.5 Hz the mean response is twice and the variance seven times the linear
    /// prediction). Traces in ΔF/F and in raw units both start at their own scale.</para>
    /// <para>When the trace shows no excess mean or variance, the SCF estimates are used instead. Single-spike
    /// SNR is clamped to [1, 30] and the rate to [0.05, 10] Hz, as for SCF.</para>
    /// </remarks>
    public GenerativeParameters InitialParameters(ReadOnlySpan<float> fluorescence, double frameRateHz)
    {
        var kinetics = Options.Kinetics;
        var est = TraceStatistics.EstimateScf(fluorescence, frameRateHz, kinetics.TauDecaySeconds);
        var unitGain = new MlphysParameters(kinetics.TauDecaySeconds, kinetics.TauOnSeconds, kinetics.Hill, kinetics.Saturation,
            Options.InitialBaselineCalcium, Alpha: 1, est.Baseline, est.NoiseSigma, est.SpikeRateHz);
        double peak = SingleSpikePeak(unitGain, frameRateHz);
        double maxRateHz = Math.Min(MaxInitialRateHz, frameRateHz / 2);
        // Fallback: the SCF estimates, which see only the first frame of a spike's rise and so underrate a
        // slowly rising indicator.
        double alpha = est.SpikeAmplitude / peak, rateHz = est.SpikeRateHz, beta = est.Baseline;
        double mean = GaussianReadout.Mean(fluorescence);
        double excessVariance = GaussianReadout.Variance(fluorescence) - est.NoiseSigma * est.NoiseSigma;
        if (mean > est.Baseline && excessVariance > 0)
        {
            var fit = Calibrate(unitGain, frameRateHz, mean - est.Baseline, excessVariance, MinInitialRateHz, maxRateHz);
            if (double.IsFinite(fit.Alpha) && fit.Alpha > 0) (alpha, rateHz, beta) = (fit.Alpha, fit.RateHz, est.Baseline - fit.BaselineBias);
        }
        double sigma = est.NoiseSigma;
        alpha = Math.Clamp(alpha, MinInitialSnr * sigma / peak, MaxInitialSnr * sigma / peak);
        rateHz = Math.Clamp(rateHz, MinInitialRateHz, maxRateHz);
        return FromPhysical(unitGain with { Alpha = alpha, Beta = beta, SpikeRateHz = rateHz }, frameRateHz);
    }

    /// <summary>The indirect-inference fit of <see cref="InitialParameters"/>.</summary>
    /// <param name="Alpha">Gain α.</param>
    /// <param name="RateHz">Firing rate, in Hz.</param>
    /// <param name="BaselineBias">b: how far the SCF baseline estimate sits above the true β for this α and rate.</param>
    private readonly record struct CalibrationFit(double Alpha, double RateHz, double BaselineBias);

    /// <summary>
    /// Fits α and ρ (searched in [<paramref name="loHz"/>, <paramref name="hiHz"/>]) so that a simulated trace
    /// with β = 0 has variance above noise <paramref name="excessVariance"/> and mean above its own baseline
    /// estimate <paramref name="meanAboveEstimate"/> (see <see cref="InitialParameters"/>).
    /// </summary>
    private static CalibrationFit Calibrate(MlphysParameters unitGain, double frameRateHz, double meanAboveEstimate, double excessVariance, double loHz, double hiHz)
    {
        var rng = new Random(CalibrationSeed);
        var uniforms = new double[CalibrationFrames];
        var noise = new float[CalibrationFrames];
        for (int t = 0; t < uniforms.Length; t++)
        {
            uniforms[t] = rng.NextDouble();
            noise[t] = (float)(unitGain.Sigma * rng.NextGaussian());
        }
        var response = new double[CalibrationFrames];
        var trace = new float[CalibrationFrames];
        CalibrationFit Simulate(double rho)
        {
            var (m, v) = NoiseFreeResponse(unitGain, frameRateHz, uniforms, rho, response);
            double alpha = Math.Sqrt(excessVariance / v);
            for (int t = 0; t < trace.Length; t++) trace[t] = (float)(alpha * response[t]) + noise[t];
            double bias = TraceStatistics.EstimateScf(trace, frameRateHz, unitGain.TauDecaySeconds).Baseline;
            return new CalibrationFit(alpha, rho * frameRateHz, bias);
        }
        double lo = Math.Log(loHz / frameRateHz), hi = Math.Log(hiHz / frameRateHz);
        for (int i = 0; i < CalibrationBisections; i++)
        {
            double mid = 0.5 * (lo + hi);
            var fit = Simulate(Math.Exp(mid));
            // The mean above the baseline estimate grows with ρ at a fixed variance (sparser spikes mean rarer,
            // larger responses); a simulation without any spike (v = 0, α = ∞) counts as too sparse.
            double meanAbove = fit.Alpha * NoiseFreeMean(response) - fit.BaselineBias;
            if (!double.IsFinite(fit.Alpha) || meanAbove < meanAboveEstimate) lo = mid; else hi = mid;
        }
        return Simulate(Math.Exp(0.5 * (lo + hi)));
    }

    private static double NoiseFreeMean(double[] response)
    {
        double s = 0;
        foreach (var v in response) s += v;
        return s / response.Length;
    }

    /// <summary>
    /// The response d (α = 1, from rest) to spikes <c>s_t = [u_t &lt; ρ]</c>, in double, written to
    /// <paramref name="response"/>; returns its mean and variance.
    /// </summary>
    private static (double Mean, double Variance) NoiseFreeResponse(MlphysParameters p, double frameRateHz, double[] uniforms, double rho, double[] response)
    {
        var step = new ResponseStep(p, frameRateHz);
        double c = 0, d = 0, sum = 0, sumSquares = 0;
        for (int t = 0; t < uniforms.Length; t++)
        {
            d = step.Next(ref c, d, uniforms[t] < rho ? 1 : 0);
            response[t] = d;
            sum += d;
            sumSquares += d * d;
        }
        double mean = sum / uniforms.Length;
        return (mean, Math.Max(sumSquares / uniforms.Length - mean * mean, 0));
    }

    /// <summary>Peak <c>max_t d_t</c> of the response to one spike at t = 0 from rest (the parameters are not validated).</summary>
    private static double SingleSpikePeak(MlphysParameters p, double frameRateHz)
    {
        var step = new ResponseStep(p, frameRateHz);
        double c = 0, d = 0, peak = 0;
        for (int t = 0; t < MaxResponseFrames; t++)
        {
            d = step.Next(ref c, d, t == 0 ? 1 : 0);
            peak = Math.Max(peak, d);
            if (d < ResponseEndFraction * peak) break;
        }
        return peak;
    }

    /// <summary>One frame of the model in double precision: calcium, drive and the exact relaxation step of the response.</summary>
    private readonly struct ResponseStep(MlphysParameters p, double frameRateHz)
    {
        private readonly double gamma = Math.Exp(-1.0 / (p.TauDecaySeconds * frameRateHz));
        private readonly double lambda = 1.0 / (p.TauOnSeconds * frameRateHz);
        private readonly double restDrive = Math.Pow(p.BaselineCalcium, p.Hill);

        /// <summary>Advances the calcium <paramref name="c"/> by one frame with <paramref name="spikes"/> and returns the new response.</summary>
        public double Next(ref double c, double d, double spikes)
        {
            c = gamma * c + spikes;
            double x = Math.Pow(p.BaselineCalcium + c, p.Hill) - restDrive, speed = 1 + p.Saturation * x;
            double target = x / speed;
            return target + (d - target) * Math.Exp(-lambda * speed);
        }
    }

    /// <inheritdoc/>
    public Tensor LogLikelihood(GenerativeParameters theta, Tensor fluorescence, Tensor spikes)
    {
        GaussianReadout.CheckShapes(fluorescence, spikes);
        var (initialCalcium, initialResponse) = InitialState(theta, fluorescence, spikes.Length / fluorescence.Dim(-1));
        return GaussianReadout.LogLikelihood(theta, IndicatorResponse(theta, spikes, initialCalcium, initialResponse), fluorescence);
    }

    /// <inheritdoc/>
    /// <remarks>Starts from rest: no calcium above c0 and no response before the first frame.</remarks>
    public Tensor MeanFluorescence(GenerativeParameters theta, Tensor spikes) => GaussianReadout.Mean(theta, IndicatorResponse(theta, spikes, null, null));

    /// <inheritdoc/>
    public float[] Simulate(GenerativeParameters theta, ReadOnlySpan<float> spikes, Random rng) =>
        GaussianReadout.Simulate(theta, IndicatorResponse(theta, new Tensor(spikes.ToArray(), 1, spikes.Length), null, null), rng);

    /// <inheritdoc/>
    /// <remarks>
    /// Keys: tau_decay_s, gamma1 (per frame), tau_on_s, rise_rate (k per frame), hill, saturation,
    /// baseline_calcium (c0, spike units), alpha, beta, sigma, spike_rate_hz, and snr = single-spike amplitude / σ.
    /// </remarks>
    public IReadOnlyDictionary<string, double> Describe(GenerativeParameters theta, double frameRateHz)
    {
        var p = ToPhysical(theta, frameRateHz);
        return new Dictionary<string, double>
        {
            ["tau_decay_s"] = p.TauDecaySeconds,
            ["gamma1"] = CalciumKernel.FromTau(p.TauDecaySeconds, frameRateHz),
            ["tau_on_s"] = p.TauOnSeconds,
            ["rise_rate"] = RiseRateFromTau(p.TauOnSeconds, frameRateHz),
            ["hill"] = p.Hill,
            ["saturation"] = p.Saturation,
            ["baseline_calcium"] = p.BaselineCalcium,
            ["alpha"] = p.Alpha,
            ["beta"] = p.Beta,
            ["sigma"] = p.Sigma,
            ["spike_rate_hz"] = p.SpikeRateHz,
            ["snr"] = p.Alpha * SingleSpikePeak(p, frameRateHz) / p.Sigma,
        };
    }

    /// <summary>The response d <c>[rows, T]</c> for spikes, from the given per-row state before the first frame (rest if null).</summary>
    private static Tensor IndicatorResponse(GenerativeParameters theta, Tensor spikes, Tensor? initialCalcium, Tensor? initialResponse)
    {
        var calcium = Ops.ArFilter(spikes, ArKernelParameters.Gamma(theta), initialCalcium);
        var c0 = Ops.Exp(theta["log_baseline_calcium"]);
        var hill = Ops.Exp(theta["log_hill"]);
        var drive = Ops.Sub(Ops.Pow(Ops.Add(calcium, c0), hill), Ops.Pow(c0, hill));
        // λ = Δt/τ_on = −ln(1 − k) = softplus(v) for k = σ(v).
        var lambda = Ops.Softplus(theta["rise_logit"]);
        var speed = Ops.AddScalar(Ops.Mul(drive, Ops.Exp(theta["log_saturation"])), 1f);
        var retention = Ops.Exp(Ops.Neg(Ops.Mul(speed, lambda)));
        return Ops.Relaxation(Ops.Div(drive, speed), retention, initialResponse);
    }

    /// <summary>
    /// Per-row calcium and response before each chunk's first frame, constant with respect to θ: the response
    /// level the first frames imply and the calcium that holds it in steady state.
    /// </summary>
    private static (Tensor Calcium, Tensor Response) InitialState(GenerativeParameters theta, Tensor fluorescence, int rows)
    {
        int frames = fluorescence.Dim(-1), chunks = fluorescence.Length / frames;
        double alpha = Math.Exp(theta.Value("log_alpha")), beta = theta.Value("beta");
        double hill = Math.Exp(theta.Value("log_hill")), saturation = Math.Exp(theta.Value("log_saturation"));
        double c0 = Math.Exp(theta.Value("log_baseline_calcium"));
        var calcium = new float[chunks];
        var response = new float[chunks];
        int head = Math.Min(3, frames);
        for (int b = 0; b < chunks; b++)
        {
            double mean = 0;
            for (int t = 0; t < head; t++) mean += fluorescence.Data[b * frames + t];
            double d = Math.Clamp((mean / head - beta) / alpha, 0, MaxInitialSaturatedFraction / saturation);
            double drive = d / (1 - saturation * d);
            response[b] = (float)d;
            calcium[b] = d > 0 ? (float)Math.Max(Math.Pow(drive + Math.Pow(c0, hill), 1 / hill) - c0, 0) : 0f;
        }
        var initCalcium = new float[rows];
        var initResponse = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            initCalcium[r] = calcium[r % chunks];
            initResponse[r] = response[r % chunks];
        }
        return (new Tensor(initCalcium, rows), new Tensor(initResponse, rows));
    }
}
