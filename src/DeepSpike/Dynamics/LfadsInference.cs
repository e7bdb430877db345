using DeepSpike.Engine;

namespace DeepSpike.Dynamics;

/// <summary>What <see cref="Lfads"/> infers for each trial, averaged over posterior passes.</summary>
/// <param name="Factors">Factors, trials × bins × K.</param>
/// <param name="Rates">Firing rates in Hz (expected counts per bin / bin width), trials × bins × cells.</param>
/// <param name="Fluorescence">The reconstructed fluorescence (the observation model's mean), or null for a model of counts.</param>
public sealed record LfadsEstimate(TrialArray Factors, TrialArray Rates, TrialArray? Fluorescence = null);

/// <summary>Applies a trained <see cref="Lfads"/> to trials: the mean over posterior draws of g₀, or the posterior mean itself.</summary>
public static class LfadsInference
{
    /// <summary>Trials per forward pass.</summary>
    private const int BatchSize = 65;

    /// <summary>
    /// Factors and rates of <paramref name="input"/> (counts, trials × bins × cells). With <paramref name="samples"/> &gt; 0,
    /// each is the mean over that many draws of g₀ from its posterior (seeded by <paramref name="seed"/>); with 0, the
    /// single pass at the posterior mean.
    /// </summary>
    public static LfadsEstimate Run(Lfads model, TrialArray input, double binSeconds, int samples = 100, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (input.Channels != model.Channels)
            throw new ArgumentException($"the model was trained on {model.Channels} cells; these trials have {input.Channels}");
        if (samples < 0) throw new ArgumentOutOfRangeException(nameof(samples), samples, "must be ≥ 0");
        if (!(binSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(binSeconds), binSeconds, "bin width must be > 0");
        int k = model.Options.Factors;
        var factors = TrialArray.Zeros(input.Trials, input.Bins, k);
        var rates = TrialArray.Zeros(input.Trials, input.Bins, input.Channels);
        var fluorescence = model.Observation is null ? null : TrialArray.Zeros(input.Trials, input.Bins, input.Channels);
        var rng = new Random(seed);
        int passes = Math.Max(samples, 1);
        float weight = 1f / passes;
        for (int start = 0; start < input.Trials; start += BatchSize)
        {
            int count = Math.Min(BatchSize, input.Trials - start);
            var batch = LfadsTrainer.Gather(input, Enumerable.Range(start, count).ToArray());
            for (int pass = 0; pass < passes; pass++)
            {
                var result = model.Forward(batch, samples == 0 ? null : rng);
                Accumulate(result.Factors.Data, factors.Data.AsSpan(start * input.Bins * k, count * input.Bins * k), weight, exp: false, 1);
                Accumulate(result.LogRates.Data, rates.Data.AsSpan(start * input.Bins * input.Channels, count * input.Bins * input.Channels), weight, exp: true, 1 / binSeconds);
                if (fluorescence is not null)
                {
                    // The mean comes cell-major ([B·N, T]); the output is bin-major like every trial array.
                    var mean = model.Observation!.Moments(result.LogRates).Mean.Data;
                    for (int b = 0; b < count; b++)
                        for (int n = 0; n < input.Channels; n++)
                            for (int t = 0; t < input.Bins; t++)
                                fluorescence[start + b, t, n] += weight * mean[(b * input.Channels + n) * input.Bins + t];
                }
            }
        }
        return new LfadsEstimate(factors, rates, fluorescence);
    }

    private static void Accumulate(float[] source, Span<float> destination, float weight, bool exp, double scale)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] += weight * (float)((exp ? Math.Exp(source[i]) : source[i]) * scale);
    }
}
