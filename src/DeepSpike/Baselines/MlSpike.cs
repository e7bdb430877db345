namespace DeepSpike.Baselines;

/// <summary>
/// MLspike (Deneux et al. 2016, "Accurate spike estimation from noisy calcium signals for ultrafast
/// three-dimensional imaging of large neuronal populations in vivo", Nat Commun 7:12190): exact inference on a
/// discretised (calcium × drifting baseline) state for the model of <see cref="MlSpikeParameters"/>, with the
/// parameters calibrated per trace.
/// </summary>
/// <remarks>
/// The grid, the transitions and the numerics are described on <see cref="MlSpikeHmm"/> (internal); the
/// calibration on <see cref="MlSpikeCalibration"/>. Traces must be finite and not constant
/// (<see cref="ArgumentException"/> otherwise, as for the other baselines); NaN frames are rejected, not skipped.
/// </remarks>
public static class MlSpike
{
    /// <summary>Bounds on the EM estimate of λ (Hz, and as a fraction of the frame rate).</summary>
    private const double MinSpikeRateHz = 1e-3, MaxSpikeRateFraction = 0.5;

    /// <summary>
    /// Calibrates the model on the trace (<see cref="MlSpikeCalibration.Calibrate"/>, which also sets λ by one EM
    /// step unless it is given), then runs forward–backward with it.
    /// </summary>
    /// <param name="fluorescence">The trace: finite, not constant, at least <see cref="OasisEstimation.MinFrames"/> frames.</param>
    /// <param name="frameRateHz">Frames per second, &gt; 0.</param>
    /// <param name="options">Settings; defaults if null.</param>
    /// <exception cref="ArgumentException">The trace or the options cannot be used; the message says why.</exception>
    public static MlSpikeResult Infer(ReadOnlySpan<float> fluorescence, double frameRateHz, MlSpikeOptions? options = null)
    {
        options = (options ?? new MlSpikeOptions()).Validate();
        var calibration = MlSpikeCalibration.Calibrate(fluorescence, frameRateHz, options);
        var hmm = new MlSpikeHmm(calibration.Parameters, calibration.Grid);
        var marginals = hmm.Smooth(fluorescence);
        var map = options.ComputeMap ? hmm.Viterbi(fluorescence) : null;
        return new MlSpikeResult(marginals.ExpectedSpikes, marginals.SpikeProbability, marginals.Calcium, marginals.Baseline,
            marginals.LogLikelihood, calibration.Parameters, calibration.Grid, map);
    }

    /// <summary>
    /// The EM update of the prior firing rate from posterior expected counts: <c>λ = Σ_t E[n_t | F] / (T Δt)</c>
    /// (the maximiser of the expected complete-data log-likelihood in λ, up to the truncation of the spike count),
    /// kept within [<see cref="MinSpikeRateHz"/>, <see cref="MaxSpikeRateFraction"/> · frame rate].
    /// </summary>
    internal static double SpikeRateUpdate(ReadOnlySpan<float> expectedSpikes, double frameRateHz)
    {
        double total = 0;
        foreach (float n in expectedSpikes) total += n;
        return Math.Clamp(total * frameRateHz / expectedSpikes.Length, MinSpikeRateHz, MaxSpikeRateFraction * frameRateHz);
    }

    /// <summary>Forward–backward with a known model on a given grid (no calibration).</summary>
    /// <param name="fluorescence">The trace: non-empty, finite, not constant.</param>
    /// <param name="parameters">The model.</param>
    /// <param name="grid">The grid; its baseline range should contain the trace's baseline.</param>
    /// <param name="computeMap">Also compute the most probable spike train.</param>
    /// <exception cref="ArgumentException">The trace, the model or the grid cannot be used; the message says why.</exception>
    public static MlSpikeResult Run(ReadOnlySpan<float> fluorescence, MlSpikeParameters parameters, MlSpikeGrid grid, bool computeMap = false)
    {
        TraceValidation.ToCheckedDoubles(fluorescence);
        var hmm = new MlSpikeHmm(parameters, grid);
        var marginals = hmm.Smooth(fluorescence);
        var map = computeMap ? hmm.Viterbi(fluorescence) : null;
        return new MlSpikeResult(marginals.ExpectedSpikes, marginals.SpikeProbability, marginals.Calcium, marginals.Baseline,
            marginals.LogLikelihood, parameters, grid, map);
    }

    /// <summary>
    /// The most probable spike train for a known model (MLspike's MAP estimate): Viterbi-style dynamic programming
    /// backwards on the grid, with the cost-to-go <c>V_t(c, b)</c> interpolated linearly in calcium between levels as
    /// <c>tps_mlspikes</c> does, then a forward trace that re-decides each frame's spike count and baseline move at
    /// the exact continuous calcium <c>c_t = min(γ c_{t−1} + n_t, c_max)</c>. The path maximises
    /// <c>log π + Σ_t [log P(n_t) + log K(j_{t−1} → j_t) + log N(F_t; μ(c_t, b_{j_t}), σ²)]</c> exactly when every
    /// reachable calcium is a level, and approximately (error shrinking with the step) otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">The trace, the model or the grid cannot be used.</exception>
    public static MlSpikeMapPath MostProbablePath(ReadOnlySpan<float> fluorescence, MlSpikeParameters parameters, MlSpikeGrid grid)
    {
        TraceValidation.ToCheckedDoubles(fluorescence);
        return new MlSpikeHmm(parameters, grid).Viterbi(fluorescence);
    }

    /// <summary><c>log p(F | θ)</c> (natural log) with spikes, calcium and baseline summed out on the grid.</summary>
    /// <exception cref="ArgumentException">The trace, the model or the grid cannot be used.</exception>
    public static double LogLikelihood(ReadOnlySpan<float> fluorescence, MlSpikeParameters parameters, MlSpikeGrid grid)
    {
        TraceValidation.ToCheckedDoubles(fluorescence);
        return new MlSpikeHmm(parameters, grid).LogLikelihood(fluorescence);
    }
}
