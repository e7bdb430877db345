using DeepSpike.Engine;
using DeepSpike.Preprocessing;

namespace DeepSpike.Generative;

/// <summary>Settings of the <see cref="ScfModel"/>.</summary>
/// <param name="ArOrder">Order p of the calcium dynamics: 1 (instant rise, exponential decay) or 2 (finite rise).</param>
/// <param name="InitialTauDecaySeconds">Decay time constant the per-cell kernel starts from, in s.</param>
/// <param name="InitialTauRiseSeconds">Rise time constant for p = 2, in s.</param>
public sealed record ScfOptions(int ArOrder = 1, double InitialTauDecaySeconds = 0.7, double InitialTauRiseSeconds = 0.05)
{
    /// <summary>Throws if a value is out of range.</summary>
    public ScfOptions Validate()
    {
        if (ArOrder is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(ArOrder), $"AR order must be 1 or 2, got {ArOrder}");
        if (!(InitialTauDecaySeconds > 0)) throw new ArgumentOutOfRangeException(nameof(InitialTauDecaySeconds), $"decay time constant must be > 0 s, got {InitialTauDecaySeconds}");
        if (!(InitialTauRiseSeconds > 0 && InitialTauRiseSeconds < InitialTauDecaySeconds))
            throw new ArgumentOutOfRangeException(nameof(InitialTauRiseSeconds), $"rise time constant must be in (0, tau_decay) s, got {InitialTauRiseSeconds}");
        return this;
    }
}

/// <summary>The SCF model's parameters in physical units.</summary>
/// <param name="Gamma">AR coefficients γ_1..γ_p of <c>c_t = Σ γ_j c_{t−j} + δ s_t</c>.</param>
/// <param name="Alpha">Gain α &gt; 0.</param>
/// <param name="Delta">Calcium increment per spike δ &gt; 0.</param>
/// <param name="Beta">Fluorescence baseline β.</param>
/// <param name="Sigma">Noise standard deviation σ &gt; 0.</param>
/// <param name="SpikeRateHz">Prior firing rate in Hz.</param>
public sealed record ScfParameters(double[] Gamma, double Alpha, double Delta, double Beta, double Sigma, double SpikeRateHz);

/// <summary>
/// Linear autoregressive calcium model (Speiser et al. 2017, eq. 2; Vogelstein et al. 2009):
/// <c>c_t = Σ_{j=1..p} γ_j c_{t−j} + δ s_t</c>, <c>f_t = α c_t + β + e_t</c>, <c>e_t ~ N(0, σ²)</c>.
/// </summary>
/// <remarks>
/// Constraints by reparametrisation: the kernel is stable and decaying with real roots
/// <c>r_j = σ(u_j) ∈ (0, 1)</c> (γ = r for p = 1; γ_1 = r_1 + r_2, γ_2 = −r_1 r_2 for p = 2);
/// α = e^a, δ = e^d, σ = e^s; β free. Before a chunk's first frame the calcium is held at the level
/// the first frames imply, <c>max(0, (f̄_{0..2} − β)/(α r̄))</c> with r̄ the kernel's mean response to a held state, so a chunk cut from a long trace does not
/// force spikes at its start to explain calcium left by earlier ones.
/// </remarks>
public sealed class ScfModel : IGenerativeModel
{
    /// <summary>Range the data-driven initial decay is clamped to (fast synthetic dyes to slow GECIs).</summary>
    private const double MinInitialTauSeconds = 0.1, MaxInitialTauSeconds = 5.0;

    /// <summary>Creates the model.</summary>
    public ScfModel(ScfOptions? options = null) => Options = (options ?? new ScfOptions()).Validate();

    /// <summary>The settings.</summary>
    public ScfOptions Options { get; }

    /// <inheritdoc/>
    public string Name => Options.ArOrder == 1 ? "scf" : "scf-ar2";

    /// <summary>Unconstrained parameters for given physical values.</summary>
    public GenerativeParameters FromPhysical(ScfParameters p, double frameRateHz)
    {
        if (p.Gamma.Length != Options.ArOrder) throw new ArgumentException($"expected {Options.ArOrder} AR coefficients, got {p.Gamma.Length}");
        var theta = new GenerativeParameters()
            .Set(ArKernelParameters.ParameterName, ArKernelParameters.RootLogits(p.Gamma))
            .Set("log_alpha", (float)Math.Log(p.Alpha))
            .Set("log_delta", (float)Math.Log(p.Delta))
            .Set("beta", (float)p.Beta)
            .Set("log_sigma", (float)Math.Log(p.Sigma));
        BernoulliSpikePrior.AddTo(theta, p.SpikeRateHz, frameRateHz);
        return theta;
    }

    /// <summary>Physical values of <paramref name="theta"/>.</summary>
    public ScfParameters ToPhysical(GenerativeParameters theta, double frameRateHz) => new(
        Gamma: ArKernelParameters.GammaValues(theta),
        Alpha: Math.Exp(theta.Value("log_alpha")),
        Delta: Math.Exp(theta.Value("log_delta")),
        Beta: theta.Value("beta"),
        Sigma: Math.Exp(theta.Value("log_sigma")),
        SpikeRateHz: BernoulliSpikePrior.RateHz(theta, frameRateHz));

    /// <inheritdoc/>
    public GenerativeParameters InitialParameters(ReadOnlySpan<float> fluorescence, double frameRateHz)
    {
        // The decay from the autocovariance when the trace shows one in a plausible range, else the default.
        double tau = Options.InitialTauDecaySeconds;
        double measured = TraceStatistics.DecayFromAutocovariance(fluorescence);
        if (double.IsFinite(measured))
            tau = Math.Clamp(CalciumKernel.ToTau(measured, frameRateHz), MinInitialTauSeconds, MaxInitialTauSeconds);
        var est = TraceStatistics.EstimateScf(fluorescence, frameRateHz, tau);
        double gammaDecay = CalciumKernel.FromTau(tau, frameRateHz);
        double[] gamma = Options.ArOrder == 1
            ? [gammaDecay]
            : ArKernelParameters.FromRoots(gammaDecay, CalciumKernel.FromTau(Options.InitialTauRiseSeconds, frameRateHz));
        // δ = 1 fixes the otherwise unidentified split of the amplitude between α and δ at the start.
        // For p = 2 a spike's peak is below δ·α, so scale α up by the kernel's peak deficit.
        double peak = Options.ArOrder == 1 ? 1 : KernelPeak(gamma);
        return FromPhysical(new ScfParameters(gamma, est.SpikeAmplitude / peak, 1.0, est.Baseline, est.NoiseSigma, est.SpikeRateHz), frameRateHz);
    }

    /// <inheritdoc/>
    public Tensor LogLikelihood(GenerativeParameters theta, Tensor fluorescence, Tensor spikes)
    {
        GaussianReadout.CheckShapes(fluorescence, spikes);
        var initial = InitialCalcium(theta, fluorescence, spikes.Length / fluorescence.Dim(-1));
        return GaussianReadout.LogLikelihood(theta, Calcium(theta, spikes, initial), fluorescence);
    }

    /// <inheritdoc/>
    public Tensor MeanFluorescence(GenerativeParameters theta, Tensor spikes) => GaussianReadout.Mean(theta, Calcium(theta, spikes));

    /// <inheritdoc/>
    public float[] Simulate(GenerativeParameters theta, ReadOnlySpan<float> spikes, Random rng) =>
        GaussianReadout.Simulate(theta, Calcium(theta, new Tensor(spikes.ToArray(), 1, spikes.Length)), rng);

    /// <summary>Calcium <c>c = AR filter of δ·s</c>, from rest or from <paramref name="initial"/> (the chunk-start state).</summary>
    private static Tensor Calcium(GenerativeParameters theta, Tensor spikes, Tensor? initial = null) =>
        Ops.ArFilter(Ops.Mul(spikes, Ops.Exp(theta["log_delta"])), ArKernelParameters.Gamma(theta), initial);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Describe(GenerativeParameters theta, double frameRateHz)
    {
        var p = ToPhysical(theta, frameRateHz);
        var roots = ArKernelParameters.Roots(p.Gamma);
        var d = new Dictionary<string, double>
        {
            ["tau_decay_s"] = CalciumKernel.ToTau(roots.Max(), frameRateHz),
            ["alpha"] = p.Alpha,
            ["delta"] = p.Delta,
            ["beta"] = p.Beta,
            ["sigma"] = p.Sigma,
            ["spike_rate_hz"] = p.SpikeRateHz,
            ["snr"] = p.Alpha * p.Delta * (Options.ArOrder == 1 ? 1 : KernelPeak(p.Gamma)) / p.Sigma,
        };
        for (int j = 0; j < p.Gamma.Length; j++) d[$"gamma{j + 1}"] = p.Gamma[j];
        if (roots.Length == 2) d["tau_rise_s"] = CalciumKernel.ToTau(roots.Min(), frameRateHz);
        return d;
    }

    /// <summary>Peak of the impulse response of the AR(2) kernel (1 for AR(1)).</summary>
    private static double KernelPeak(double[] gamma)
    {
        double c1 = 0, c2 = 0, peak = 0;
        for (int t = 0; t < 10_000; t++)
        {
            double c = gamma[0] * c1 + gamma[1] * c2 + (t == 0 ? 1 : 0);
            if (c < peak) break;
            peak = c; c2 = c1; c1 = c;
        }
        return peak;
    }

    /// <summary>Per-row calcium before each chunk's first frame, constant with respect to θ.</summary>
    private static Tensor InitialCalcium(GenerativeParameters theta, Tensor fluorescence, int rows)
    {
        int frames = fluorescence.Dim(-1), chunks = fluorescence.Length / frames;
        float alpha = MathF.Exp(theta.Value("log_alpha")), beta = theta.Value("beta");
        // A held state h leaves α·h·r_t above baseline at frame t, r_t the filter's response to it
        // (γ^{t+1} for AR(1)); divide the first frames' mean by the mean response, not by 1.
        var gamma = ArKernelParameters.GammaValues(theta);
        int head = Math.Min(3, frames);
        double response = 0, c1 = 1, c2 = 1;
        for (int t = 0; t < head; t++)
        {
            double c = gamma[0] * c1 + (gamma.Length > 1 ? gamma[1] * c2 : 0);
            response += c; c2 = c1; c1 = c;
        }
        float gain = (float)(alpha * response / head);
        var perChunk = new float[chunks];
        for (int b = 0; b < chunks; b++)
        {
            float mean = 0;
            for (int t = 0; t < head; t++) mean += fluorescence.Data[b * frames + t];
            perChunk[b] = MathF.Max(0f, (mean / head - beta) / gain);
        }
        var init = new float[rows];
        for (int r = 0; r < rows; r++) init[r] = perChunk[r % chunks];
        return new Tensor(init, rows);
    }
}
