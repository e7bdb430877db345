using DeepSpike.Engine;
using DeepSpike.Generative;
using DeepSpike.Training;

namespace DeepSpike.Tests.Training;

/// <summary>
/// The IWAE bound and the VIMCO gradient against exact enumeration on a 4-frame problem: 16 spike
/// trains, so log p(f) and the K-sample bound L^K (all 16^K sample tuples) are computed exactly.
/// </summary>
public sealed class ImportanceWeightedBoundTests
{
    private const int Frames = 4;
    private const int Trains = 1 << Frames;
    // The first frames sit below the baseline, so the chunk's initial calcium is 0 for all nearby θ.
    private static readonly float[] Fluorescence = [-0.2f, 0.1f, 1.1f, 0.6f];
    private static readonly float[] Logits = [-1.0f, -0.5f, 0.8f, -1.5f];

    private static readonly ScfModel Model = new();

    private static GenerativeParameters Theta() =>
        Model.FromPhysical(new ScfParameters([0.7], Alpha: 1.0, Delta: 1.0, Beta: 0.5, Sigma: 0.5, SpikeRateHz: 12), frameRateHz: 60);

    /// <summary>All 16 spike trains as a [16, 1, T] tensor.</summary>
    private static Tensor AllTrains()
    {
        var s = new float[Trains * Frames];
        for (int n = 0; n < Trains; n++)
            for (int t = 0; t < Frames; t++) s[n * Frames + t] = (n >> t & 1) == 1 ? 1f : 0f;
        return new Tensor(s, Trains, 1, Frames);
    }

    /// <summary>log p(f, s) and log q(s) for every train, in double precision.</summary>
    private static (double[] LogJoint, double[] LogQ) Enumerate(GenerativeParameters theta, float[] logits)
    {
        var trains = AllTrains();
        var f = new Tensor(Fluorescence, 1, Frames);
        var joint = Ops.Add(Model.LogLikelihood(theta, f, trains), BernoulliSpikePrior.LogProb(theta, trains));
        var logQ = new double[Trains];
        for (int n = 0; n < Trains; n++)
            for (int t = 0; t < Frames; t++)
            {
                double a = logits[t], p = 1 / (1 + Math.Exp(-a));
                logQ[n] += trains.Data[n * Frames + t] == 1 ? Math.Log(p) : Math.Log(1 - p);
            }
        return (joint.Data.Select(v => (double)v).ToArray(), logQ);
    }

    private static double ExactLogEvidence(GenerativeParameters theta)
    {
        var (joint, _) = Enumerate(theta, Logits);
        return ImportanceWeightedBound.LogMeanExp(joint) + Math.Log(Trains);
    }

    /// <summary>L^K = Σ over all K-tuples of Π q(s^k) · log (1/K) Σ_k p(f, s^k)/q(s^k).</summary>
    private static double ExactBound(int k, GenerativeParameters theta, float[] logits)
    {
        var (joint, logQ) = Enumerate(theta, logits);
        var w = new double[k];
        var idx = new int[k];
        double total = 0;
        int tuples = (int)Math.Pow(Trains, k);
        for (int m = 0; m < tuples; m++)
        {
            int rest = m;
            double logProb = 0;
            for (int i = 0; i < k; i++) { idx[i] = rest % Trains; rest /= Trains; logProb += logQ[idx[i]]; w[i] = joint[idx[i]] - logQ[idx[i]]; }
            total += Math.Exp(logProb) * ImportanceWeightedBound.LogMeanExp(w);
        }
        return total;
    }

    [Fact]
    public void ExactBound_IncreasingK_RisesTowardLogEvidence()
    {
        var theta = Theta();
        double evidence = ExactLogEvidence(theta);
        double l1 = ExactBound(1, theta, Logits), l2 = ExactBound(2, theta, Logits), l3 = ExactBound(3, theta, Logits);
        Assert.True(l1 < l2 && l2 < l3, $"L1={l1}, L2={l2}, L3={l3} should increase");
        Assert.True(l3 <= evidence + 1e-9, $"L3={l3} exceeds log p(f)={evidence}");
    }

    [Fact]
    public void EstimatedBound_ManyDraws_MatchesExactBoundAndStaysBelowEvidence()
    {
        var theta = Theta();
        double evidence = ExactLogEvidence(theta);
        double previous = double.NegativeInfinity;
        foreach (int k in new[] { 2, 3, 16, 256 })
        {
            var rng = new Random(k);
            int draws = 4000;
            double sum = 0, sumSq = 0;
            for (int d = 0; d < draws; d++)
            {
                var estimate = Draw(theta, Logits, k, rng).Bound.BoundPerChunk[0];
                sum += estimate; sumSq += estimate * estimate;
            }
            double mean = sum / draws, se = Math.Sqrt((sumSq / draws - mean * mean) / draws);
            Assert.True(mean <= evidence + 4 * se, $"K={k}: estimate {mean} ± {se} above log p(f) {evidence}");
            Assert.True(mean > previous - 4 * se, $"K={k}: estimate {mean} did not rise from {previous}");
            if (k <= 3)
            {
                double exact = ExactBound(k, theta, Logits);
                Assert.True(Math.Abs(mean - exact) < 4 * se + 1e-4, $"K={k}: estimate {mean} ± {se} vs exact {exact}");
            }
            previous = mean;
        }
        Assert.True(evidence - previous < 0.05, $"K=256 bound {previous} should be close to log p(f) {evidence}");
    }

    [Fact]
    public void VimcoGradient_AveragedOverDraws_MatchesExactGradientOfBound()
    {
        const int k = 3, draws = 40_000;
        var theta = Theta();
        var rng = new Random(123);
        string[] thetaNames = ["log_alpha", "beta", "log_sigma", "ar_root_logits", BernoulliSpikePrior.ParameterName];
        int dims = Frames + thetaNames.Length;
        var sum = new double[dims];
        var sumSq = new double[dims];
        for (int d = 0; d < draws; d++)
        {
            var (bound, logits) = Draw(theta, Logits, k, rng, backward: true);
            for (int i = 0; i < dims; i++)
            {
                // The surrogate is −L̂/(B·T) with B = 1: undo the scale and sign.
                double g = -Frames * (i < Frames ? logits.Grad![i] : theta[thetaNames[i - Frames]].Grad![0]);
                sum[i] += g; sumSq[i] += g * g;
            }
            foreach (var (_, p) in theta.NamedParameters()) p.ZeroGrad();
        }
        for (int i = 0; i < dims; i++)
        {
            double exact = i < Frames ? FiniteDifferenceLogits(k, theta, i) : FiniteDifferenceTheta(k, theta, thetaNames[i - Frames]);
            double mean = sum[i] / draws, se = Math.Sqrt((sumSq[i] / draws - mean * mean) / draws);
            string what = i < Frames ? $"logit[{i}]" : thetaNames[i - Frames];
            Assert.True(Math.Abs(mean - exact) < 4 * se + 2e-3, $"{what}: VIMCO mean {mean:G5} ± {se:G3} vs exact {exact:G5}");
        }
    }

    private static (BoundEstimate Bound, Tensor Logits) Draw(GenerativeParameters theta, float[] logits, int k, Random rng, bool backward = false)
    {
        using var tape = new Tape();
        var a = Tensor.Parameter((float[])logits.Clone(), 1, Frames);
        var s = new float[k * Frames];
        for (int i = 0; i < s.Length; i++) s[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-logits[i % Frames])) ? 1f : 0f;
        var spikes = new Tensor(s, k, 1, Frames);
        var joint = Ops.Add(Model.LogLikelihood(theta, new Tensor(Fluorescence, 1, Frames), spikes), BernoulliSpikePrior.LogProb(theta, spikes));
        var bound = ImportanceWeightedBound.Vimco(joint, Ops.BernoulliLogProb(a, spikes), Frames);
        if (backward) tape.Backward(bound.Surrogate);
        return (bound, a);
    }

    private static double FiniteDifferenceLogits(int k, GenerativeParameters theta, int t)
    {
        const float h = 1e-2f;
        var plus = (float[])Logits.Clone(); plus[t] += h;
        var minus = (float[])Logits.Clone(); minus[t] -= h;
        return (ExactBound(k, theta, plus) - ExactBound(k, theta, minus)) / (2 * h);
    }

    private static double FiniteDifferenceTheta(int k, GenerativeParameters theta, string name)
    {
        const float h = 1e-2f;
        var plus = theta.Clone(); plus[name].Data[0] += h;
        var minus = theta.Clone(); minus[name].Data[0] -= h;
        return (ExactBound(k, plus, Logits) - ExactBound(k, minus, Logits)) / (2 * h);
    }

    [Fact]
    public void Vimco_NoSampleExplainsAChunk_GradientsStayFinite()
    {
        using var tape = new Tape();
        var joint = Enumerable.Repeat(float.NegativeInfinity, 4 * 2).ToArray();
        joint[1] = -3f; joint[3] = -2f; // chunk 1 has finite samples, chunk 0 none
        var logJoint = Tensor.Parameter(joint, 4, 2);
        var logQ = Tensor.Parameter(new float[8], 4, 2);
        var bound = ImportanceWeightedBound.Vimco(logJoint, logQ, 10);
        tape.Backward(bound.Surrogate);
        Assert.True(double.IsNegativeInfinity(bound.BoundPerChunk[0]));
        Assert.All(logJoint.Grad!, g => Assert.True(float.IsFinite(g)));
        Assert.All(logQ.Grad!, g => Assert.True(float.IsFinite(g)));
        Assert.Equal(0f, logQ.Grad![0]); // chunk 0 contributes nothing
    }
}
