namespace DeepSpike.Baselines;

/// <summary>What <see cref="ScfGibbsSampler"/> found.</summary>
/// <param name="SpikeProbability">Per frame: posterior probability of a spike, the average over kept sweeps of
/// the exact conditional <c>P(s_t = 1 | s_−t, f, θ)</c> (Rao–Blackwellised).</param>
/// <param name="Parameters">θ: the given values, or with <see cref="McmcOptions.SampleParameters"/> their
/// posterior means.</param>
/// <param name="SpikeCountMean">Posterior mean of the number of spikes in the trace.</param>
/// <param name="SpikeCountStd">Its posterior standard deviation.</param>
/// <param name="ShiftAcceptance">Fraction of proposed spike shifts accepted (NaN if none were proposed).</param>
public sealed record McmcResult(float[] SpikeProbability, ScfSamplerParameters Parameters, double SpikeCountMean, double SpikeCountStd, double ShiftAcceptance);
