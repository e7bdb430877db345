using DeepSpike.Preprocessing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSpike.Baselines;

/// <summary>How <see cref="OasisEstimation.NoiseSigma(ReadOnlySpan{float}, NoiseAveraging)"/> averages the
/// power spectral density over the high-frequency band (OASIS <c>GetSn</c>'s <c>method</c>).</summary>
public enum NoiseAveraging
{
    /// <summary><c>σ = √(mean_k P_k / 2)</c> (OASIS default).</summary>
    Mean,
    /// <summary><c>σ = √(median_k P_k / 2)</c>: robust to a few spectral lines.</summary>
    Median,
    /// <summary><c>σ = √exp(mean_k ln(P_k / 2))</c>, the geometric mean ("logmexp").</summary>
    LogMeanExp,
}

/// <summary>
/// The parameter estimates OASIS deconvolution starts from (Friedrich, Zhou &amp; Paninski 2017, PLoS Comput
/// Biol; Pnevmatikakis et al. 2016): noise σ from the high-frequency power spectrum, AR coefficients from the
/// autocovariance with the noise removed from lag 0.
/// </summary>
public static class OasisEstimation
{
    /// <summary>Welch segment length (frames), as <c>scipy.signal.welch</c>'s default.</summary>
    public const int WelchSegmentLength = 256;

    /// <summary>Lower edge of the noise band in cycles per frame (exclusive): the upper half of the band
    /// below Nyquist (0.5 cycles/frame), where calcium transients have almost no power.</summary>
    public const double NoiseBandLow = 0.25;

    /// <summary>Upper edge of the noise band in cycles per frame (exclusive), the Nyquist frequency.</summary>
    public const double NoiseBandHigh = 0.5;

    /// <summary>Shortest trace the estimators accept: shorter ones have too few lags and frequency bins.</summary>
    public const int MinFrames = 32;

    /// <summary>Where a root outside [0, 1] is put (OASIS uses these values plus a small random jitter).</summary>
    private const double RootAboveOne = 0.95, RootBelowZero = 0.15;

    /// <summary>Smallest gap between the two AR(2) roots: the pool algebra divides by <c>d − r</c>, so
    /// coincident (or complex, whose real parts coincide) roots are pulled this far apart.</summary>
    public const double MinRootSeparation = 0.02;

    /// <summary>
    /// Noise standard deviation from the power spectral density (OASIS <c>GetSn</c>): Welch's estimate
    /// (segments of <see cref="WelchSegmentLength"/> frames or the whole trace if shorter, 50 % overlap,
    /// periodic Hann window, mean removed per segment, one-sided density at 1 sample per frame) is averaged
    /// over the frequencies <c>0.25 &lt; f &lt; 0.5</c> cycles/frame, where white noise of variance σ² has
    /// density <c>2σ²</c>; hence <c>σ = √(avg P_f / 2)</c>.
    /// </summary>
    /// <param name="fluorescence">The trace: finite, not constant, at least <see cref="MinFrames"/> frames.</param>
    /// <param name="averaging">How the band is averaged.</param>
    /// <exception cref="ArgumentException">Empty, too short, non-finite or constant trace.</exception>
    public static double NoiseSigma(ReadOnlySpan<float> fluorescence, NoiseAveraging averaging = NoiseAveraging.Mean) =>
        NoiseSigma(TraceValidation.ToCheckedDoubles(fluorescence, MinFrames), averaging);

    /// <summary>
    /// AR(p) coefficients of the calcium from the autocovariance (OASIS <c>estimate_time_constant</c>):
    /// with <c>a_k = (1/T) Σ_t ỹ_t ỹ_{t−k}</c> of the centred trace and <c>L = p + extraLags</c>, solve in the
    /// least-squares sense <c>Σ_j (a_{|i−j|} − σ² δ_ij) γ_j = a_{i+1}</c> for <c>i = 0..L−1</c>, <c>j = 0..p−1</c>
    /// (white noise adds σ² to lag 0 only). The roots of <c>z^p − Σ γ_j z^{p−j}</c> are then made real
    /// (complex pairs → their real part), put back in [0, 1] (above 1 → 0.95, below 0 → 0.15), multiplied by
    /// <paramref name="shrinkage"/> (OASIS uses 0.98 against the upward bias), and for p = 2 kept at least
    /// <see cref="MinRootSeparation"/> apart.
    /// </summary>
    /// <param name="fluorescence">The trace: finite, not constant, at least <see cref="MinFrames"/> frames.</param>
    /// <param name="order">p: 1 or 2.</param>
    /// <param name="noiseSigma">Noise σ ≥ 0, e.g. from <see cref="NoiseSigma(ReadOnlySpan{float}, NoiseAveraging)"/>.</param>
    /// <param name="extraLags">Lags beyond p used in the fit (OASIS default 10).</param>
    /// <param name="shrinkage">Factor in (0, 1] applied to the roots.</param>
    /// <returns><c>[γ]</c> for p = 1 (in (0, 1)); <c>[γ_1, γ_2]</c> with real roots <c>0 &lt; r &lt; d &lt; 1</c> for p = 2.</returns>
    public static double[] ArCoefficients(ReadOnlySpan<float> fluorescence, int order, double noiseSigma, int extraLags = 10, double shrinkage = 1)
    {
        if (order is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(order), order, $"AR order must be 1 or 2, got {order}");
        if (!(noiseSigma >= 0 && double.IsFinite(noiseSigma))) throw new ArgumentOutOfRangeException(nameof(noiseSigma), noiseSigma, $"noise sigma must be finite and >= 0, got {noiseSigma}");
        if (extraLags < 0) throw new ArgumentOutOfRangeException(nameof(extraLags), extraLags, $"extra lags must be >= 0, got {extraLags}");
        if (!(shrinkage > 0 && shrinkage <= 1)) throw new ArgumentOutOfRangeException(nameof(shrinkage), shrinkage, $"shrinkage must be in (0, 1], got {shrinkage}");
        return ArCoefficients(TraceValidation.ToCheckedDoubles(fluorescence, MinFrames), order, noiseSigma, extraLags, shrinkage);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double NoiseSigma(double[] y, NoiseAveraging averaging)
    {
        int segment = Math.Min(WelchSegmentLength, y.Length);
        int overlap = segment / 2, step = segment - overlap;
        int segments = (y.Length - overlap) / step;
        int kLow = (int)Math.Floor(NoiseBandLow * segment) + 1;
        int kHigh = (int)Math.Ceiling(NoiseBandHigh * segment) - 1;
        if (kHigh < kLow) throw new ArgumentException($"trace has {y.Length} frames: too short for a noise estimate");

        var (window, windowPower) = HannWindow(segment);
        // |X_k|² summed over segments, per band bin; Pxx_k / 2 = |X_k|² / Σw² for one-sided bins.
        var power = new double[kHigh - kLow + 1];
        if (System.Numerics.BitOperations.IsPow2(segment))
            AccumulateFftLanes(y, window, segments, step, kLow, power);
        else
            AccumulateDft(y, window, segments, step, kLow, power);
        double scale = 1.0 / (segments * windowPower);
        for (int k = 0; k < power.Length; k++) power[k] *= scale;

        double variance = averaging switch
        {
            NoiseAveraging.Mean => VectorMath.Sum(power) / power.Length,
            NoiseAveraging.Median => OrderStatistics.Percentile(power, 50),
            NoiseAveraging.LogMeanExp => GeometricMean(power),
            _ => throw new ArgumentOutOfRangeException(nameof(averaging), averaging, $"unknown noise averaging {averaging}"),
        };
        return Math.Sqrt(variance);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double[] ArCoefficients(double[] y, int order, double noiseSigma, int extraLags, double shrinkage)
    {
        int lags = order + extraLags;
        int n = y.Length;
        double mean = VectorMath.Sum(y) / n;
        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(n);
        var centred = rented.AsSpan(0, n);
        VectorMath.Subtract(y, mean, centred);
        var acov = new double[lags + 1];
        Autocovariance(centred, acov);
        System.Buffers.ArrayPool<double>.Shared.Return(rented);

        // Normal equations of the (lags × order) system A γ = a_{1..lags}, A_ij = a_|i−j| − σ² δ_ij.
        double noiseVariance = noiseSigma * noiseSigma;
        double n11 = 0, n12 = 0, n22 = 0, v1 = 0, v2 = 0;
        for (int i = 0; i < lags; i++)
        {
            double a1 = acov[i] - (i == 0 ? noiseVariance : 0);
            double a2 = order == 2 ? acov[Math.Abs(i - 1)] - (i == 1 ? noiseVariance : 0) : 0;
            double rhs = acov[i + 1];
            n11 += a1 * a1; n12 += a1 * a2; n22 += a2 * a2;
            v1 += a1 * rhs; v2 += a2 * rhs;
        }
        if (order == 1)
        {
            double gamma = n11 > 0 ? v1 / n11 : RootAboveOne;
            return [ClampRoot(gamma) * shrinkage];
        }
        double det = n11 * n22 - n12 * n12;
        double g1 = det != 0 ? (v1 * n22 - v2 * n12) / det : RootAboveOne;
        double g2 = det != 0 ? (n11 * v2 - n12 * v1) / det : 0;
        double disc = g1 * g1 + 4 * g2;
        double d = disc >= 0 ? (g1 + Math.Sqrt(disc)) / 2 : g1 / 2;
        double r = disc >= 0 ? (g1 - Math.Sqrt(disc)) / 2 : g1 / 2;
        d = ClampRoot(d) * shrinkage;
        r = ClampRoot(r) * shrinkage;
        if (r > d) (d, r) = (r, d);
        if (d - r < MinRootSeparation)
        {
            double centre = (d + r) / 2;
            d = Math.Min(centre + MinRootSeparation / 2, 0.999);
            r = Math.Max(d - MinRootSeparation, 0.001);
        }
        return [d + r, -d * r];
    }

    /// <summary>Lags per pass of <see cref="Autocovariance"/>: OASIS's default p + 10 = 11 or 12 lags in one pass.</summary>
    private const int LagsPerPass = 12;

    /// <summary>
    /// <c>acov[k] = (1/T) Σ_{t≥k} x_t x_{t−k}</c> (0 for k ≥ T). <see cref="LagsPerPass"/> lags per pass over x,
    /// 8 frames per step: one load of x_t and one of each lagged window feed 12 independent accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Autocovariance(ReadOnlySpan<double> x, double[] acov)
    {
        int n = x.Length;
        ref double r = ref MemoryMarshal.GetReference(x);
        Span<double> sums = stackalloc double[LagsPerPass];
        for (int k0 = 0; k0 < acov.Length; k0 += LagsPerPass)
        {
            int lags = Math.Min(LagsPerPass, acov.Length - k0);
            // Frames from `start` on are valid for every lag of the pass; earlier ones are summed per lag by hand.
            int start = Math.Min(n, k0 + LagsPerPass - 1), t = start;
            sums.Clear();
            if (n - start >= 8)
            {
                Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
                Vector512<double> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
                for (; t <= n - 8; t += 8)
                {
                    var v = Vector512.LoadUnsafe(ref r, (nuint)t);
                    ref double lagged = ref Unsafe.Add(ref r, t - k0);
                    a0 += v * Vector512.LoadUnsafe(ref lagged);
                    a1 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 1));
                    a2 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 2));
                    a3 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 3));
                    a4 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 4));
                    a5 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 5));
                    a6 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 6));
                    a7 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 7));
                    a8 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 8));
                    a9 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 9));
                    a10 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 10));
                    a11 += v * Vector512.LoadUnsafe(ref Unsafe.Subtract(ref lagged, 11));
                }
                (sums[0], sums[1], sums[2], sums[3]) = (Vector512.Sum(a0), Vector512.Sum(a1), Vector512.Sum(a2), Vector512.Sum(a3));
                (sums[4], sums[5], sums[6], sums[7]) = (Vector512.Sum(a4), Vector512.Sum(a5), Vector512.Sum(a6), Vector512.Sum(a7));
                (sums[8], sums[9], sums[10], sums[11]) = (Vector512.Sum(a8), Vector512.Sum(a9), Vector512.Sum(a10), Vector512.Sum(a11));
            }
            for (int j = 0; j < lags; j++)
            {
                int k = k0 + j;
                if (k >= n) { acov[k] = 0; continue; }
                double s = sums[j];
                for (int i = k; i < start; i++) s += x[i] * x[i - k];
                for (int i = t; i < n; i++) s += x[i] * x[i - k];
                acov[k] = s / n;
            }
        }
    }

    private static double ClampRoot(double root) => root > 1 ? RootAboveOne : root < 0 ? RootBelowZero : root;

    private static double GeometricMean(double[] values)
    {
        double logSum = 0;
        foreach (double v in values) logSum += Math.Log(v);
        return Math.Exp(logSum / values.Length);
    }

    /// <summary>The last periodic Hann window built and its power Σw² (traces mostly share one segment length).</summary>
    /// <remarks>A reference, so that threads sharing it never see a torn pair.</remarks>
    private static Tuple<double[], double>? _hann;

    private static (double[] Window, double Power) HannWindow(int segment)
    {
        if (_hann is { } cached && cached.Item1.Length == segment) return (cached.Item1, cached.Item2);
        var window = new double[segment];
        double windowPower = 0;
        for (int n = 0; n < segment; n++)
        {
            window[n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / segment);
            windowPower += window[n] * window[n];
        }
        _hann = Tuple.Create(window, windowPower);
        return (window, windowPower);
    }

    /// <summary>
    /// The band sums of |X_k|² over all segments, by lane-parallel FFTs (<see cref="Fft.ForwardLanesToBitReversed"/>):
    /// lane j of a batch holds segment 2p in the real part and 2p + 1 in the imaginary part (p = batch·lanes + j;
    /// a missing segment is zeros), so a batch transforms 2·lanes segments. For real x, x′ and z = x + i x′,
    /// <c>|X_k|² + |X′_k|² = (|Z_k|² + |Z_{N−k}|²) / 2</c>, which holds for x′ = 0 too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateFftLanes(double[] y, double[] window, int segments, int step, int kLow, double[] power)
    {
        const int lanes = 8;
        System.Diagnostics.Debug.Assert(Vector512<double>.Count == lanes);
        int size = window.Length;
        var fft = Fft.ForSize(size);
        var reversal = fft.BitReversal;
        var vectors = System.Buffers.ArrayPool<Vector512<double>>.Shared;
        var re = vectors.Rent(size);
        var im = vectors.Rent(size);
        var sums = vectors.Rent(power.Length);
        sums.AsSpan(0, power.Length).Clear();
        Span<int> starts = stackalloc int[2 * lanes];
        Span<double> means = stackalloc double[2 * lanes], present = stackalloc double[2 * lanes];
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(y);
        for (int first = 0; first < segments; first += 2 * lanes)
        {
            // Slot 2j is lane j's real part, 2j + 1 its imaginary part; a missing segment reads frame 0, weight 0.
            for (int slot = 0; slot < 2 * lanes; slot++)
            {
                bool has = first + slot < segments;
                starts[slot] = has ? (first + slot) * step : 0;
                means[slot] = has ? VectorMath.Sum(y.AsSpan(starts[slot], size)) / size : 0;
                present[slot] = has ? 1 : 0;
            }
            var meanRe = Vector512.Create(means[0], means[2], means[4], means[6], means[8], means[10], means[12], means[14]);
            var meanIm = Vector512.Create(means[1], means[3], means[5], means[7], means[9], means[11], means[13], means[15]);
            var hasRe = Vector512.Create(present[0], present[2], present[4], present[6], present[8], present[10], present[12], present[14]);
            var hasIm = Vector512.Create(present[1], present[3], present[5], present[7], present[9], present[11], present[13], present[15]);
            ref double r0 = ref Unsafe.Add(ref yRef, starts[0]), r1 = ref Unsafe.Add(ref yRef, starts[2]);
            ref double r2 = ref Unsafe.Add(ref yRef, starts[4]), r3 = ref Unsafe.Add(ref yRef, starts[6]);
            ref double r4 = ref Unsafe.Add(ref yRef, starts[8]), r5 = ref Unsafe.Add(ref yRef, starts[10]);
            ref double r6 = ref Unsafe.Add(ref yRef, starts[12]), r7 = ref Unsafe.Add(ref yRef, starts[14]);
            ref double i0 = ref Unsafe.Add(ref yRef, starts[1]), i1 = ref Unsafe.Add(ref yRef, starts[3]);
            ref double i2 = ref Unsafe.Add(ref yRef, starts[5]), i3 = ref Unsafe.Add(ref yRef, starts[7]);
            ref double i4 = ref Unsafe.Add(ref yRef, starts[9]), i5 = ref Unsafe.Add(ref yRef, starts[11]);
            ref double i6 = ref Unsafe.Add(ref yRef, starts[13]), i7 = ref Unsafe.Add(ref yRef, starts[15]);
            for (int n = 0; n < size; n++)
            {
                var w = Vector512.Create(window[n]);
                re[n] = (Vector512.Create(Unsafe.Add(ref r0, n), Unsafe.Add(ref r1, n), Unsafe.Add(ref r2, n), Unsafe.Add(ref r3, n),
                    Unsafe.Add(ref r4, n), Unsafe.Add(ref r5, n), Unsafe.Add(ref r6, n), Unsafe.Add(ref r7, n)) - meanRe) * (w * hasRe);
                im[n] = (Vector512.Create(Unsafe.Add(ref i0, n), Unsafe.Add(ref i1, n), Unsafe.Add(ref i2, n), Unsafe.Add(ref i3, n),
                    Unsafe.Add(ref i4, n), Unsafe.Add(ref i5, n), Unsafe.Add(ref i6, n), Unsafe.Add(ref i7, n)) - meanIm) * (w * hasIm);
            }
            fft.ForwardLanesToBitReversed(re, im);
            for (int j = 0; j < power.Length; j++)
            {
                int k = kLow + j, m = size - k;
                var (zr, zi, wr, wi) = (re[reversal[k]], im[reversal[k]], re[reversal[m]], im[reversal[m]]);
                sums[j] += zr * zr + zi * zi + wr * wr + wi * wi;
            }
        }
        for (int j = 0; j < power.Length; j++) power[j] = Vector512.Sum(sums[j]) / 2;
        vectors.Return(re);
        vectors.Return(im);
        vectors.Return(sums);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateDft(double[] y, double[] window, int segments, int step, int kLow, double[] power)
    {
        int size = window.Length;
        var x = new double[size];
        for (int s = 0; s < segments; s++)
        {
            LoadSegment(y.AsSpan(s * step, size), window, x);
            for (int j = 0; j < power.Length; j++)
            {
                double omega = -2 * Math.PI * (kLow + j) / size, xr = 0, xi = 0;
                for (int n = 0; n < size; n++)
                {
                    xr += x[n] * Math.Cos(omega * n);
                    xi += x[n] * Math.Sin(omega * n);
                }
                power[j] += xr * xr + xi * xi;
            }
        }
    }

    /// <summary>Segment minus its mean, times the window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LoadSegment(ReadOnlySpan<double> segment, double[] window, Span<double> output)
    {
        double mean = VectorMath.Sum(segment) / segment.Length;
        int n = segment.Length, i = 0;
        if (window.Length < n || output.Length < n) throw new ArgumentException("window and output must cover the segment");
        ref double x = ref MemoryMarshal.GetReference(segment);
        ref double w = ref MemoryMarshal.GetArrayDataReference(window);
        ref double o = ref MemoryMarshal.GetReference(output);
        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(mean);
            for (; i <= n - 4; i += 4)
                ((Vector256.LoadUnsafe(ref x, (nuint)i) - m) * Vector256.LoadUnsafe(ref w, (nuint)i)).StoreUnsafe(ref o, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref o, i) = (Unsafe.Add(ref x, i) - mean) * Unsafe.Add(ref w, i);
    }
}
