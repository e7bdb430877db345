namespace DeepSpike.Engine.Tests.Reference;

/// <summary>Scalar, double-precision reference loops written straight from the definitions.</summary>
internal static class Naive
{
    /// <summary><c>y[b, o, t] = bias[o] + Σ_i Σ_k w[o, i, k] · x[b, i, t + k·d − d(K−1)/2]</c>, zero outside [0, T).</summary>
    public static double[] Conv1d(float[] x, float[] w, float[]? bias, int batch, int cin, int cout, int frames, int kernel, int dilation)
    {
        var y = new double[batch * cout * frames];
        int pad = dilation * (kernel - 1) / 2;
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < cout; o++)
                for (int t = 0; t < frames; t++)
                {
                    double s = bias?[o] ?? 0;
                    for (int i = 0; i < cin; i++)
                        for (int k = 0; k < kernel; k++)
                        {
                            int src = t + k * dilation - pad;
                            if (src >= 0 && src < frames)
                                s += (double)w[(o * cin + i) * kernel + k] * x[(b * cin + i) * frames + src];
                        }
                    y[(b * cout + o) * frames + t] = s;
                }
        return y;
    }

    /// <summary><c>c[i, j] = Σ_p a[i, p] b[p, j]</c>.</summary>
    public static double[] MatMul(float[] a, float[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    /// <summary><c>c_t = x_t + Σ_j γ_j c_{t−j}</c> per row, with <c>c_{t−j} = h_row</c> before the first frame.</summary>
    public static double[] ArFilter(float[] x, float[] gamma, float[]? initial, int rows, int frames)
    {
        var c = new double[rows * frames];
        for (int r = 0; r < rows; r++)
        {
            double h = initial is null ? 0 : initial[initial.Length == 1 ? 0 : r];
            for (int t = 0; t < frames; t++)
            {
                double v = x[r * frames + t];
                for (int j = 1; j <= gamma.Length; j++)
                    v += gamma[j - 1] * (t - j >= 0 ? c[r * frames + t - j] : h);
                c[r * frames + t] = v;
            }
        }
        return c;
    }

    /// <summary><c>ln Σ_j exp(v_j)</c> by the max shift, in double.</summary>
    public static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double max = v.Max();
        if (double.IsNegativeInfinity(max)) return max;
        return max + Math.Log(v.Sum(x => Math.Exp(x - max)));
    }
}
