namespace DeepSpike.Baselines;

/// <summary>MLspike's inference on one trace (<see cref="MlSpike.Infer"/>, <see cref="MlSpike.Run"/>).</summary>
/// <param name="ExpectedSpikes">Posterior expected spike count per frame, <c>E[n_t | F]</c> (the output of
/// <c>deepspike deconvolve --method mlspike</c>; equal to the spike probability when frames hold at most one spike).</param>
/// <param name="SpikeProbability"><c>P(n_t ≥ 1 | F)</c>.</param>
/// <param name="Calcium">Posterior mean calcium <c>E[c_t | F]</c>, in units of one spike's jump.</param>
/// <param name="Baseline">Posterior mean baseline <c>E[B_t | F]</c>, trace units.</param>
/// <param name="LogLikelihood"><c>log p(F | θ)</c> on the grid (natural log).</param>
/// <param name="Parameters">The model used (calibrated, or as given).</param>
/// <param name="Grid">The grid used.</param>
/// <param name="Map">The most probable spike train, when asked for.</param>
public sealed record MlSpikeResult(
    float[] ExpectedSpikes,
    float[] SpikeProbability,
    float[] Calcium,
    float[] Baseline,
    double LogLikelihood,
    MlSpikeParameters Parameters,
    MlSpikeGrid Grid,
    MlSpikeMapPath? Map);

/// <summary>The most probable spike train and the state path it implies (MLspike's MAP estimate, see
/// <see cref="MlSpike.MostProbablePath"/>).</summary>
/// <param name="Spikes">Spikes per frame, n_t.</param>
/// <param name="Calcium">Calcium per frame, <c>c_t = min(γ c_{t−1} + n_t, c_max)</c>, one-spike units.</param>
/// <param name="Baseline">Baseline level per frame, trace units.</param>
/// <param name="LogJoint"><c>log p(path, F)</c>, including the uniform prior of the initial grid state.</param>
public sealed record MlSpikeMapPath(int[] Spikes, float[] Calcium, float[] Baseline, double LogJoint);
