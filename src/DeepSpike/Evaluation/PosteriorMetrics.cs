using DeepSpike.Engine;
using DeepSpike.Recognition;

namespace DeepSpike.Evaluation;

/// <summary>How the posterior samples count one isolated true spike: spikes per sample in a window around it.</summary>
/// <param name="Frame">The true spike's frame.</param>
/// <param name="MeanCount">Mean over samples of the sampled spikes in the window.</param>
/// <param name="CountVariance">Variance over samples of that count (population variance).</param>
/// <param name="FractionExactlyOne">Fraction of samples with exactly one spike in the window.</param>
public sealed record IsolatedSpikeCount(int Frame, double MeanCount, double CountVariance, double FractionExactlyOne);

/// <summary>
/// Scores of a posterior over spike trains beyond correlation (Speiser et al. 2017, fig. 2): whether its samples
/// put the right number of spikes near each true spike, and how probable it finds the true train.
/// </summary>
public static class PosteriorMetrics
{
    /// <summary>
    /// For every true spike with no other true spike within <paramref name="isolationFrames"/> frames, the number of
    /// sampled spikes within <paramref name="windowFrames"/> frames of it (inclusive), over the samples. A posterior
    /// that knows "one spike, timing uncertain" gives counts near 1 with a small variance; a factorised one that
    /// spreads probability over neighbouring frames samples 0, 1 or 2 spikes.
    /// </summary>
    /// <param name="truth">True spike counts per frame.</param>
    /// <param name="samples">Sampled trains, each as long as <paramref name="truth"/>.</param>
    /// <param name="isolationFrames">Minimum distance, in frames, to any other true spike.</param>
    /// <param name="windowFrames">Half-width of the counting window, in frames.</param>
    /// <exception cref="ArgumentException">A sample's length differs from the truth's, or a width is negative.</exception>
    public static IReadOnlyList<IsolatedSpikeCount> IsolatedSpikeCounts(ReadOnlySpan<float> truth, IReadOnlyList<float[]> samples, int isolationFrames, int windowFrames)
    {
        if (isolationFrames < 0 || windowFrames < 0) throw new ArgumentException($"widths must be >= 0, got isolation {isolationFrames} and window {windowFrames}");
        if (samples.Count == 0) throw new ArgumentException("no samples to count");
        foreach (var s in samples)
            if (s.Length != truth.Length) throw new ArgumentException($"a sample has {s.Length} frames but the truth has {truth.Length}");
        var spikes = new List<int>();
        for (int t = 0; t < truth.Length; t++)
            if (truth[t] > 0) spikes.Add(t);
        var result = new List<IsolatedSpikeCount>();
        for (int i = 0; i < spikes.Count; i++)
        {
            int t = spikes[i];
            bool isolated = truth[t] == 1
                && (i == 0 || t - spikes[i - 1] > isolationFrames)
                && (i == spikes.Count - 1 || spikes[i + 1] - t > isolationFrames);
            if (!isolated) continue;
            int from = Math.Max(0, t - windowFrames), to = Math.Min(truth.Length - 1, t + windowFrames);
            double sum = 0, sumSquares = 0;
            int exactlyOne = 0;
            foreach (var s in samples)
            {
                double count = 0;
                for (int u = from; u <= to; u++) count += s[u];
                sum += count;
                sumSquares += count * count;
                if (count == 1) exactlyOne++;
            }
            double mean = sum / samples.Count;
            result.Add(new IsolatedSpikeCount(t, mean, Math.Max(0, sumSquares / samples.Count - mean * mean), (double)exactlyOne / samples.Count));
        }
        return result;
    }

    /// <summary>
    /// <c>log q_φ(s | f)</c> of the true train <paramref name="truth"/> (counts above 1 count as one spike: the
    /// posterior is over binary trains) under a recognition model, in nats: <c>Σ_t ln Bernoulli(s_t; π_t)</c> with
    /// π_t from the model (for DS-NF, teacher-forced on the true history).
    /// </summary>
    /// <exception cref="ArgumentException">The trace and the truth differ in length.</exception>
    public static double LogProbabilityOfTruth(IRecognitionModel model, float[] normalizedTrace, ReadOnlySpan<float> truth)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (normalizedTrace.Length != truth.Length) throw new ArgumentException($"trace has {normalizedTrace.Length} frames but the truth has {truth.Length}");
        var binary = new float[truth.Length];
        for (int t = 0; t < binary.Length; t++) binary[t] = truth[t] > 0 ? 1f : 0f;
        var logits = model.Logits(new Tensor(normalizedTrace, 1, normalizedTrace.Length), new Tensor(binary, 1, binary.Length)).Data;
        double total = 0;
        // ln σ(a) = −softplus(−a) and ln(1 − σ(a)) = −softplus(a), stable for large |a|.
        for (int t = 0; t < logits.Length; t++) total -= Softplus(binary[t] > 0 ? -logits[t] : logits[t]);
        return total;
    }

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
}
