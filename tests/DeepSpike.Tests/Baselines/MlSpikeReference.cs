using DeepSpike.Baselines;
using DeepSpike.Generative;

namespace DeepSpike.Tests.Baselines;

/// <summary>
/// References for the MLspike tests, written from the model's definition in plain double-precision loops: a
/// simulator, the discrete chain as dense tables, exact enumeration of its paths, a dense forward–backward, and a
/// brute-force MAP over spike trains in continuous calcium.
/// </summary>
internal static class MlSpikeReference
{
    /// <summary>A trace from the model (Poisson spikes, exact exponential calcium, Gaussian baseline walk from
    /// <paramref name="baseline"/>, Gaussian noise) and its spike counts.</summary>
    public static (float[] Fluorescence, float[] Spikes) Simulate(MlSpikeParameters p, int frames, int seed, double baseline)
    {
        var rng = new Random(seed);
        var f = new float[frames];
        var spikes = new float[frames];
        double c = 0, b = baseline, mean = p.SpikeRateHz / p.FrameRateHz, decay = p.Decay;
        for (int t = 0; t < frames; t++)
        {
            // Poisson draw by inversion.
            int n = 0;
            double u = rng.NextDouble(), term = Math.Exp(-mean), cumulative = term;
            while (u > cumulative && n < 20)
            {
                n++;
                term *= mean / n;
                cumulative += term;
            }
            c = decay * c + n;
            b += p.DriftPerFrame * rng.NextGaussian();
            spikes[t] = n;
            f[t] = (float)(p.MeanFluorescence(c, b) + p.NoiseSigma * rng.NextGaussian());
        }
        return (f, spikes);
    }

    /// <summary>The discrete chain of <c>MlSpikeHmm</c> as tables: state s = i · J + j.</summary>
    public sealed class Chain
    {
        public int Levels, Baselines, MaxSpikes;
        public double[] SpikePrior = [];
        public int[,] Lower = new int[0, 0];          // [n, i]
        public double[,] UpperWeight = new double[0, 0];
        public double[,] BaselineMove = new double[0, 0]; // [j, j'], rows sum to 1
        public double[] Mean = [];                    // [s]
        public double Sigma;
        public int States => Levels * Baselines;

        public double LogGaussian(double y, int s) =>
            -0.5 * Math.Log(2 * Math.PI * Sigma * Sigma) - 0.5 * (y - Mean[s]) * (y - Mean[s]) / (Sigma * Sigma);

        /// <summary>P(state s → s', n spikes).</summary>
        public double Transition(int s, int n, int s2)
        {
            int i = s / Baselines, j = s % Baselines, k = s2 / Baselines, j2 = s2 % Baselines;
            int lower = Lower[n, i];
            double w = UpperWeight[n, i];
            double calcium = k == lower ? 1 - w : k == lower + 1 ? w : 0;
            return SpikePrior[n] * calcium * BaselineMove[j, j2];
        }
    }

    public static Chain Build(MlSpikeParameters p, MlSpikeGrid g)
    {
        var chain = new Chain { Levels = g.CalciumLevels, Baselines = g.BaselineLevels, MaxSpikes = g.MaxSpikesPerFrame, Sigma = p.NoiseSigma };
        chain.SpikePrior = p.SpikeCountPrior(g.MaxSpikesPerFrame);
        chain.Lower = new int[g.MaxSpikesPerFrame + 1, g.CalciumLevels];
        chain.UpperWeight = new double[g.MaxSpikesPerFrame + 1, g.CalciumLevels];
        var levels = Enumerable.Range(0, g.CalciumLevels).Select(i => g.CalciumMax * Math.Pow((double)i / (g.CalciumLevels - 1), g.CalciumSpacing)).ToArray();
        for (int n = 0; n <= g.MaxSpikesPerFrame; n++)
            for (int i = 0; i < g.CalciumLevels; i++)
            {
                double x = Math.Min(p.Decay * levels[i] + n, g.CalciumMax);
                int k = 0;
                while (k < g.CalciumLevels - 1 && levels[k + 1] <= x) k++;
                chain.Lower[n, i] = k;
                chain.UpperWeight[n, i] = k == g.CalciumLevels - 1 ? 0 : (x - levels[k]) / (levels[k + 1] - levels[k]);
            }
        double spread = g.BaselineLevels == 1 ? 0 : p.DriftPerFrame / g.BaselineStep;
        var kernel = MlSpikeHmm.BaselineKernel(spread, g.BaselineLevels - 1);
        int half = kernel.Length / 2;
        chain.BaselineMove = new double[g.BaselineLevels, g.BaselineLevels];
        for (int j = 0; j < g.BaselineLevels; j++)
        {
            double total = 0;
            for (int d = -half; d <= half; d++)
                if (j + d >= 0 && j + d < g.BaselineLevels) total += kernel[d + half];
            for (int d = -half; d <= half; d++)
                if (j + d >= 0 && j + d < g.BaselineLevels) chain.BaselineMove[j, j + d] = kernel[d + half] / total;
        }
        chain.Mean = new double[chain.States];
        for (int i = 0; i < g.CalciumLevels; i++)
            for (int j = 0; j < g.BaselineLevels; j++)
                chain.Mean[i * g.BaselineLevels + j] = p.MeanFluorescence(levels[i], g.Baseline(j));
        return chain;
    }

    /// <summary>Posterior marginals and the log-likelihood by summing over every path of the chain.</summary>
    public static (double[] Expected, double[] AnySpike, double[] Calcium, double[] Baseline, double LogLikelihood) Enumerate(Chain chain, float[] y, MlSpikeGrid g)
    {
        int frames = y.Length, states = chain.States;
        var expected = new double[frames];
        var anySpike = new double[frames];
        var calcium = new double[frames];
        var baseline = new double[frames];
        double total = 0;
        var spikes = new int[frames];
        var path = new int[frames];
        void Walk(int t, int previous, double weight)
        {
            if (weight == 0) return;
            if (t == frames)
            {
                total += weight;
                for (int u = 0; u < frames; u++)
                {
                    expected[u] += weight * spikes[u];
                    if (spikes[u] > 0) anySpike[u] += weight;
                    calcium[u] += weight * g.Calcium(path[u] / chain.Baselines);
                    baseline[u] += weight * g.Baseline(path[u] % chain.Baselines);
                }
                return;
            }
            for (int n = 0; n <= chain.MaxSpikes; n++)
                for (int s = 0; s < states; s++)
                {
                    double move = chain.Transition(previous, n, s);
                    if (move == 0) continue;
                    spikes[t] = n;
                    path[t] = s;
                    Walk(t + 1, s, weight * move * Math.Exp(chain.LogGaussian(y[t], s)));
                }
        }
        for (int s = 0; s < states; s++) Walk(0, s, 1.0 / states);
        return (expected.Select(v => v / total).ToArray(), anySpike.Select(v => v / total).ToArray(),
            calcium.Select(v => v / total).ToArray(), baseline.Select(v => v / total).ToArray(), Math.Log(total));
    }

    /// <summary>Posterior expected spike counts and log-likelihood by dense forward–backward in doubles.</summary>
    public static (double[] Expected, double LogLikelihood) ForwardBackward(Chain chain, float[] y)
    {
        int frames = y.Length, states = chain.States, counts = chain.MaxSpikes + 1;
        var move = new double[counts, states, states];
        for (int n = 0; n < counts; n++)
            for (int s = 0; s < states; s++)
                for (int s2 = 0; s2 < states; s2++)
                    move[n, s, s2] = chain.Transition(s, n, s2);
        var alpha = new double[frames + 1, states];
        var scale = new double[frames];
        for (int s = 0; s < states; s++) alpha[0, s] = 1.0 / states;
        double logLikelihood = 0;
        for (int t = 0; t < frames; t++)
        {
            for (int s2 = 0; s2 < states; s2++)
            {
                double sum = 0;
                for (int s = 0; s < states; s++)
                    for (int n = 0; n < counts; n++) sum += alpha[t, s] * move[n, s, s2];
                alpha[t + 1, s2] = sum * Math.Exp(chain.LogGaussian(y[t], s2));
            }
            for (int s2 = 0; s2 < states; s2++) scale[t] += alpha[t + 1, s2];
            for (int s2 = 0; s2 < states; s2++) alpha[t + 1, s2] /= scale[t];
            logLikelihood += Math.Log(scale[t]);
        }
        var beta = new double[states];
        Array.Fill(beta, 1.0);
        var expected = new double[frames];
        for (int t = frames - 1; t >= 0; t--)
        {
            var mass = new double[counts];
            var previous = new double[states];
            for (int s = 0; s < states; s++)
                for (int n = 0; n < counts; n++)
                    for (int s2 = 0; s2 < states; s2++)
                    {
                        double v = move[n, s, s2] * Math.Exp(chain.LogGaussian(y[t], s2)) * beta[s2];
                        previous[s] += v;
                        mass[n] += alpha[t, s] * v;
                    }
            double total = mass.Sum();
            for (int n = 0; n < counts; n++) expected[t] += n * mass[n] / total;
            double norm = previous.Sum();
            for (int s = 0; s < states; s++) beta[s] = previous[s] / norm;
        }
        return (expected, logLikelihood);
    }

    /// <summary>
    /// The best path of the MAP problem by brute force: every initial grid state, spike train and baseline-level
    /// path, with continuous calcium <c>c_t = min(γ c_{t−1} + n_t, c_max)</c>. Returns its spikes and log joint.
    /// </summary>
    public static (int[] Spikes, double LogJoint) BruteForceMap(MlSpikeParameters p, MlSpikeGrid g, Chain chain, float[] y)
    {
        int frames = y.Length, counts = chain.MaxSpikes + 1, baselines = chain.Baselines;
        var logPrior = chain.SpikePrior.Select(v => Math.Log(v)).ToArray();
        double bestValue = double.NegativeInfinity;
        int[] best = [];
        var spikes = new int[frames];
        void Walk(int t, double c, int j, double value)
        {
            if (t == frames)
            {
                if (value > bestValue)
                {
                    bestValue = value;
                    best = (int[])spikes.Clone();
                }
                return;
            }
            for (int n = 0; n < counts; n++)
            {
                double x = Math.Min(p.Decay * c + n, g.CalciumMax);
                for (int j2 = 0; j2 < baselines; j2++)
                {
                    double move = chain.BaselineMove[j, j2];
                    if (move == 0) continue;
                    double residual = y[t] - p.MeanFluorescence(x, g.Baseline(j2));
                    double frame = logPrior[n] + Math.Log(move) - 0.5 * Math.Log(2 * Math.PI * p.NoiseSigma * p.NoiseSigma)
                        - 0.5 * residual * residual / (p.NoiseSigma * p.NoiseSigma);
                    spikes[t] = n;
                    Walk(t + 1, x, j2, value + frame);
                }
            }
        }
        double start = -Math.Log((double)chain.States);
        for (int i = 0; i < chain.Levels; i++)
            for (int j = 0; j < baselines; j++)
                Walk(0, g.Calcium(i), j, start);
        return (best, bestValue);
    }
}
