using System.Runtime.CompilerServices;

namespace DeepSpike.Baselines;

/// <summary>
/// Gibbs sampler over binary spike trains for the SCF model (<see cref="ScfSamplerParameters"/>), in the spirit of
/// the MCMC baseline of Speiser et al. 2017 (Pnevmatikakis et al. 2013 sample in continuous time; here time is
/// the frame grid, as in the SCF model).
/// </summary>
/// <remarks>
/// <para>
/// Each sweep visits the frames backwards, t = T−1 … 0, and draws s_t from its exact conditional:
/// with the residual <c>r = f − β − m_0 γ^t − A c</c> of the current train, its kernel-filtered value
/// <c>q_t = Σ_{k≥0} γ^k r_{t+k}</c> and <c>W_t = Σ_{k=0}^{T−1−t} γ^{2k}</c>,
/// <code>
/// log P(s_t=1 | s_−t) / P(s_t=0 | s_−t) = logit ρ + (A q_t + A² W_t (s_t − ½)) / σ².
/// </code>
/// Going backwards, <c>q_t = r_t + γ q_{t+1}</c> where a change of s at frames ≥ t only corrects
/// <c>q</c> by <c>−Δs A W</c>, so an update costs O(1) and a sweep O(T), however long the kernel.
/// </para>
/// <para>
/// With <see cref="McmcOptions.ShiftMoves"/>, after updating s_t a spike is proposed to move between t and t+1
/// when exactly one of them has one; its likelihood ratio is again O(1):
/// <c>ΔlogL = (A(δ_t q_t + δ_{t+1} q_{t+1}) − ½A²(W_t + W_{t+1} − 2γW_{t+1})) / σ²</c>.
/// Both moves leave the posterior invariant, so the average over sweeps of the conditional probabilities
/// converges to the posterior marginals.
/// </para>
/// </remarks>
public static class ScfGibbsSampler
{
    /// <summary>Tries at a positive draw of the amplitude before keeping the previous value.</summary>
    private const int AmplitudeTries = 64;

    /// <summary>
    /// Samples the posterior over spike trains of one trace.
    /// </summary>
    /// <param name="fluorescence">The trace, finite and not constant.</param>
    /// <param name="parameters">θ (kept fixed unless <see cref="McmcOptions.SampleParameters"/>).</param>
    /// <param name="options">Sweeps and moves; defaults if null.</param>
    /// <param name="seed">Seed of the sampler's generator.</param>
    /// <param name="initialSpikes">Starting train (values &gt; 0.5 are spikes), e.g. from OASIS; empty for none.</param>
    /// <exception cref="ArgumentException">Bad trace, parameters or options, or a starting train of another length.</exception>
    public static McmcResult Run(ReadOnlySpan<float> fluorescence, ScfSamplerParameters parameters, McmcOptions? options = null, int seed = 0, ReadOnlySpan<float> initialSpikes = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        var o = (options ?? new McmcOptions()).Validate();
        var f = TraceValidation.ToCheckedDoubles(fluorescence);
        int n = f.Length;
        if (!initialSpikes.IsEmpty && initialSpikes.Length != n)
            throw new ArgumentException($"initial spike train has {initialSpikes.Length} frames but the trace has {n}", nameof(initialSpikes));
        var state = new Chain(f, parameters, initialSpikes, seed);
        for (int sweep = 0; sweep < o.BurnIn + o.Sweeps; sweep++)
        {
            bool keep = sweep >= o.BurnIn;
            state.Sweep(keep, o.ShiftMoves);
            state.UpdateCalcium();
            if (o.SampleParameters) state.SampleParameters();
            if (keep) state.Record();
        }
        return state.Result(o.Sweeps, o.SampleParameters);
    }

    /// <summary>The chain's state and running averages.</summary>
    private sealed class Chain
    {
        private readonly double[] _f, _decayPowers, _w, _residual, _calcium, _probabilitySum;
        private readonly byte[] _s;
        private Xoshiro256 _rng;
        private readonly double _gamma, _initial;
        private double _amplitude, _baseline, _sigma, _rho;
        private double _countSum, _countSquares, _amplitudeSum, _baselineSum, _sigmaSum, _rhoSum;
        private long _shiftsProposed, _shiftsAccepted;
        private int _count;

        public Chain(double[] f, ScfSamplerParameters p, ReadOnlySpan<float> initialSpikes, int seed)
        {
            int n = f.Length;
            _f = f;
            (_gamma, _amplitude, _baseline, _sigma, _rho, _initial) = (p.Gamma, p.Amplitude, p.Baseline, p.NoiseSigma, p.SpikeProbability, p.InitialCalcium);
            _rng = new Xoshiro256(seed);
            _s = new byte[n];
            for (int t = 0; t < initialSpikes.Length; t++) _s[t] = initialSpikes[t] > 0.5f ? (byte)1 : (byte)0;
            _decayPowers = new double[n];
            _w = new double[n];
            double power = 1, w = 0;
            for (int t = 0; t < n; t++) { _decayPowers[t] = power; power *= _gamma; }
            for (int t = n - 1; t >= 0; t--) { w = 1 + _gamma * _gamma * w; _w[t] = w; }
            _residual = new double[n];
            _calcium = new double[n];
            _probabilitySum = new double[n];
            UpdateCalcium();
        }

        /// <summary>One backward sweep of Gibbs updates (and shift proposals).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Sweep(bool keep, bool shiftMoves)
        {
            var r = _residual;
            var w = _w;
            var s = _s;
            var sum = _probabilitySum;
            ref var rng = ref _rng;
            int n = r.Length;
            double g = _gamma, a = _amplitude, a2 = a * a, precision = 1 / (_sigma * _sigma);
            double logitRho = Math.Log(_rho / (1 - _rho));
            double qNext = 0;
            long proposed = 0, accepted = 0;
            for (int t = n - 1; t >= 0; t--)
            {
                double q = r[t] + g * qNext;
                int current = s[t];
                double logit = logitRho + (a * q + a2 * w[t] * (current - 0.5)) * precision;
                double p = 1 / (1 + Math.Exp(-logit));
                if (keep) sum[t] += p;
                int drawn = rng.NextDouble() < p ? 1 : 0;
                double rt = r[t];
                if (drawn != current)
                {
                    // The flip changes r from frame t on: q_t by −Δ A W_t and q_{t+1} by −Δ A γ W_{t+1}.
                    double delta = drawn - current;
                    q -= delta * a * w[t];
                    if (t + 1 < n) qNext -= delta * a * g * w[t + 1];
                    rt -= delta * a;
                    s[t] = (byte)drawn;
                    current = drawn;
                }
                if (shiftMoves && t + 1 < n && current != s[t + 1])
                {
                    proposed++;
                    // δ_t = s_{t+1} − s_t, δ_{t+1} = −δ_t: the spike moves to the other frame.
                    double dt = s[t + 1] - current;
                    double gain = a * dt * (q - qNext);
                    double cost = 0.5 * a2 * (w[t] + w[t + 1] - 2 * g * w[t + 1]);
                    double logRatio = (gain - cost) * precision;
                    if (logRatio >= 0 || rng.NextDouble() < Math.Exp(logRatio))
                    {
                        accepted++;
                        qNext -= a * w[t + 1] * dt * (g - 1);
                        rt -= a * dt;
                        q = rt + g * qNext;
                        s[t + 1] = (byte)current;
                        s[t] = (byte)(1 - current);
                    }
                }
                qNext = q;
            }
            _shiftsProposed += proposed;
            _shiftsAccepted += accepted;
        }

        /// <summary>Recomputes c, the residual and the spike count from the current train.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void UpdateCalcium()
        {
            double g = _gamma, c = 0;
            int count = 0;
            for (int t = 0; t < _f.Length; t++)
            {
                c = g * c + _s[t];
                count += _s[t];
                _calcium[t] = c;
                _residual[t] = _f[t] - _baseline - _initial * _decayPowers[t] - _amplitude * c;
            }
            _count = count;
        }

        /// <summary>β, A, σ², ρ from their full conditionals in turn, then the residual again.</summary>
        public void SampleParameters()
        {
            int n = _f.Length;
            var c = _calcium;
            // β | A: z_t = f_t − m_0 γ^t − A c_t = β + e_t.
            double zSum = 0;
            for (int t = 0; t < n; t++) zSum += _residual[t] + _baseline;
            _baseline = zSum / n + _sigma / Math.Sqrt(n) * _rng.NextGaussian();
            // A | β: f_t − β − m_0 γ^t = A c_t + e_t, A > 0.
            double cc = 0, cz = 0;
            for (int t = 0; t < n; t++)
            {
                cc += c[t] * c[t];
                cz += c[t] * (_f[t] - _baseline - _initial * _decayPowers[t]);
            }
            if (cc > 0)
            {
                double mean = cz / cc, sd = _sigma / Math.Sqrt(cc);
                for (int i = 0; i < AmplitudeTries; i++)
                {
                    double draw = mean + sd * _rng.NextGaussian();
                    if (draw > 0) { _amplitude = draw; break; }
                }
            }
            // σ² | β, A ~ Inv-Gamma(T/2, RSS/2).
            double rss = 0;
            for (int t = 0; t < n; t++)
            {
                double e = _f[t] - _baseline - _initial * _decayPowers[t] - _amplitude * c[t];
                _residual[t] = e;
                rss += e * e;
            }
            _sigma = Math.Sqrt(rss / 2 / _rng.NextGamma(n / 2.0));
            // ρ ~ Beta(1 + k, 1 + T − k), kept inside (0, 1).
            _rho = Math.Clamp(_rng.NextBeta(1 + _count, 1 + n - _count), 1e-12, 1 - 1e-12);
        }

        public void Record()
        {
            _countSum += _count;
            _countSquares += (double)_count * _count;
            _amplitudeSum += _amplitude; _baselineSum += _baseline; _sigmaSum += _sigma; _rhoSum += _rho;
        }

        public McmcResult Result(int kept, bool sampled)
        {
            var probability = new float[_f.Length];
            for (int t = 0; t < probability.Length; t++) probability[t] = (float)(_probabilitySum[t] / kept);
            double mean = _countSum / kept;
            double std = Math.Sqrt(Math.Max(0, _countSquares / kept - mean * mean));
            var parameters = new ScfSamplerParameters(_gamma, _amplitude, _baseline, _sigma, _rho, _initial);
            if (sampled)
                parameters = parameters with { Amplitude = _amplitudeSum / kept, Baseline = _baselineSum / kept, NoiseSigma = _sigmaSum / kept, SpikeProbability = _rhoSum / kept };
            double acceptance = _shiftsProposed > 0 ? (double)_shiftsAccepted / _shiftsProposed : double.NaN;
            return new McmcResult(probability, parameters, mean, std, acceptance);
        }
    }
}
