namespace DeepSpike.Tests.Baselines;

/// <summary>
/// Reference solver for the OASIS problem, written from its definition and nothing else:
/// <c>min ½‖y − b − c‖² + λ Σ_t (G c)_t</c> over <c>c = a·d^t + Σ_{τ≥1} s_τ h_{·−τ}</c>, a ≥ 0 and every
/// s_τ either 0 or ≥ s_min; solved by projected coordinate descent on (a, s) (exact for the convex case,
/// checked through its KKT conditions) and by enumerating spike supports when s_min &gt; 0.
/// </summary>
internal static class BruteForceDeconvolution
{
    /// <summary>The objective, with <c>(Gc)_t = c_t − Σ_k γ_k c_{t−k}</c> and <c>c_{−k} = 0</c>.</summary>
    public static double Objective(IReadOnlyList<double> y, IReadOnlyList<double> c, double[] ar, double lambda, double baseline)
    {
        double fit = 0;
        for (int t = 0; t < y.Count; t++)
        {
            double r = y[t] - baseline - c[t];
            fit += r * r;
        }
        return 0.5 * fit + lambda * SpikeSum(c, ar);
    }

    /// <summary><c>Σ_t (Gc)_t</c> with <c>c_{−k} = 0</c>.</summary>
    public static double SpikeSum(IReadOnlyList<double> c, double[] ar)
    {
        double sum = 0;
        for (int t = 0; t < c.Count; t++)
        {
            double s = c[t];
            for (int k = 1; k <= ar.Length; k++) if (t - k >= 0) s -= ar[k - 1] * c[t - k];
            sum += s;
        }
        return sum;
    }

    /// <summary>Column 0: the pre-recording calcium d^t; column τ ≥ 1: the impulse response starting at τ.</summary>
    public static double[][] Columns(int frames, double[] ar)
    {
        double d = ar.Length == 1 ? ar[0] : (ar[0] + Math.Sqrt(ar[0] * ar[0] + 4 * ar[1])) / 2;
        var columns = new double[frames][];
        columns[0] = new double[frames];
        for (int t = 0; t < frames; t++) columns[0][t] = Math.Pow(d, t);
        for (int tau = 1; tau < frames; tau++)
        {
            var h = new double[frames];
            for (int t = tau; t < frames; t++)
            {
                double v = t == tau ? 1 : 0;
                for (int k = 1; k <= ar.Length; k++) if (t - k >= tau) v += ar[k - 1] * h[t - k];
                h[t] = v;
            }
            columns[tau] = h;
        }
        return columns;
    }

    /// <summary>
    /// Minimises over coefficients x (x_0 ≥ 0; x_i ≥ lower_i for i in the support, 0 outside) by cyclic
    /// coordinate descent; returns c = Σ x_i column_i.
    /// </summary>
    public static double[] Solve(double[] y, double[] ar, double lambda, double baseline, bool[]? support = null, double minSpike = 0, int sweeps = 20000)
    {
        int n = y.Length;
        var columns = Columns(n, ar);
        var penalty = new double[n];
        var norms = new double[n];
        for (int i = 0; i < n; i++)
        {
            penalty[i] = SpikeSum(columns[i], ar);
            norms[i] = SumSquares(columns[i]);
        }
        var x = new double[n];
        var residual = new double[n]; // y − b − c
        for (int t = 0; t < n; t++) residual[t] = y[t] - baseline;
        for (int i = 1; i < n; i++)
        {
            if (support is not null && support[i]) Move(i, minSpike);
        }
        for (int sweep = 0; sweep < sweeps; sweep++)
        {
            double largest = 0;
            for (int i = 0; i < n; i++)
            {
                bool free = i == 0 || support is null || support[i];
                if (!free) continue;
                double lower = i == 0 || support is null ? 0 : minSpike;
                double gradient = -Dot(columns[i], residual) + lambda * penalty[i];
                double next = Math.Max(lower, x[i] - gradient / norms[i]);
                largest = Math.Max(largest, Math.Abs(next - x[i]));
                Move(i, next);
            }
            if (largest < 1e-14) break;
        }
        var c = new double[n];
        for (int t = 0; t < n; t++) c[t] = y[t] - baseline - residual[t];
        return c;

        void Move(int i, double value)
        {
            double delta = value - x[i];
            if (delta == 0) return;
            x[i] = value;
            for (int t = 0; t < n; t++) residual[t] -= delta * columns[i][t];
        }
    }

    /// <summary>Best solution over all spike supports when non-zero spikes must be ≥ s_min (T ≤ ~12).</summary>
    public static double[] SolveWithMinSpike(double[] y, double[] ar, double lambda, double baseline, double minSpike)
    {
        int n = y.Length;
        double best = double.PositiveInfinity;
        double[]? bestC = null;
        for (int mask = 0; mask < 1 << (n - 1); mask++)
        {
            var support = new bool[n];
            for (int i = 1; i < n; i++) support[i] = (mask >> (i - 1) & 1) == 1;
            var c = Solve(y, ar, lambda, baseline, support, minSpike, sweeps: 4000);
            double f = Objective(y, c, ar, lambda, baseline);
            if (f < best) { best = f; bestC = c; }
        }
        return bestC!;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double SumSquares(double[] a) => Dot(a, a);
}
