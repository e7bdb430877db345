namespace DeepSpike.Dynamics;

/// <summary>The goodness-of-fit measures of the Ladder LFADS paper's Table 1.</summary>
public static class DynamicsMetrics
{
    /// <summary>
    /// R² of <paramref name="predicted"/> for <paramref name="truth"/>, pooled over every element: the square of Pearson's r,
    /// i.e. the R² after the best affine map of the prediction onto the truth. 0 when either side is constant.
    /// </summary>
    public static double PooledR2(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth)
    {
        if (predicted.Length != truth.Length) throw new ArgumentException($"{predicted.Length} predictions for {truth.Length} true values");
        double mp = 0, mt = 0;
        for (int i = 0; i < truth.Length; i++) { mp += predicted[i]; mt += truth[i]; }
        mp /= truth.Length; mt /= truth.Length;
        double spt = 0, spp = 0, stt = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            double p = predicted[i] - mp, t = truth[i] - mt;
            spt += p * t; spp += p * p; stt += t * t;
        }
        return spp > 0 && stt > 0 ? spt * spt / (spp * stt) : 0;
    }

    /// <summary>
    /// R² of the latents: an affine map from factors to latents is fitted by least squares on the training trials, applied to
    /// the validation trials' factors, and scored by <see cref="PooledR2"/> over all latent dimensions, bins and trials.
    /// </summary>
    public static double LatentR2(TrialArray trainingFactors, TrialArray trainingLatents, TrialArray validationFactors, TrialArray validationLatents)
    {
        double[,] map = FitAffine(trainingFactors, trainingLatents);
        var predicted = Apply(map, validationFactors, validationLatents.Channels);
        return PooledR2(predicted, validationLatents.Data);
    }

    /// <summary>Least-squares affine map [K + 1, D] (last row the intercept) from factors to targets, by the normal equations.</summary>
    public static double[,] FitAffine(TrialArray factors, TrialArray targets)
    {
        int k = factors.Channels + 1, d = targets.Channels, rows = factors.Trials * factors.Bins;
        if (targets.Trials * targets.Bins != rows) throw new ArgumentException("factors and targets have different trials or bins");
        var xtx = new double[k, k];
        var xty = new double[k, d];
        var x = new double[k];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < k - 1; j++) x[j] = factors.Data[r * (k - 1) + j];
            x[k - 1] = 1;
            for (int a = 0; a < k; a++)
            {
                for (int b = 0; b < k; b++) xtx[a, b] += x[a] * x[b];
                for (int c = 0; c < d; c++) xty[a, c] += x[a] * targets.Data[r * d + c];
            }
        }
        // A small ridge keeps a degenerate factor (constant, or two identical) from making the system singular.
        for (int a = 0; a < k; a++) xtx[a, a] += 1e-9 * rows;
        return Solve(xtx, xty);
    }

    private static float[] Apply(double[,] map, TrialArray factors, int outputs)
    {
        int k = factors.Channels, rows = factors.Trials * factors.Bins;
        var result = new float[rows * outputs];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < outputs; c++)
            {
                double sum = map[k, c];
                for (int j = 0; j < k; j++) sum += map[j, c] * factors.Data[r * k + j];
                result[r * outputs + c] = (float)sum;
            }
        return result;
    }

    // Gaussian elimination with partial pivoting on [A | B].
    private static double[,] Solve(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(1);
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            if (pivot != col)
            {
                for (int c = 0; c < n; c++) (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
                for (int c = 0; c < m; c++) (b[col, c], b[pivot, c]) = (b[pivot, c], b[col, c]);
            }
            for (int r = 0; r < n; r++)
            {
                if (r == col || a[col, col] == 0) continue;
                double f = a[r, col] / a[col, col];
                for (int c = col; c < n; c++) a[r, c] -= f * a[col, c];
                for (int c = 0; c < m; c++) b[r, c] -= f * b[col, c];
            }
        }
        var x = new double[n, m];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < m; c++) x[r, c] = a[r, r] == 0 ? 0 : b[r, c] / a[r, r];
        return x;
    }
}
