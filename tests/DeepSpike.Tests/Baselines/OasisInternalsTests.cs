using System.Runtime.Intrinsics;
using DeepSpike.Baselines;
using DeepSpike.Generative;

namespace DeepSpike.Tests.Baselines;

public sealed class OasisInternalsTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(256)]
    public void Fft_EveryLane_MatchesADirectDft(int n)
    {
        const int lanes = 8;
        var rng = new Random(n);
        var x = new double[lanes, n];
        var y = new double[lanes, n];
        var re = new Vector512<double>[n];
        var im = new Vector512<double>[n];
        for (int t = 0; t < n; t++)
        {
            var (r, i) = (new double[lanes], new double[lanes]);
            for (int j = 0; j < lanes; j++)
            {
                x[j, t] = r[j] = rng.NextDouble() - 0.5;
                y[j, t] = i[j] = rng.NextDouble() - 0.5;
            }
            re[t] = Vector512.Create(r);
            im[t] = Vector512.Create(i);
        }
        var fft = Fft.ForSize(n);
        fft.ForwardLanesToBitReversed(re, im);
        for (int j = 0; j < lanes; j++)
        {
            for (int k = 0; k < n; k++)
            {
                double xr = 0, xi = 0;
                for (int t = 0; t < n; t++)
                {
                    double angle = -2 * Math.PI * k * t / n;
                    xr += x[j, t] * Math.Cos(angle) - y[j, t] * Math.Sin(angle);
                    xi += x[j, t] * Math.Sin(angle) + y[j, t] * Math.Cos(angle);
                }
                Assert.Equal(xr, re[fft.BitReversal[k]][j], 9);
                Assert.Equal(xi, im[fft.BitReversal[k]][j], 9);
            }
        }
    }

    /// <summary>With s_min = 0 the problem is convex and every order of merges ends at its unique minimiser.</summary>
    [Fact]
    public void Ar1Solver_RestartsFromKeptSolves_MatchFreshSolves()
    {
        var rng = new Random(5);
        var y = new double[3000];
        double c = 0;
        for (int t = 0; t < y.Length; t++)
        {
            c = 0.95 * c + (rng.NextDouble() < 0.02 ? 1 + rng.NextDouble() : 0);
            y[t] = c + 0.2 * (rng.NextDouble() - 0.5);
        }
        // Shifts climbing and falling back: restarts from the latest kept solve, from the lowest, and from scratch;
        // a repeated shift with a new λ on the last frame (the search's lag update) restarts without a shift.
        (double Shift, double BoundaryLambda)[] solves =
            [(-0.3, 0.5), (-0.1, 0.5), (-0.1, 2.0), (0.05, 2.0), (-0.2, 0.5), (0.1, 1.0), (-0.05, 1.0), (-0.05, 0.0), (0.2, 0.0), (-0.4, 0.5), (0.0, 0.5)];
        using var warm = new OasisAr1Solver(y, 0.95, 0);
        foreach (var (shift, boundaryLambda) in solves)
        {
            var sums = warm.Solve(shift, boundaryLambda);
            if (shift < 0.1) warm.KeepAsLowerBound();
            using var fresh = new OasisAr1Solver(y, 0.95, 0);
            var expected = fresh.Solve(shift, boundaryLambda);
            Assert.Equal(expected.C, sums.C, 8);
            Assert.Equal(expected.YC, sums.YC, 8);
            Assert.Equal(expected.CC, sums.CC, 8);
            Assert.Equal(expected.U, sums.U, 8);
            Assert.Equal(expected.UU, sums.UU, 8);
            Assert.Equal(expected.YU, sums.YU, 8);
            var (c1, s1, c2, s2) = (new double[y.Length], new double[y.Length], new double[y.Length], new double[y.Length]);
            warm.Materialize(c1, s1);
            fresh.Materialize(c2, s2);
            for (int t = 0; t < y.Length; t++)
            {
                Assert.Equal(c2[t], c1[t], 9);
                Assert.Equal(s2[t], s1[t], 9);
            }
            var (f1, g1) = (new float[y.Length], new float[y.Length]);
            warm.Materialize(f1, g1);
            for (int t = 0; t < y.Length; t++)
            {
                Assert.Equal((float)c1[t], f1[t]);
                Assert.Equal((float)s1[t], g1[t]);
            }
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void Ar1Solver_SpikesFromPools_MatchTheCalciumDifferences(double minSpikeSize)
    {
        var rng = new Random(11);
        var y = new double[2000];
        double c = 0;
        for (int t = 0; t < y.Length; t++)
        {
            c = 0.9 * c + (rng.NextDouble() < 0.03 ? 1 + rng.NextDouble() : 0);
            y[t] = c + 0.3 * (rng.NextDouble() - 0.5);
        }
        using var solver = new OasisAr1Solver(y, 0.9, minSpikeSize);
        solver.Solve(0.05, 0.1);
        var (calcium, spikes) = (new double[y.Length], new double[y.Length]);
        solver.Materialize(calcium, spikes);
        var (calciumF, spikesF, spikesOnly) = (new float[y.Length], new float[y.Length], new float[y.Length]);
        solver.Materialize(calciumF, spikesF);
        solver.MaterializeSpikes(spikesOnly);
        Assert.Equal(0, spikes[0]);
        for (int t = 1; t < y.Length; t++)
        {
            // Reference: s_t = c_t − γ c_{t−1} from the calcium (0 inside pools up to rounding).
            Assert.Equal(Math.Max(0, calcium[t] - 0.9 * calcium[t - 1]), spikes[t], 9);
            Assert.Equal((float)spikes[t], spikesF[t]);
            Assert.Equal(spikesF[t], spikesOnly[t]);
        }
        Assert.Contains(spikes, s => s > 0.5);
    }

    /// <summary>
    /// The solver's sums against sums over the materialized solution: C, YC, CC directly, and U, UU, YU with
    /// u = −∂c/∂φ by a finite difference (a tiny shift keeps every pool).
    /// </summary>
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.0, 0.7)]
    [InlineData(0.25, 0.3)]
    public void Ar1Solver_Sums_MatchSumsOverTheSolution(double minSpikeSize, double boundaryLambda)
    {
        var rng = new Random(17);
        var y = new double[1999];
        double c = 0;
        for (int t = 0; t < y.Length; t++)
        {
            c = 0.93 * c + (rng.NextDouble() < 0.03 ? 1 + rng.NextDouble() : 0);
            y[t] = 2 + c + 0.3 * (rng.NextDouble() - 0.5);
        }
        const double shift = 2.05, step = 1e-7;
        using var solver = new OasisAr1Solver(y, 0.93, minSpikeSize);
        var (c0, s0, c1, s1) = (new double[y.Length], new double[y.Length], new double[y.Length], new double[y.Length]);
        solver.Solve(shift + step, boundaryLambda);
        solver.Materialize(c1, s1);
        var sums = solver.Solve(shift, boundaryLambda);
        solver.Materialize(c0, s0);
        double C = 0, YC = 0, CC = 0, U = 0, UU = 0, YU = 0;
        for (int t = 0; t < y.Length; t++)
        {
            double u = (c0[t] - c1[t]) / step;
            (C, YC, CC) = (C + c0[t], YC + y[t] * c0[t], CC + c0[t] * c0[t]);
            (U, UU, YU) = (U + u, UU + u * u, YU + y[t] * u);
        }
        Assert.Equal(1, sums.C / C, 12);
        Assert.Equal(1, sums.YC / YC, 12);
        Assert.Equal(1, sums.CC / CC, 12);
        Assert.Equal(1, sums.U / U, 5);
        Assert.Equal(1, sums.UU / UU, 5);
        Assert.Equal(1, sums.YU / YU, 5);
        Assert.Equal(sums.C, sums.CU, 9);
    }

    /// <summary>
    /// Long passes (two interleaved chains joined in the middle when s_min = 0) against the optimality conditions
    /// of <c>min ½‖ỹ − c‖²</c> over the cone, in the spike variables <c>c = H s</c>, <c>s ≥ 0</c>: the gradient
    /// <c>g_t = Σ_{k≥t} γ^{k−t} (c_k − ỹ_k)</c> is ≥ 0 everywhere and 0 where <c>s_t &gt; 0</c>. Shifts from far
    /// below to above the data make the second half's pools merge from not at all to all the way down.
    /// </summary>
    [Theory]
    [InlineData(5000, -1.0)]
    [InlineData(5000, 0.0)]
    [InlineData(5001, 0.3)]
    [InlineData(5000, 1.5)]
    [InlineData(5000, 4.0)]
    [InlineData(700, 0.1)]
    public void Ar1Solver_LongTrace_SatisfiesTheOptimalityConditions(int frames, double shift)
    {
        const double gamma = 0.95, boundaryLambda = 0.4;
        var rng = new Random(frames + (int)(10 * shift));
        var y = new double[frames];
        double calcium = 0;
        for (int t = 0; t < frames; t++)
        {
            calcium = gamma * calcium + (rng.NextDouble() < 0.02 ? 1 + rng.NextDouble() : 0);
            y[t] = calcium + 0.3 * rng.NextGaussian() + (t > frames / 2 && t < frames / 2 + 200 ? -1.5 : 0);
        }
        using var solver = new OasisAr1Solver(y, gamma, 0);
        solver.Solve(shift, boundaryLambda);
        var (c, s) = (new double[frames], new double[frames]);
        solver.Materialize(c, s);

        double gradient = 0, scale = 1e-9 * frames;
        for (int t = frames - 1; t >= 0; t--)
        {
            double target = y[t] - shift - (t == frames - 1 ? boundaryLambda * gamma : 0);
            gradient = c[t] - target + gamma * gradient;
            double spike = t == 0 ? c[0] : c[t] - gamma * c[t - 1];
            Assert.True(spike >= -1e-12, $"s_{t} = {spike} < 0");
            Assert.True(gradient >= -scale, $"gradient {gradient} < 0 at frame {t}");
            if (spike > 1e-9) Assert.True(gradient <= scale, $"gradient {gradient} ≠ 0 at frame {t} with spike {spike}");
        }
    }
}
