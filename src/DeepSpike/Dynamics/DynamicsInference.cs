using DeepSpike.Engine;

namespace DeepSpike.Dynamics;

/// <summary>What a <see cref="DynamicsNetwork"/> infers for each trial, averaged over posterior passes.</summary>
/// <param name="Factors">Factors, trials × bins × K.</param>
/// <param name="Rates">Firing rates in Hz (expected counts per bin / bin width), trials × bins × cells.</param>
/// <param name="Spikes">Posterior mean spike counts per bin, or null for a model without a spike layer.</param>
/// <param name="Calcium">Posterior mean calcium (spikes through the indicator kernel, in spike units), or null.</param>
/// <param name="Fluorescence">The reconstructed fluorescence (the observation model's mean), or null for a model of counts.</param>
public sealed record DynamicsEstimate(TrialArray Factors, TrialArray Rates, TrialArray? Spikes = null, TrialArray? Calcium = null, TrialArray? Fluorescence = null);

/// <summary>Applies a trained <see cref="DynamicsNetwork"/> to trials: the mean over posterior draws of its latents, or the pass at their posterior means.</summary>
public static class DynamicsInference
{
    /// <summary>Trials per forward pass.</summary>
    private const int BatchSize = 65;

    /// <summary>
    /// Everything <paramref name="model"/> infers from <paramref name="input"/> (trials × bins × cells, in what the model
    /// reads). With <paramref name="samples"/> &gt; 0, each output is the mean over that many posterior draws (seeded by
    /// <paramref name="seed"/>); with 0, the single pass at the posterior means.
    /// </summary>
    public static DynamicsEstimate Run(DynamicsNetwork model, TrialArray input, double binSeconds, int samples = 100, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (input.Channels != model.Channels)
            throw new ArgumentException($"the model was trained on {model.Channels} cells; these trials have {input.Channels}");
        if (samples < 0) throw new ArgumentOutOfRangeException(nameof(samples), samples, "must be ≥ 0");
        if (!(binSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(binSeconds), binSeconds, "bin width must be > 0");
        TrialArray Cells() => TrialArray.Zeros(input.Trials, input.Bins, input.Channels);
        var factors = TrialArray.Zeros(input.Trials, input.Bins, model.Factors);
        var rates = Cells();
        TrialArray? spikes = null, calcium = null, fluorescence = null;
        var rng = new Random(seed);
        int passes = Math.Max(samples, 1);
        float weight = 1f / passes;
        for (int start = 0; start < input.Trials; start += BatchSize)
        {
            int count = Math.Min(BatchSize, input.Trials - start);
            var batch = LfadsTrainer.Gather(input, Enumerable.Range(start, count).ToArray());
            for (int pass = 0; pass < passes; pass++)
            {
                var result = model.Infer(batch, samples == 0 ? null : rng);
                Accumulate(result.Factors, factors, start, weight);
                Accumulate(result.LogRates, rates, start, weight, exp: true, scale: 1 / binSeconds);
                if (result.Spikes is not null) Accumulate(result.Spikes, spikes ??= Cells(), start, weight);
                if (result.Calcium is not null) Accumulate(result.Calcium, calcium ??= Cells(), start, weight);
                if (result.Fluorescence is not null) Accumulate(result.Fluorescence, fluorescence ??= Cells(), start, weight);
            }
        }
        return new DynamicsEstimate(factors, rates, spikes, calcium, fluorescence);
    }

    // Adds weight · f(source) to the trials from `start` on of `destination` (both bin-major, [B, T, ·]).
    private static void Accumulate(Tensor source, TrialArray destination, int start, float weight, bool exp = false, double scale = 1)
    {
        var target = destination.Data.AsSpan(start * destination.Bins * destination.Channels, source.Length);
        var values = source.Data;
        for (int i = 0; i < target.Length; i++)
            target[i] += weight * (float)((exp ? Math.Exp(values[i]) : values[i]) * scale);
    }
}
