using DeepSpike.Engine;
using DeepSpike.Preprocessing;

namespace DeepSpike.Generative;

/// <summary>Settings of the <see cref="ScdfModel"/>: the calcium kernel and where the per-cell indicator kinetics start.</summary>
/// <param name="ArOrder">Order p of the calcium dynamics: 1 (instant rise, exponential decay) or 2 (finite rise).</param>
/// <param name="InitialTauDecaySeconds">Calcium decay time constant the per-cell kernel starts from (when the trace does not show one), in s.</param>
/// <param name="InitialTauRiseSeconds">Calcium rise time constant for p = 2, in s.</param>
/// <param name="InitialTauOffSeconds">Unbinding time constant of the dye the kinetics start from, in s
/// (<c>κ_off = 1 − e^{−1/(τ_off · rate)}</c>); fast next to the calcium decay, so the dye follows calcium.</param>
/// <param name="InitialSingleSpikeOccupancy">Fraction of the dye bound at steady state under one spike's calcium
/// (c = 1), <c>u₁ = κ_on / (κ_on + κ_off)</c>, in (0, 1): small keeps single spikes in the near-linear regime while
/// bursts of ~1/u₁ spikes saturate.</param>
/// <param name="InitialHill">Hill coefficient η the kinetics start from, &gt; 0 (1: no facilitation, like SCF in its linear regime).</param>
public sealed record ScdfOptions(
    int ArOrder = 1,
    double InitialTauDecaySeconds = 0.7,
    double InitialTauRiseSeconds = 0.05,
    double InitialTauOffSeconds = 0.1,
    double InitialSingleSpikeOccupancy = 0.1,
    double InitialHill = 1.0)
{
    /// <summary>Throws if a value is out of range.</summary>
    public ScdfOptions Validate()
    {
        if (ArOrder is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(ArOrder), $"AR order must be 1 or 2, got {ArOrder}");
        if (!(InitialTauDecaySeconds > 0)) throw new ArgumentOutOfRangeException(nameof(InitialTauDecaySeconds), $"decay time constant must be > 0 s, got {InitialTauDecaySeconds}");
        if (!(InitialTauRiseSeconds > 0 && InitialTauRiseSeconds < InitialTauDecaySeconds))
            throw new ArgumentOutOfRangeException(nameof(InitialTauRiseSeconds), $"rise time constant must be in (0, tau_decay) s, got {InitialTauRiseSeconds}");
        if (!(InitialTauOffSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(InitialTauOffSeconds), $"unbinding time constant must be > 0 s, got {InitialTauOffSeconds}");
        if (!(InitialSingleSpikeOccupancy > 0 && InitialSingleSpikeOccupancy < 1))
            throw new ArgumentOutOfRangeException(nameof(InitialSingleSpikeOccupancy), $"single-spike occupancy must be in (0, 1), got {InitialSingleSpikeOccupancy}");
        if (!(InitialHill > 0)) throw new ArgumentOutOfRangeException(nameof(InitialHill), $"Hill coefficient must be > 0, got {InitialHill}");
        return this;
    }
}

/// <summary>The SCDF model's parameters in physical units (rates per frame, as in eq. 3).</summary>
/// <param name="Gamma">AR coefficients γ_1..γ_p of <c>c_t = Σ γ_j c_{t−j} + s_t</c> (calcium in units of one spike's increment).</param>
/// <param name="KOn">Binding rate κ_on &gt; 0 per frame (per unit calcium^η).</param>
/// <param name="KOff">Unbinding rate κ_off in (0, 1) per frame.</param>
/// <param name="Hill">Hill coefficient η &gt; 0.</param>
/// <param name="DyeTotal">Total dye concentration [D] &gt; 0, the ceiling of the bound dye d.</param>
/// <param name="Alpha">Gain α &gt; 0 from bound dye to fluorescence.</param>
/// <param name="Beta">Fluorescence baseline β.</param>
/// <param name="Sigma">Noise standard deviation σ &gt; 0.</param>
/// <param name="SpikeRateHz">Prior firing rate in Hz, ≥ 0.</param>
public sealed record ScdfParameters(double[] Gamma, double KOn, double KOff, double Hill, double DyeTotal, double Alpha, double Beta, double Sigma, double SpikeRateHz)
{
    /// <summary>Throws if a scalar value is out of range (the AR coefficients are checked by the model, which knows p).</summary>
    public ScdfParameters Validate()
    {
        if (!(KOn > 0 && double.IsFinite(KOn))) throw new ArgumentOutOfRangeException(nameof(KOn), $"binding rate kon must be > 0 per frame, got {KOn}");
        if (!(KOff > 0 && KOff < 1)) throw new ArgumentOutOfRangeException(nameof(KOff), $"unbinding rate koff must be in (0, 1) per frame, got {KOff}");
        if (!(Hill > 0 && double.IsFinite(Hill))) throw new ArgumentOutOfRangeException(nameof(Hill), $"Hill coefficient must be > 0, got {Hill}");
        if (!(DyeTotal > 0 && double.IsFinite(DyeTotal))) throw new ArgumentOutOfRangeException(nameof(DyeTotal), $"total dye concentration [D] must be > 0, got {DyeTotal}");
        if (!(Alpha > 0 && double.IsFinite(Alpha))) throw new ArgumentOutOfRangeException(nameof(Alpha), $"gain alpha must be > 0, got {Alpha}");
        if (!double.IsFinite(Beta)) throw new ArgumentOutOfRangeException(nameof(Beta), $"baseline beta must be finite, got {Beta}");
        if (!(Sigma > 0 && double.IsFinite(Sigma))) throw new ArgumentOutOfRangeException(nameof(Sigma), $"noise sigma must be > 0, got {Sigma}");
        if (!(SpikeRateHz >= 0 && double.IsFinite(SpikeRateHz))) throw new ArgumentOutOfRangeException(nameof(SpikeRateHz), $"spike rate must be >= 0 Hz, got {SpikeRateHz}");
        return this;
    }
}

/// <summary>
/// Nonlinear calcium-indicator model (Speiser et al. 2017, eq. 3): SCF calcium
/// <c>c_t = Σ_{j=1..p} γ_j c_{t−j} + s_t</c>, dye binding
/// <c>d_t − d_{t−1} = κ_on c_t^η ([D] − d_{t−1}) − κ_off d_{t−1}</c>, fluorescence
/// <c>f_t = α d_t + β + e_t</c>, <c>e_t ~ N(0, σ²)</c>. Saturates for bursts (d ≤ [D]) and, with η &gt; 1,
/// facilitates for a few spikes.
/// </summary>
/// <remarks>
/// <para>Constraints by reparametrisation: stable decaying real AR roots <c>r_j = σ(u_j) ∈ (0, 1)</c> as in
/// <see cref="ScfModel"/>; κ_on = e^k, η = e^h, [D] = e^D, α = e^a, σ = e^s; κ_off = σ(v) ∈ (0, 1), because
/// <c>1 − κ_off</c> is the per-frame retention of bound dye without calcium and, like an AR root, must lie
/// in (0, 1) for a decaying indicator; β free. The explicit update of eq. 3 keeps d in <c>[0, [D]]</c> only
/// while <c>κ_on c^η + κ_off ≤ 1</c>, which the defaults satisfy for bursts of dozens of spikes at 60 Hz.</para>
/// <para>Identifiability: the calcium increment per spike δ is fixed to 1 (the paper's θ for SCDF has no δ;
/// it would only rescale κ_on by δ^η), and d scales with [D], so only the product α[D] is determined by data —
/// [D] is kept as a parameter, as in the paper, and starts at 1 (d is then the bound fraction).</para>
/// <para>Before a chunk's first frame the dye is held at the level the first frames imply,
/// <c>d_{−1} = clamp((f̄_{0..2} − β)/α, 0, 0.9 [D])</c>, and the calcium at the level that keeps that dye in
/// steady state, <c>c_{−1} = (κ_off d_{−1} / (κ_on ([D] − d_{−1})))^{1/η}</c>; both are constant in θ, so a
/// chunk cut from a long trace does not force spikes at its start.</para>
/// </remarks>
public sealed class ScdfModel : IGenerativeModel
{
    /// <summary>Range the data-driven initial calcium decay is clamped to (fast synthetic dyes to slow GECIs).</summary>
    private const double MinInitialTauSeconds = 0.1, MaxInitialTauSeconds = 5.0;
    /// <summary>
    /// Cap on the initial κ_off per frame: at low frame rates a fast dye would otherwise leave little room
    /// for κ_on c^η before the explicit update overshoots (κ_on c^η + κ_off &gt; 1).
    /// </summary>
    private const double MaxInitialUnbindingRate = 0.5;
    /// <summary>Largest bound fraction a chunk may start from; its steady-state calcium grows without bound towards 1.</summary>
    private const float MaxInitialOccupancy = 0.9f;
    /// <summary>Frames a single-spike response is followed for at most.</summary>
    private const int MaxResponseFrames = 100_000;
    /// <summary>A single-spike response below this fraction of its peak counts as over.</summary>
    private const double ResponseEndFraction = 1e-6;
    /// <summary>Dye relaxation times (1/κ_off frames each) after which a spike's response decays as the calcium alone.</summary>
    private const double DyeSettlingRelaxations = 3;
    /// <summary>Frames per autocovariance lag a trace needs for the decay estimate past the dye's rise.</summary>
    private const int MinFramesPerLag = 20;
    /// <summary>Range the initial single-spike SNR is clamped to (as the SCF estimate's amplitude, 1σ to 30σ).</summary>
    private const double MinInitialSnr = 1, MaxInitialSnr = 30;
    /// <summary>Range the initial firing rate is clamped to, in Hz (as the SCF estimate's).</summary>
    private const double MinInitialRateHz = 0.05, MaxInitialRateHz = 10;

    /// <summary>Creates the model.</summary>
    public ScdfModel(ScdfOptions? options = null) => Options = (options ?? new ScdfOptions()).Validate();

    /// <summary>The settings.</summary>
    public ScdfOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "scdf";

    /// <summary>Unbinding rate per frame <c>κ_off = 1 − e^{−1/(τ_off · rate)}</c> for a dye relaxation time τ_off in s.</summary>
    public static double UnbindingRateFromTau(double tauOffSeconds, double frameRateHz)
    {
        if (!(tauOffSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(tauOffSeconds), $"unbinding time constant must be > 0 s, got {tauOffSeconds}");
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        return 1 - Math.Exp(-1.0 / (tauOffSeconds * frameRateHz));
    }

    /// <summary>Dye relaxation time <c>τ_off = −1 / (rate · ln(1 − κ_off))</c> in s; exact inverse of <see cref="UnbindingRateFromTau"/>.</summary>
    public static double UnbindingRateToTau(double kOff, double frameRateHz)
    {
        if (!(kOff > 0 && kOff < 1)) throw new ArgumentOutOfRangeException(nameof(kOff), $"unbinding rate koff must be in (0, 1) per frame, got {kOff}");
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        return -1.0 / (frameRateHz * Math.Log(1 - kOff));
    }

    /// <summary>
    /// Binding rate <c>κ_on = κ_off u₁ / (1 − u₁)</c> that binds the fraction u₁ of the dye at steady state under
    /// one spike's calcium (c = 1, where c^η = 1 for every η).
    /// </summary>
    public static double BindingRateForOccupancy(double kOff, double singleSpikeOccupancy)
    {
        if (!(kOff > 0)) throw new ArgumentOutOfRangeException(nameof(kOff), $"unbinding rate koff must be > 0, got {kOff}");
        if (!(singleSpikeOccupancy > 0 && singleSpikeOccupancy < 1))
            throw new ArgumentOutOfRangeException(nameof(singleSpikeOccupancy), $"single-spike occupancy must be in (0, 1), got {singleSpikeOccupancy}");
        return kOff * singleSpikeOccupancy / (1 - singleSpikeOccupancy);
    }

    /// <summary>
    /// Peak of the noise-free fluorescence response above β to one spike from rest, <c>α max_t d_t</c>, in
    /// double precision (the single-spike amplitude that SNR is measured against).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value of <paramref name="p"/> is out of range.</exception>
    public static double SingleSpikeAmplitude(ScdfParameters p) => SingleSpikePeak(p.Validate());

    /// <summary><see cref="SingleSpikeAmplitude"/> without validation, for parameters that came out of training.</summary>
    private static double SingleSpikePeak(ScdfParameters p) => p.Alpha * DyeResponse(p).Peak;

    /// <summary>Unconstrained parameters for given physical values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range (see <see cref="ScdfParameters"/>), or the AR coefficients are not a stable decaying kernel with real roots.</exception>
    /// <exception cref="ArgumentException">The number of AR coefficients differs from <see cref="ScdfOptions.ArOrder"/>.</exception>
    public GenerativeParameters FromPhysical(ScdfParameters p, double frameRateHz)
    {
        if (p.Gamma.Length != Options.ArOrder) throw new ArgumentException($"expected {Options.ArOrder} AR coefficients, got {p.Gamma.Length}");
        p.Validate();
        var theta = new GenerativeParameters()
            .Set(ArKernelParameters.ParameterName, ArKernelParameters.RootLogits(p.Gamma))
            .Set("log_kon", (float)Math.Log(p.KOn))
            .Set("koff_logit", (float)Math.Log(p.KOff / (1 - p.KOff)))
            .Set("log_hill", (float)Math.Log(p.Hill))
            .Set("log_dye_total", (float)Math.Log(p.DyeTotal))
            .Set("log_alpha", (float)Math.Log(p.Alpha))
            .Set("beta", (float)p.Beta)
            .Set("log_sigma", (float)Math.Log(p.Sigma));
        BernoulliSpikePrior.AddTo(theta, p.SpikeRateHz, frameRateHz);
        return theta;
    }

    /// <summary>Physical values of <paramref name="theta"/>.</summary>
    public ScdfParameters ToPhysical(GenerativeParameters theta, double frameRateHz) => new(
        Gamma: ArKernelParameters.GammaValues(theta),
        KOn: Math.Exp(theta.Value("log_kon")),
        KOff: 1 / (1 + Math.Exp(-theta.Value("koff_logit"))),
        Hill: Math.Exp(theta.Value("log_hill")),
        DyeTotal: Math.Exp(theta.Value("log_dye_total")),
        Alpha: Math.Exp(theta.Value("log_alpha")),
        Beta: theta.Value("beta"),
        Sigma: Math.Exp(theta.Value("log_sigma")),
        SpikeRateHz: BernoulliSpikePrior.RateHz(theta, frameRateHz));

    /// <inheritdoc/>
    /// <remarks>
    /// Calcium decay, baseline and noise come from the trace as for <see cref="ScfModel"/>
    /// (<see cref="TraceStatistics"/>); the kinetics start from <see cref="Options"/> with [D] = 1. The gain α
    /// and the rate then follow from the trace's mean and variance above baseline and noise (Campbell's
    /// theorem for the model's own single-spike response, exact in the linear regime), because the SCF
    /// estimate of the amplitude sees only the first frame of a spike and the dye takes several to bind.
    /// Single-spike SNR is clamped to [1, 30] and the rate to [0.05, 10] Hz, as for SCF.
    /// </remarks>
    public GenerativeParameters InitialParameters(ReadOnlySpan<float> fluorescence, double frameRateHz)
    {
        double kOff = Math.Min(UnbindingRateFromTau(Options.InitialTauOffSeconds, frameRateHz), MaxInitialUnbindingRate);
        double kOn = BindingRateForOccupancy(kOff, Options.InitialSingleSpikeOccupancy);
        // The calcium decay from the autocovariance past the dye's rise (there the response is ~γ^t alone),
        // else from lags 1-2 as for SCF, when it gives a plausible value; else the default.
        double tau = Options.InitialTauDecaySeconds;
        int lag = (int)Math.Ceiling(DyeSettlingRelaxations / kOff);
        double measured = DecayAtLag(fluorescence, lag);
        if (!double.IsFinite(measured)) measured = TraceStatistics.DecayFromAutocovariance(fluorescence);
        if (double.IsFinite(measured))
            tau = Math.Clamp(CalciumKernel.ToTau(measured, frameRateHz), MinInitialTauSeconds, MaxInitialTauSeconds);
        var est = TraceStatistics.EstimateScf(fluorescence, frameRateHz, tau);
        double gammaDecay = CalciumKernel.FromTau(tau, frameRateHz);
        double[] gamma = Options.ArOrder == 1
            ? [gammaDecay]
            : ArKernelParameters.FromRoots(gammaDecay, CalciumKernel.FromTau(Options.InitialTauRiseSeconds, frameRateHz));
        var unitGain = new ScdfParameters(gamma, kOn, kOff, Options.InitialHill, DyeTotal: 1, Alpha: 1, est.Baseline, est.NoiseSigma, est.SpikeRateHz);
        var response = DyeResponse(unitGain);
        // Fallback when the trace shows no excess variance or mean: the SCF estimates, which see only the
        // first frame of a spike's rise and so underrate a slowly binding dye.
        double alpha = est.SpikeAmplitude / response.Peak, rateHz = est.SpikeRateHz;
        double meanSignal = GaussianReadout.Mean(fluorescence) - est.Baseline;
        double excessVariance = GaussianReadout.Variance(fluorescence) - est.NoiseSigma * est.NoiseSigma;
        if (meanSignal > 0 && excessVariance > 0)
        {
            // Campbell's theorem for i.i.d. spikes at ρ per frame through the response αk (linear regime):
            // mean − β = ρ α Σk, variance − σ² = ρ (1 − ρ) α² Σk². So q = (1 − ρ) α and ρ = m r / (1 + m r), r = 1/(q Σk).
            double q = excessVariance / meanSignal * response.Sum / response.SumSquares;
            double mr = meanSignal / (q * response.Sum);
            double rho = mr / (1 + mr);
            alpha = q / (1 - rho);
            rateHz = rho * frameRateHz;
        }
        double sigma = est.NoiseSigma;
        alpha = Math.Clamp(alpha, MinInitialSnr * sigma / response.Peak, MaxInitialSnr * sigma / response.Peak);
        rateHz = Math.Clamp(rateHz, MinInitialRateHz, Math.Min(MaxInitialRateHz, frameRateHz / 2));
        return FromPhysical(unitGain with { Alpha = alpha, SpikeRateHz = rateHz }, frameRateHz);
    }

    /// <summary>Sums of the bound dye's response <c>k_t = d_t</c> to one spike from rest (the fluorescence response for α = 1).</summary>
    /// <param name="Sum">Σ k.</param>
    /// <param name="SumSquares">Σ k².</param>
    /// <param name="Peak">max k.</param>
    private readonly record struct ResponseSums(double Sum, double SumSquares, double Peak);

    private static ResponseSums DyeResponse(ScdfParameters p)
    {
        var history = new double[p.Gamma.Length];
        double d = 0, peak = 0, sum = 0, sumSquares = 0;
        for (int t = 0; t < MaxResponseFrames; t++)
        {
            double c = t == 0 ? 1 : 0;
            for (int j = 0; j < history.Length; j++) c += p.Gamma[j] * history[j];
            for (int j = history.Length - 1; j > 0; j--) history[j] = history[j - 1];
            history[0] = c;
            double a = c > 0 ? p.KOn * Math.Pow(c, p.Hill) : 0;
            d = (1 - a - p.KOff) * d + a * p.DyeTotal;
            sum += d;
            sumSquares += d * d;
            peak = Math.Max(peak, d);
            if (d < ResponseEndFraction * peak) break;
        }
        return new ResponseSums(sum, sumSquares, peak);
    }

    /// <summary>
    /// AR(1) decay <c>γ = (acov(2L) / acov(L))^{1/L}</c>: past the response's rise the autocovariance of shot
    /// noise falls as γ^k, and white measurement noise adds nothing at lags ≥ 1. NaN when the ratio is not in
    /// (0, 1) or the trace is shorter than <see cref="MinFramesPerLag"/> · 2L.
    /// </summary>
    private static double DecayAtLag(ReadOnlySpan<float> f, int lag)
    {
        if (lag < 1 || f.Length < MinFramesPerLag * 2 * lag) return double.NaN;
        double mean = GaussianReadout.Mean(f), c1 = 0, c2 = 0;
        for (int t = 2 * lag; t < f.Length; t++)
        {
            double x = f[t] - mean;
            c1 += x * (f[t - lag] - mean);
            c2 += x * (f[t - 2 * lag] - mean);
        }
        double ratio = c2 / c1;
        return c1 > 0 && ratio > 0 && ratio < 1 ? Math.Pow(ratio, 1.0 / lag) : double.NaN;
    }

    /// <inheritdoc/>
    public Tensor LogLikelihood(GenerativeParameters theta, Tensor fluorescence, Tensor spikes)
    {
        GaussianReadout.CheckShapes(fluorescence, spikes);
        var (initialCalcium, initialDye) = InitialState(theta, fluorescence, spikes.Length / fluorescence.Dim(-1));
        return GaussianReadout.LogLikelihood(theta, Dye(theta, spikes, initialCalcium, initialDye), fluorescence);
    }

    /// <inheritdoc/>
    /// <remarks>Starts from rest: no calcium and no bound dye before the first frame.</remarks>
    public Tensor MeanFluorescence(GenerativeParameters theta, Tensor spikes) => GaussianReadout.Mean(theta, Dye(theta, spikes, null, null));

    /// <inheritdoc/>
    public float[] Simulate(GenerativeParameters theta, ReadOnlySpan<float> spikes, Random rng) =>
        GaussianReadout.Simulate(theta, Dye(theta, new Tensor(spikes.ToArray(), 1, spikes.Length), null, null), rng);

    /// <inheritdoc/>
    /// <remarks>
    /// Keys: tau_decay_s (and tau_rise_s for p = 2), gamma1.., kon and koff (per frame), tau_off_s, hill,
    /// dye_total, alpha, beta, sigma, spike_rate_hz, and snr = single-spike amplitude / σ.
    /// </remarks>
    public IReadOnlyDictionary<string, double> Describe(GenerativeParameters theta, double frameRateHz)
    {
        var p = ToPhysical(theta, frameRateHz);
        var roots = ArKernelParameters.Roots(p.Gamma);
        var d = new Dictionary<string, double>
        {
            ["tau_decay_s"] = CalciumKernel.ToTau(roots.Max(), frameRateHz),
            ["kon"] = p.KOn,
            ["koff"] = p.KOff,
            ["tau_off_s"] = UnbindingRateToTau(p.KOff, frameRateHz),
            ["hill"] = p.Hill,
            ["dye_total"] = p.DyeTotal,
            ["alpha"] = p.Alpha,
            ["beta"] = p.Beta,
            ["sigma"] = p.Sigma,
            ["spike_rate_hz"] = p.SpikeRateHz,
            ["snr"] = SingleSpikePeak(p) / p.Sigma,
        };
        for (int j = 0; j < p.Gamma.Length; j++) d[$"gamma{j + 1}"] = p.Gamma[j];
        if (roots.Length == 2) d["tau_rise_s"] = CalciumKernel.ToTau(roots.Min(), frameRateHz);
        return d;
    }

    /// <summary>Bound dye <c>[rows, T]</c> for spikes, from the given per-row state before the first frame (zero if null).</summary>
    private Tensor Dye(GenerativeParameters theta, Tensor spikes, Tensor? initialCalcium, Tensor? initialDye)
    {
        var calcium = Ops.ArFilter(spikes, ArKernelParameters.Gamma(theta), initialCalcium);
        return Ops.IndicatorBinding(calcium,
            Ops.Exp(theta["log_kon"]), Ops.Sigmoid(theta["koff_logit"]), Ops.Exp(theta["log_hill"]), Ops.Exp(theta["log_dye_total"]),
            initialDye);
    }

    /// <summary>
    /// Per-row calcium and bound dye before each chunk's first frame, constant with respect to θ: the dye
    /// level the first frames imply and the calcium that holds it in steady state.
    /// </summary>
    private static (Tensor Calcium, Tensor Dye) InitialState(GenerativeParameters theta, Tensor fluorescence, int rows)
    {
        int frames = fluorescence.Dim(-1), chunks = fluorescence.Length / frames;
        double alpha = Math.Exp(theta.Value("log_alpha")), beta = theta.Value("beta");
        double kOn = Math.Exp(theta.Value("log_kon")), kOff = 1 / (1 + Math.Exp(-theta.Value("koff_logit")));
        double hill = Math.Exp(theta.Value("log_hill")), total = Math.Exp(theta.Value("log_dye_total"));
        var calcium = new float[chunks];
        var dye = new float[chunks];
        int head = Math.Min(3, frames);
        for (int b = 0; b < chunks; b++)
        {
            double mean = 0;
            for (int t = 0; t < head; t++) mean += fluorescence.Data[b * frames + t];
            double d = Math.Clamp((mean / head - beta) / alpha, 0, MaxInitialOccupancy * total);
            dye[b] = (float)d;
            calcium[b] = d > 0 ? (float)Math.Pow(kOff * d / (kOn * (total - d)), 1 / hill) : 0f;
        }
        var initCalcium = new float[rows];
        var initDye = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            initCalcium[r] = calcium[r % chunks];
            initDye[r] = dye[r % chunks];
        }
        return (new Tensor(initCalcium, rows), new Tensor(initDye, rows));
    }
}
