using DeepSpike.Baselines;
using DeepSpike.Generative;
using DeepSpike.Simulation;

namespace DeepSpike.Tests.Baselines;

public sealed class OasisEstimationTests
{
    private static float[] WhiteNoise(int frames, double sigma, int seed, double offset = 5)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, frames).Select(_ => (float)(offset + sigma * rng.NextGaussian())).ToArray();
    }

    [Theory]
    [InlineData(0.1, NoiseAveraging.Mean)]
    [InlineData(1.0, NoiseAveraging.Mean)]
    [InlineData(3.0, NoiseAveraging.Median)]
    [InlineData(0.5, NoiseAveraging.LogMeanExp)]
    public void NoiseSigma_WhiteNoise_WithinTenPercent(double sigma, NoiseAveraging averaging)
    {
        double estimate = OasisEstimation.NoiseSigma(WhiteNoise(10_000, sigma, 1), averaging);
        Assert.InRange(estimate / sigma, 0.9, 1.1);
    }

    /// <summary>The band 0.25–0.5 cycles/frame also holds some calcium power, so σ is overestimated when the
    /// noise is small against the transients; at the paper's SNR (2–5) it is close.</summary>
    [Fact]
    public void NoiseSigma_SimulatedCalciumTrace_NearTheTrueNoise()
    {
        var data = OasisDeconvolveTests.Simulate(1, 10_000, 2, ScfSimulationProtocol.Paper);
        double truth = data.Meta.Traces![0].Parameters["sigma"];
        Assert.InRange(OasisEstimation.NoiseSigma(data.Calcium.Traces[0]) / truth, 0.9, 1.1);
    }

    [Theory]
    [InlineData(10_000)] // 77 segments of 256 frames, FFT path: 4 full batches of 16 and a part with an odd count
    [InlineData(2_176)]  // exactly one batch of 16 segments
    [InlineData(64)]     // one power-of-two segment of 64 frames
    [InlineData(100)]    // one segment of 100 frames, direct DFT path
    [InlineData(333)]
    public void NoiseSigma_MatchesADirectWelchComputation(int frames)
    {
        var y = OasisDeconvolveTests.Simulate(1, frames, 3).Calcium.Traces[0];
        foreach (var averaging in Enum.GetValues<NoiseAveraging>())
            Assert.Equal(ReferenceWelchSigma(y, averaging), OasisEstimation.NoiseSigma(y, averaging), 10);
    }

    /// <summary>
    /// scipy.signal.welch(y) defaults written out as loops: segments of min(256, T), 50 % overlap, periodic
    /// Hann window, segment mean removed, one-sided density at fs = 1; then σ = √(avg over 0.25 &lt; f &lt; 0.5 of P/2).
    /// </summary>
    private static double ReferenceWelchSigma(float[] y, NoiseAveraging averaging)
    {
        int n = Math.Min(256, y.Length), step = n - n / 2, segments = (y.Length - n / 2) / step;
        var window = Enumerable.Range(0, n).Select(i => 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n)).ToArray();
        double windowPower = window.Sum(w => w * w);
        var bins = Enumerable.Range(0, n / 2 + 1).Where(k => (double)k / n > 0.25 && (double)k / n < 0.5).ToArray();
        var psd = new double[bins.Length];
        for (int s = 0; s < segments; s++)
        {
            var seg = y.Skip(s * step).Take(n).Select(v => (double)v).ToArray();
            double mean = seg.Average();
            for (int b = 0; b < bins.Length; b++)
            {
                double re = 0, im = 0;
                for (int i = 0; i < n; i++)
                {
                    double x = (seg[i] - mean) * window[i];
                    re += x * Math.Cos(2 * Math.PI * bins[b] * i / n);
                    im -= x * Math.Sin(2 * Math.PI * bins[b] * i / n);
                }
                psd[b] += 2 * (re * re + im * im) / windowPower / segments;
            }
        }
        var half = psd.Select(p => p / 2).OrderBy(p => p).ToArray();
        double variance = averaging switch
        {
            NoiseAveraging.Mean => half.Average(),
            NoiseAveraging.Median => half.Length % 2 == 1 ? half[half.Length / 2] : (half[half.Length / 2 - 1] + half[half.Length / 2]) / 2,
            _ => Math.Exp(half.Average(Math.Log)),
        };
        return Math.Sqrt(variance);
    }

    /// <summary>With the true σ the autocovariance equations hold exactly in expectation: a long trace gives γ.</summary>
    [Theory]
    [InlineData(0.9)]
    [InlineData(0.97)]
    public void ArCoefficients_LongAr1TraceWithTrueNoise_NearTruth(double gamma)
    {
        var rng = new Random(4);
        var y = new float[100_000];
        double c = 0;
        for (int t = 0; t < y.Length; t++)
        {
            c = gamma * c + (rng.NextDouble() < 0.1 ? 1 : 0);
            y[t] = (float)(c + 0.3 * rng.NextGaussian());
        }
        Assert.Equal(gamma, OasisEstimation.ArCoefficients(y, 1, 0.3)[0], 2);
    }

    /// <summary>
    /// AR(1) against the documented formula written out with plain loops: autocovariance of the centred trace,
    /// then <c>γ = Σ_i a_i a_{i+1} / Σ_i a_i²</c> over <c>i &lt; 1 + extraLags</c> with σ² taken off lag 0.
    /// Lengths and lag counts cover a partial vector tail, traces barely longer than the lags, and several passes.
    /// </summary>
    [Theory]
    [InlineData(10_000, 10)]
    [InlineData(33, 10)]
    [InlineData(40, 30)]
    [InlineData(1_001, 25)]
    [InlineData(1_000, 0)]
    public void ArCoefficients_Ar1_MatchesAPlainLoopComputation(int frames, int extraLags)
    {
        var y = OasisDeconvolveTests.Simulate(1, frames, 7).Calcium.Traces[0];
        const double sigma = 0.2;
        double mean = y.Average(v => (double)v);
        var acov = new double[extraLags + 2];
        for (int k = 0; k < acov.Length; k++)
            for (int t = k; t < y.Length; t++) acov[k] += (y[t] - mean) * (y[t - k] - mean) / y.Length;
        double num = 0, den = 0;
        for (int i = 0; i <= extraLags; i++)
        {
            double a = acov[i] - (i == 0 ? sigma * sigma : 0);
            num += a * acov[i + 1];
            den += a * a;
        }
        double ratio = num / den, gamma = ratio > 1 ? 0.95 : ratio < 0 ? 0.15 : ratio; // roots outside [0, 1] are reset
        Assert.Equal(gamma * 0.98, OasisEstimation.ArCoefficients(y, 1, sigma, extraLags, 0.98)[0], 10);
    }

    /// <summary>The whole estimation (σ from the spectrum, then γ) on the paper's simulated cells.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ArCoefficients_SimulatedScfTraceWithEstimatedNoise_NearTruth(int seed)
    {
        var data = ScfSimulationProtocol.Paper.Simulate(1, [3.0], 50_000, 60, seed);
        var y = data.Calcium.Traces[0];
        double[] g = OasisEstimation.ArCoefficients(y, 1, OasisEstimation.NoiseSigma(y));
        Assert.InRange(g[0] - data.Meta.Traces![0].Parameters["gamma1"], -0.01, 0.01);
    }

    [Fact]
    public void ArCoefficients_LongAr2Trace_RootsNearTruth()
    {
        const double d = 0.95, r = 0.6;
        var rng = new Random(5);
        var y = new float[200_000];
        double c1 = 0, c2 = 0;
        for (int t = 0; t < y.Length; t++)
        {
            double c = (d + r) * c1 - d * r * c2 + (rng.NextDouble() < 0.1 ? 1 : 0);
            (c2, c1) = (c1, c);
            y[t] = (float)(c + 0.3 * rng.NextGaussian());
        }
        double[] g = OasisEstimation.ArCoefficients(y, 2, 0.3);
        double disc = Math.Sqrt(g[0] * g[0] + 4 * g[1]);
        Assert.Equal(d, (g[0] + disc) / 2, 2);
        Assert.Equal(r, (g[0] - disc) / 2, 1);
    }

    [Fact]
    public void ArCoefficients_Shrinkage_ScalesTheRoots()
    {
        var y = OasisDeconvolveTests.Simulate(1, 5000, 6).Calcium.Traces[0];
        double g = OasisEstimation.ArCoefficients(y, 1, 0.2)[0];
        Assert.Equal(0.98 * g, OasisEstimation.ArCoefficients(y, 1, 0.2, shrinkage: 0.98)[0], 12);
    }

    [Fact]
    public void ArCoefficients_WhiteNoise_GivesAValidKernel()
    {
        foreach (int order in new[] { 1, 2 })
        {
            double[] g = OasisEstimation.ArCoefficients(WhiteNoise(5000, 1, 7), order, 1.0);
            // Whatever the estimate, the solver must accept it.
            var r = Oasis.Solve(WhiteNoise(100, 1, 8), g, 1.0);
            Assert.Equal(100, r.Calcium.Length);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void ArCoefficients_BadOrder_Throws(int order) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OasisEstimation.ArCoefficients(WhiteNoise(100, 1, 1), order, 1));

    [Fact]
    public void NoiseSigma_NaN_ThrowsNamingTheFrame()
    {
        var y = WhiteNoise(100, 1, 1);
        y[17] = float.NaN;
        Assert.Contains("frame 17", Assert.Throws<ArgumentException>(() => OasisEstimation.NoiseSigma(y)).Message);
    }
}
