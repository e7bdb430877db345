namespace DeepSpike.Baselines;

/// <summary>
/// Settings of <see cref="MlSpike.Infer"/>: the model's fixed parts, and which of its parameters to take as given
/// rather than calibrate on the trace (every parameter left null is estimated, see <see cref="MlSpikeCalibration"/>).
/// </summary>
/// <param name="Effect">How the baseline enters, or null to choose per trace: multiplicative when every frame is
/// &gt; 0 (raw fluorescence), additive otherwise (ΔF/F and background-subtracted traces reach 0 and below).</param>
/// <param name="Nonlinearity">The indicator's response; null for linear.</param>
/// <param name="DriftPerSqrtSecond">Baseline random walk: s.d. of its change over one second, as a fraction of the
/// baseline level F₀ (multiplicative) or in trace units (additive; for a ΔF/F trace that is a fraction of F₀ too);
/// MLspike's demo uses 0.01. 0 holds the baseline constant (still estimated).</param>
/// <param name="TauDecaySeconds">Calcium decay τ &gt; 0, or null to calibrate.</param>
/// <param name="Amplitude">A &gt; 0 (fraction of the baseline when multiplicative, trace units when additive), or
/// null to calibrate.</param>
/// <param name="NoiseSigma">Noise σ &gt; 0 in trace units, or null to estimate from the power spectrum.</param>
/// <param name="SpikeRateHz">Prior firing rate λ &gt; 0, or null to estimate it (EM update from the posterior).</param>
/// <param name="TauRangeSeconds">Bounds on a calibrated τ.</param>
/// <param name="AmplitudeRangeSigmas">Bounds on a calibrated one-spike jump, in units of σ (A·baseline/σ or A/σ).</param>
/// <param name="CalibrationFrames">Most frames the calibration evaluates the likelihood on (longer traces are
/// sampled in stretches, see <see cref="MlSpikeCalibration.Stretches"/>); ≥ <see cref="OasisEstimation.MinFrames"/>.</param>
/// <param name="Resolution">The grid.</param>
/// <param name="ComputeMap">Also compute the most probable spike train (<see cref="MlSpikeResult.Map"/>).</param>
public sealed record MlSpikeOptions(
    BaselineEffect? Effect = null,
    IndicatorNonlinearity? Nonlinearity = null,
    double DriftPerSqrtSecond = 0.01,
    double? TauDecaySeconds = null,
    double? Amplitude = null,
    double? NoiseSigma = null,
    double? SpikeRateHz = null,
    (double Min, double Max)? TauRangeSeconds = null,
    (double Min, double Max)? AmplitudeRangeSigmas = null,
    int CalibrationFrames = 5000,
    MlSpikeResolution? Resolution = null,
    bool ComputeMap = false)
{
    /// <summary>Default bounds on τ: fast synthetic dyes to slow GCaMP6s.</summary>
    public static readonly (double Min, double Max) DefaultTauRangeSeconds = (0.05, 5);

    /// <summary>Default bounds on the one-spike jump: from half the noise (spikes barely visible) to 100 σ.</summary>
    public static readonly (double Min, double Max) DefaultAmplitudeRangeSigmas = (0.5, 100);

    /// <summary>The τ bounds in effect.</summary>
    public (double Min, double Max) TauRange => TauRangeSeconds ?? DefaultTauRangeSeconds;

    /// <summary>The amplitude bounds in effect.</summary>
    public (double Min, double Max) AmplitudeRange => AmplitudeRangeSigmas ?? DefaultAmplitudeRangeSigmas;

    /// <summary>The grid settings in effect.</summary>
    public MlSpikeResolution Grid => Resolution ?? MlSpikeResolution.Default;

    /// <summary>Throws if a value is out of range; returns this.</summary>
    public MlSpikeOptions Validate()
    {
        if (Effect is { } effect && !Enum.IsDefined(effect)) throw new ArgumentOutOfRangeException(nameof(Effect), effect, $"unknown baseline effect {effect}");
        Nonlinearity?.Validate();
        if (!(DriftPerSqrtSecond >= 0 && double.IsFinite(DriftPerSqrtSecond)))
            throw new ArgumentOutOfRangeException(nameof(DriftPerSqrtSecond), DriftPerSqrtSecond, $"drift must be finite and >= 0, got {DriftPerSqrtSecond}");
        CheckPositive(TauDecaySeconds, nameof(TauDecaySeconds), "decay time constant");
        CheckPositive(Amplitude, nameof(Amplitude), "spike amplitude");
        CheckPositive(NoiseSigma, nameof(NoiseSigma), "noise sigma");
        CheckPositive(SpikeRateHz, nameof(SpikeRateHz), "spike rate");
        CheckRange(TauRange, nameof(TauRangeSeconds), "tau range");
        CheckRange(AmplitudeRange, nameof(AmplitudeRangeSigmas), "amplitude range");
        if (CalibrationFrames < OasisEstimation.MinFrames)
            throw new ArgumentOutOfRangeException(nameof(CalibrationFrames), CalibrationFrames, $"calibration frames must be >= {OasisEstimation.MinFrames}, got {CalibrationFrames}");
        Grid.Validate();
        return this;
    }

    private static void CheckPositive(double? value, string name, string what)
    {
        if (value is double v && !(v > 0 && double.IsFinite(v)))
            throw new ArgumentOutOfRangeException(name, v, $"{what} must be finite and > 0, got {v}");
    }

    private static void CheckRange((double Min, double Max) range, string name, string what)
    {
        if (!(range.Min > 0 && range.Max > range.Min && double.IsFinite(range.Max)))
            throw new ArgumentOutOfRangeException(name, range, $"{what} must satisfy 0 < min < max < ∞, got [{range.Min}, {range.Max}]");
    }
}

/// <summary>
/// How finely <see cref="MlSpike.Infer"/> discretises the state (<see cref="MlSpikeGrid"/>): the calcium grid is
/// fixed, the baseline grid spans the range the trace allows (see <see cref="MlSpikeCalibration.BaselineGrid"/>)
/// with a step of about <see cref="BaselineStepSigmas"/>·σ and <see cref="MinBaselineLevels"/> to
/// <see cref="MaxBaselineLevels"/> levels.
/// Calibration runs on a coarser calcium grid (<see cref="CalibrationCalciumLevels"/>).
/// </summary>
/// <param name="CalciumLevels">Calcium levels for the final inference (MLspike: 100), more than the calibration's.</param>
/// <param name="CalciumMax">Highest calcium level, in spikes (MLspike: 10).</param>
/// <param name="MaxSpikesPerFrame">Largest spike count per frame (MLspike: 3).</param>
/// <param name="BaselineStepSigmas">Target baseline step, in units of σ.</param>
/// <param name="MinBaselineLevels">Fewest baseline levels.</param>
/// <param name="MaxBaselineLevels">Most baseline levels; when the range needs more, the step grows.</param>
/// <param name="CalibrationCalciumLevels">Calcium levels of the coarse grid the calibration searches on before
/// refining on the final grid (≥ 2, fewer than <paramref name="CalciumLevels"/>).</param>
/// <param name="CalciumSpacing">Exponent p of the calcium levels <c>c_max (i / (I − 1))^p</c> (<see cref="MlSpikeGrid"/>).</param>
public sealed record MlSpikeResolution(
    int CalciumLevels = 81,
    double CalciumMax = 10,
    int MaxSpikesPerFrame = 3,
    double CalciumSpacing = 1,
    double BaselineStepSigmas = 0.5,
    int MinBaselineLevels = 8,
    int MaxBaselineLevels = 32,
    int CalibrationCalciumLevels = 41)
{
    /// <summary>The defaults.</summary>
    public static MlSpikeResolution Default { get; } = new();

    /// <summary>Throws if a value is out of range; returns this.</summary>
    public MlSpikeResolution Validate()
    {
        if (MinBaselineLevels < 2 || MaxBaselineLevels < MinBaselineLevels)
            throw new ArgumentOutOfRangeException(nameof(MinBaselineLevels), $"baseline levels must satisfy 2 <= min <= max, got {MinBaselineLevels}..{MaxBaselineLevels}");
        new MlSpikeGrid(CalciumLevels, CalciumMax, MaxBaselineLevels, 0, 1, MaxSpikesPerFrame, CalciumSpacing).Validate();
        new MlSpikeGrid(CalibrationCalciumLevels, CalciumMax, MinBaselineLevels, 0, 1, MaxSpikesPerFrame, CalciumSpacing).Validate();
        if (!(BaselineStepSigmas > 0 && double.IsFinite(BaselineStepSigmas)))
            throw new ArgumentOutOfRangeException(nameof(BaselineStepSigmas), BaselineStepSigmas, $"baseline step must be finite and > 0 sigmas, got {BaselineStepSigmas}");
        if (CalibrationCalciumLevels >= CalciumLevels)
            throw new ArgumentOutOfRangeException(nameof(CalibrationCalciumLevels), CalibrationCalciumLevels, $"calibration calcium levels must be fewer than the {CalciumLevels} calcium levels, got {CalibrationCalciumLevels}");
        return this;
    }
}
