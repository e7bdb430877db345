using DeepSpike.Baselines;
using DeepSpike.Generative;

namespace DeepSpike.Tests.Baselines;

public sealed class OasisSolveTests
{
    private const double Baseline = 0.5;

    /// <summary>A short trace: kernel response to a few random spikes, a baseline and Gaussian noise.</summary>
    internal static double[] ShortTrace(int frames, double[] ar, double noise, int seed)
    {
        var rng = new Random(seed);
        var c = new double[frames];
        for (int t = 0; t < frames; t++)
        {
            double s = rng.NextDouble() < 0.15 ? 0.5 + rng.NextDouble() : 0;
            if (t == 0) s += 0.8; // calcium left over from before the recording
            c[t] = s;
            for (int k = 1; k <= ar.Length; k++) if (t - k >= 0) c[t] += ar[k - 1] * c[t - k];
        }
        return c.Select(v => Baseline + v + noise * rng.NextGaussian()).ToArray();
    }

    public static TheoryData<double[], double, int> Problems() => new()
    {
        { [0.9], 0.0, 1 },
        { [0.9], 0.3, 2 },
        { [0.9], 1.0, 3 },
        { [0.7], 0.2, 4 },
        { [0.9 + 0.5, -0.9 * 0.5], 0.0, 5 },
        { [0.9 + 0.5, -0.9 * 0.5], 0.3, 6 },
        { [0.95 + 0.3, -0.95 * 0.3], 1.0, 7 },
        { [0.8 + 0.6, -0.8 * 0.6], 0.1, 8 },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Solve_ShortTrace_MatchesBruteForceOptimum(double[] ar, double lambda, int seed)
    {
        var y = ShortTrace(30, ar, 0.3, seed);
        var result = Oasis.Solve(y.Select(v => (float)v).ToArray(), ar, lambda, Baseline);
        var reference = BruteForceDeconvolution.Solve(y, ar, lambda, Baseline);

        double[] c = result.Calcium.Select(v => (double)v).ToArray();
        double f = BruteForceDeconvolution.Objective(y, c, ar, lambda, Baseline);
        double fRef = BruteForceDeconvolution.Objective(y, reference, ar, lambda, Baseline);
        Assert.True(Math.Abs(f - fRef) <= 1e-5 * (1 + Math.Abs(fRef)), $"objective {f} vs brute force {fRef}");
        for (int t = 0; t < y.Length; t++) Assert.Equal(reference[t], c[t], 3);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    public void Solve_OneToThreeFrames_MatchesBruteForceOptimum(int frames, int order)
    {
        double[] ar = order == 1 ? [0.9] : [0.9 + 0.5, -0.9 * 0.5];
        var y = ShortTrace(frames, ar, 0.3, frames + 10 * order);
        var result = Oasis.Solve(y.Select(v => (float)v).ToArray(), ar, 0.2, Baseline);
        var reference = BruteForceDeconvolution.Solve(y, ar, 0.2, Baseline);
        for (int t = 0; t < frames; t++) Assert.Equal(reference[t], result.Calcium[t], 4);
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void Solve_ShortTrace_SpikesAreNonNegativeAndReproduceCalcium(double[] ar, double lambda, int seed)
    {
        var y = ShortTrace(30, ar, 0.3, seed);
        var result = Oasis.Solve(y.Select(v => (float)v).ToArray(), ar, lambda, Baseline);
        Assert.All(result.Spikes, s => Assert.True(s >= 0));
        Assert.All(result.Calcium, c => Assert.True(c >= 0));
        // c_t = Σ γ_k c_{t−k} + s_t from frame p on (frame 0 and, for AR(2), the decay before the first spike are the initial calcium).
        for (int t = ar.Length; t < y.Length; t++)
        {
            double predicted = result.Spikes[t];
            for (int k = 1; k <= ar.Length; k++) predicted += ar[k - 1] * result.Calcium[t - k];
            if (ar.Length == 2 && result.Spikes[t] == 0 && IsInitialDecay(result, t)) continue;
            Assert.Equal(predicted, result.Calcium[t], 4);
        }
    }

    private static bool IsInitialDecay(DeconvolutionResult result, int t)
    {
        for (int k = 1; k <= t; k++) if (result.Spikes[k] > 0) return false;
        return true;
    }

    /// <summary>
    /// With s_min &gt; 0 the problem is not convex and OASIS is greedy (Friedrich et al. 2017 call it an
    /// approximation): the enumerated global optimum can be lower. What holds exactly: every spike is 0 or
    /// ≥ s_min, and c is the optimum among traces with the same spike frames.
    /// </summary>
    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.5)]
    [InlineData(3, 1.0)]
    public void Solve_Ar1WithMinSpikeSize_FeasibleAndOptimalOnItsSupport(int seed, double minSpike)
    {
        double[] ar = [0.8];
        var y = ShortTrace(12, ar, 0.3, seed);
        var result = Oasis.Solve(y.Select(v => (float)v).ToArray(), ar, 0.1, Baseline, minSpike);
        Assert.All(result.Spikes, s => Assert.True(s == 0 || s >= minSpike - 1e-5, $"spike {s} below s_min {minSpike}"));
        var support = result.Spikes.Select(s => s > 0).ToArray();
        var reference = BruteForceDeconvolution.Solve(y, ar, 0.1, Baseline, support, minSpike);
        double f = BruteForceDeconvolution.Objective(y, result.Calcium.Select(v => (double)v).ToArray(), ar, 0.1, Baseline);
        double fSupport = BruteForceDeconvolution.Objective(y, reference, ar, 0.1, Baseline);
        Assert.True(Math.Abs(f - fSupport) <= 1e-5 * (1 + fSupport), $"OASIS objective {f} vs best on its support {fSupport}");
        double fGlobal = BruteForceDeconvolution.Objective(y, BruteForceDeconvolution.SolveWithMinSpike(y, ar, 0.1, Baseline, minSpike), ar, 0.1, Baseline);
        Assert.True(fGlobal <= f + 1e-5, $"enumeration {fGlobal} worse than OASIS {f}: the reference is wrong");
    }
}
