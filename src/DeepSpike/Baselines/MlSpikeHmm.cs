using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSpike.Baselines;

/// <summary>
/// MLspike's model (<see cref="MlSpikeParameters"/>) as a hidden Markov model on a <see cref="MlSpikeGrid"/>, with
/// its three computations: the marginal likelihood (forward pass), the posterior marginals (forward–backward) and
/// the most probable path (Viterbi).
/// </summary>
/// <remarks>
/// <para>The hidden state of frame t is a grid point <c>(c_i, b_j)</c>; the prior of the state before frame 0
/// is uniform over the grid (MLspike puts no prior there either). From <c>(c_i, b_j)</c>, frame t draws
/// <c>n ~ P(n)</c> spikes; the calcium moves to <c>x = min(γ c_i + n, c_max)</c>, which is not a grid point, so it
/// lands on the two levels around x with the linear-interpolation weights (their mean is x: the decay is exact
/// on average); the baseline moves by d levels with the discrete Gaussian weights whose variance is that of the
/// random walk, <c>(d √Δt / Δb)²</c>, renormalised at the edges of the grid (<see cref="BaselineKernel"/>). The frame
/// then shows <c>F_t ~ N(μ(c, b), σ²)</c>. This is the discrete model whose exact posteriors are computed; MLspike's
/// own "proba" mode interpolates the same way (<c>tps_mlspikes</c>, <c>interp1(…, 'linear')</c>).</para>
/// <para>Cost per frame is <c>O(I · J · (2 (N+1) + 2K + 1))</c> for I calcium levels, J baseline levels, N spikes
/// and K baseline offsets: the calcium move is two row updates per level and spike count, the baseline move a
/// banded convolution along each row. In practice only the calcium levels holding mass are visited: the move
/// skips empty rows, the likelihood is evaluated on the rows the move reached and, along each row, on the
/// baseline levels within the likelihood's cutoff (μ is affine in the baseline), and the backward sweep only
/// updates the levels the filter kept. Rows are padded to a multiple of eight floats; padded states have
/// likelihood 0 and carry nothing. Probabilities are renormalised every frame (the logs of the normalisers sum to
/// the log-likelihood), and values under <see cref="ProbabilityFloor"/> are dropped to keep clear of subnormal
/// floats. Forward–backward and the MAP search keep their messages only every <c>⌈√T⌉</c> frames and recompute
/// each stretch when needed: memory <c>O(√T · I · J)</c> for one extra pass.</para>
/// </remarks>
internal sealed class MlSpikeHmm
{
    private const int Lanes = 8;

    /// <summary>Normalisers below this are recomputed with a safer shift.</summary>
    private const double MinNormaliser = 1e-30;

    /// <summary>
    /// Probabilities (filtered and backward messages after normalisation, likelihoods relative to the frame's best
    /// state, transition weights) below this are set to 0, and products of two of them below
    /// <see cref="ProductFloor"/>. Every product the recursions form then stays above 1e-30, clear of float's
    /// subnormal range (below ~1.2e-38), where arithmetic is some twenty times slower. The mass dropped per frame
    /// is below <c>states × 1e-10</c> of the total.
    /// </summary>
    internal const float ProbabilityFloor = 1e-10f;

    /// <summary>Floor for products of two probabilities (see <see cref="ProbabilityFloor"/>).</summary>
    internal const float ProductFloor = 1e-20f;

    /// <summary><c>ln</c> <see cref="ProbabilityFloor"/>: likelihoods are 0 below this log-ratio to the frame's best state.</summary>
    private static readonly float LikelihoodCutoff = MathF.Log(ProbabilityFloor);

    private readonly MlSpikeParameters _parameters;
    private readonly MlSpikeGrid _grid;
    private readonly double _decay;
    private readonly int _levels, _stride, _states, _maxSpikes, _halfWidth;
    private readonly int[] _target;      // [n · I + i]: lower calcium level reached from level i with n spikes
    private readonly float[] _toLower, _toUpper;        // [n · I + i]: P(n) times the weight of that level and the next
    private readonly float[] _weightUpper;              // [n · I + i]: the interpolation weight of the level above
    private readonly float[] _spikeCost, _logSpikePrior; // −log P(n), log P(n)
    private readonly float[][] _band;    // [K + d][state]: P(baseline j → j + d) for that state's j (0 off the grid)
    private readonly float[][] _bandCost;  // −log of _band (+∞ for 0)
    private readonly float[] _mean;      // μ per state; +∞ on padding, so its likelihood is 0
    private readonly float[] _rowSlope;  // μ(i, j + 1) − μ(i, j), the same along row i (μ is affine in b); 0 if not increasing
    private readonly float[] _prior;
    private readonly float _precision;   // 1 / (2σ²)
    private readonly double _logNormaliser, _logPrior;
    private readonly float[] _scratch, _scratch2, _likelihood, _spare;

    /// <summary>Builds the transition tables for <paramref name="parameters"/> on <paramref name="grid"/>.</summary>
    public MlSpikeHmm(MlSpikeParameters parameters, MlSpikeGrid grid)
    {
        _parameters = parameters.Validate();
        _grid = grid.Validate();
        _decay = parameters.Decay;
        _levels = grid.CalciumLevels;
        int baselines = grid.BaselineLevels;
        _stride = (baselines + Lanes - 1) / Lanes * Lanes;
        _states = _levels * _stride;
        _maxSpikes = grid.MaxSpikesPerFrame;

        var prior = parameters.SpikeCountPrior(_maxSpikes);
        _target = new int[(_maxSpikes + 1) * _levels];
        _toLower = new float[_target.Length];
        _toUpper = new float[_target.Length];
        _weightUpper = new float[_target.Length];
        _spikeCost = prior.Select(p => (float)-Math.Log(p)).ToArray();
        _logSpikePrior = prior.Select(p => (float)Math.Log(p)).ToArray();
        for (int n = 0; n <= _maxSpikes; n++)
            for (int i = 0; i < _levels; i++)
            {
                var (k, upper) = Bracket(Math.Min(_decay * grid.Calcium(i) + n, grid.CalciumMax));
                int code = n * _levels + i;
                _target[code] = k;
                // Weights below the floor go to the other level (or, for an improbable count, nowhere).
                double toLower = prior[n] * (1 - upper), toUpper = prior[n] * upper;
                if (prior[n] < ProbabilityFloor) (toLower, toUpper) = (0, 0);
                else if (toUpper < ProbabilityFloor) (toLower, toUpper) = (prior[n], 0);
                else if (toLower < ProbabilityFloor) (toLower, toUpper) = (0, prior[n]);
                _toLower[code] = (float)toLower;
                _toUpper[code] = (float)toUpper;
                _weightUpper[code] = (float)upper;
            }

        double spread = baselines == 1 ? 0 : parameters.DriftPerFrame / grid.BaselineStep;
        var kernel = BaselineKernel(spread, baselines - 1).Select(w => w < ProbabilityFloor ? 0 : w).ToArray();
        int trim = 0;
        while (trim < kernel.Length / 2 && kernel[trim] == 0) trim++;
        kernel = kernel[trim..^trim];
        _halfWidth = kernel.Length / 2;
        _band = new float[kernel.Length][];
        _bandCost = new float[kernel.Length][];
        for (int d = 0; d < kernel.Length; d++) _band[d] = new float[_states];
        for (int j = 0; j < baselines; j++)
        {
            double total = 0;
            for (int d = -_halfWidth; d <= _halfWidth; d++)
                if (j + d >= 0 && j + d < baselines) total += kernel[d + _halfWidth];
            for (int d = -_halfWidth; d <= _halfWidth; d++)
            {
                if (j + d < 0 || j + d >= baselines) continue;
                float w = (float)(kernel[d + _halfWidth] / total);
                if (w == 0) continue;
                for (int i = 0; i < _levels; i++) _band[d + _halfWidth][i * _stride + j] = w;
            }
        }
        for (int d = 0; d < kernel.Length; d++) _bandCost[d] = _band[d].Select(w => w > 0 ? -MathF.Log(w) : float.PositiveInfinity).ToArray();

        _mean = new float[_states];
        _prior = new float[_states];
        Array.Fill(_mean, float.PositiveInfinity);
        float uniform = 1f / (_levels * baselines);
        for (int i = 0; i < _levels; i++)
            for (int j = 0; j < baselines; j++)
            {
                _mean[i * _stride + j] = (float)parameters.MeanFluorescence(grid.Calcium(i), grid.Baseline(j));
                _prior[i * _stride + j] = uniform;
            }
        _rowSlope = new float[_levels];
        for (int i = 0; i < _levels; i++)
            if (baselines > 1)
            {
                float slope = _mean[i * _stride + 1] - _mean[i * _stride];
                _rowSlope[i] = slope > 0 ? slope : 0;
            }
        double variance = parameters.NoiseSigma * parameters.NoiseSigma;
        _precision = (float)(0.5 / variance);
        _logNormaliser = -0.5 * Math.Log(2 * Math.PI * variance);
        _logPrior = -Math.Log((double)_levels * baselines);

        _scratch = new float[_states];
        _scratch2 = new float[_states];
        _likelihood = new float[_states];
        _spare = new float[_states];
    }

    /// <summary>
    /// The baseline's move in levels per frame: the discrete Gaussian <c>w_d ∝ q^{d²}</c>, <c>d = −K..K</c>, whose
    /// variance is exactly <c>s²</c> (s = drift per frame in levels); mean 0, <c>Σ_d w_d = 1</c>. For <c>s ≪ 1</c>
    /// this is the diffusion stencil <c>w_{±1} ≈ s²/2</c>. (A Gaussian step rounded stochastically to the two
    /// nearest levels would have variance <c>s² + E[frac(X)(1 − frac(X))] ≈ 0.8 s</c>: for the usual s ≈ 0.01 the
    /// baseline would wander about eighty times more than the model says.) K is where <c>q^{d²}</c> falls below
    /// 1e-16, at most <paramref name="maxOffset"/>; if even a flat kernel over ±K cannot reach s², it is flat.
    /// </summary>
    /// <param name="spread">s ≥ 0 in levels; 0 gives <c>[1]</c>.</param>
    /// <param name="maxOffset">Largest |d| (levels − 1).</param>
    internal static double[] BaselineKernel(double spread, int maxOffset)
    {
        if (spread == 0 || maxOffset == 0) return [1];
        double target = spread * spread;
        // Bisection on ln q ∈ (−∞, 0): the variance grows with q. Start the bracket wide enough for both ends.
        double lo = -1e4, hi = -1e-12;
        for (int iteration = 0; iteration < KernelBisectionSteps; iteration++)
        {
            double mid = 0.5 * (lo + hi);
            if (KernelVariance(mid, maxOffset) < target) lo = mid; else hi = mid;
        }
        return KernelWeights(0.5 * (lo + hi), maxOffset);
    }

    /// <summary>Bisection steps for the kernel's q (ln q bracketed in [−1e4, 0): 200 halvings reach double precision).</summary>
    private const int KernelBisectionSteps = 200;

    /// <summary>Offsets whose weight q^{d²} is below this (relative to d = 0) are left out of the kernel.</summary>
    private const double KernelTail = 1e-16;

    private static double[] KernelWeights(double logQ, int maxOffset)
    {
        int half = Math.Min(maxOffset, (int)Math.Ceiling(Math.Sqrt(Math.Log(KernelTail) / logQ)));
        half = Math.Max(half, 1);
        var weights = new double[2 * half + 1];
        double total = 0;
        for (int d = -half; d <= half; d++) total += weights[d + half] = Math.Exp(logQ * d * d);
        for (int d = 0; d < weights.Length; d++) weights[d] /= total;
        return weights;
    }

    private static double KernelVariance(double logQ, int maxOffset)
    {
        var weights = KernelWeights(logQ, maxOffset);
        int half = weights.Length / 2;
        double variance = 0;
        for (int d = -half; d <= half; d++) variance += d * d * weights[d + half];
        return variance;
    }

    /// <summary>The grid.</summary>
    public MlSpikeGrid Grid => _grid;

    /// <summary><c>log p(F_0..F_{T−1})</c>, natural log, with the state summed out (forward pass).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double LogLikelihood(ReadOnlySpan<float> fluorescence)
    {
        var alpha = new float[_states];
        _prior.CopyTo(alpha, 0);
        double logLikelihood = 0;
        for (int t = 0; t < fluorescence.Length; t++)
            logLikelihood += Advance(alpha, fluorescence[t], _likelihood);
        return logLikelihood;
    }

    /// <summary>The posterior marginals of every frame (forward–backward).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public MlSpikeMarginals Smooth(ReadOnlySpan<float> fluorescence)
    {
        int frames = fluorescence.Length;
        Debug.Assert(frames > 0);
        int span = SegmentLength(frames), segments = (frames + span - 1) / span;
        // checkpoints[m] = α before frame m·span (filtered, normalised); checkpoints[segments] = α after the last frame.
        var checkpoints = new float[(segments + 1) * _states];
        var alpha = checkpoints.AsSpan(0, _states);
        _prior.CopyTo(alpha);
        double logLikelihood = 0;
        var current = new float[_states];
        alpha.CopyTo(current);
        for (int t = 0; t < frames; t++)
        {
            logLikelihood += Advance(current, fluorescence[t], _likelihood);
            if ((t + 1) % span == 0 || t == frames - 1)
                current.CopyTo(checkpoints.AsSpan(((t + span) / span) * _states, _states));
        }

        var expected = new float[frames];
        var probability = new float[frames];
        var calcium = new float[frames];
        var baseline = new float[frames];
        var messages = new float[span * _states];     // α before each frame of the stretch
        var likelihoods = new float[span * _states];  // the frame's likelihood (up to a constant)
        var beta = new float[_states];
        var previousBeta = new float[_states];
        Array.Fill(beta, 1f);
        Span<double> mass = stackalloc double[_maxSpikes + 1];
        for (int m = segments - 1; m >= 0; m--)
        {
            int t0 = m * span, t1 = Math.Min(frames, t0 + span);
            checkpoints.AsSpan(m * _states, _states).CopyTo(messages);
            for (int t = t0; t < t1; t++)
            {
                var message = messages.AsSpan((t - t0) * _states, _states);
                var likelihood = likelihoods.AsSpan((t - t0) * _states, _states);
                // The stretch's last α is the next checkpoint already; only its likelihood is wanted.
                var next = t + 1 < t1 ? messages.AsSpan((t + 1 - t0) * _states, _states) : _spare.AsSpan();
                message.CopyTo(next);
                Advance(next, fluorescence[t], likelihood);
            }
            for (int t = t1 - 1; t >= t0; t--)
            {
                ReadOnlySpan<float> after = t + 1 < t1
                    ? messages.AsSpan((t + 1 - t0) * _states, _states)
                    : checkpoints.AsSpan((m + 1) * _states, _states);
                (calcium[t], baseline[t]) = PosteriorMeans(after, beta);

                // g = ℓ_t ⊙ β_t, h = baseline move backwards; then per spike count the calcium move backwards
                // gives β_{t−1} and, dotted with α_{t−1}, the joint mass of (state_{t−1}, n_t). Only the levels
                // α_{t−1} holds mass on, and those they reach, take part.
                var before = messages.AsSpan((t - t0) * _states, _states);
                var (lowest, highest) = MassRows(before);
                var (first, last) = Reach(lowest, highest);
                int start = first * _stride, length = (last + 1 - first) * _stride;
                var g = _scratch.AsSpan(start, length);
                var h = _scratch2.AsSpan(start, length);
                MlSpikeKernels.Multiply(likelihoods.AsSpan((t - t0) * _states + start, length), beta.AsSpan(start, length), g);
                BaselineBackward(g, h, start);
                MlSpikeKernels.Scale(h, 1, ProductFloor);
                CalciumBackward(_scratch2, before, previousBeta, mass, lowest, highest);
                double total = 0, weighted = 0;
                for (int n = 0; n <= _maxSpikes; n++)
                {
                    total += mass[n];
                    weighted += n * mass[n];
                }
                expected[t] = total > 0 ? (float)(weighted / total) : 0;
                probability[t] = total > 0 ? (float)(1 - mass[0] / total) : 0;
                var held = previousBeta.AsSpan(lowest * _stride, (highest + 1 - lowest) * _stride);
                float sum = TensorPrimitives.Sum<float>(held);
                // β only matters up to a constant; if it vanished (the future contradicts every state the past
                // allows, in float range), forget the future rather than propagate zeros.
                if (sum > 0) MlSpikeKernels.Scale(held, 1 / sum, ProbabilityFloor);
                else previousBeta.AsSpan().Fill(1f);
                (beta, previousBeta) = (previousBeta, beta);
            }
        }
        return new MlSpikeMarginals(expected, probability, calcium, baseline, logLikelihood);
    }

    /// <summary>
    /// The most probable spike train (MLspike's MAP estimate), by dynamic programming backwards over the grid and
    /// a forward trace in continuous calcium.
    /// </summary>
    /// <remarks>
    /// <para>The path maximised has continuous calcium <c>c_t = min(γ c_{t−1} + n_t, c_max)</c> from an initial
    /// grid level, baseline levels <c>j_t</c> moving with the kernel's probabilities, and score
    /// <c>log π + Σ_t [log P(n_t) + log K(j_{t−1} → j_t) + log N(F_t; μ(c_t, b_{j_t}), σ²)]</c>. The cost-to-go
    /// <c>V_t(c, j)</c> is computed on the grid levels (<c>V_t(i, j) = −log N(F_t; μ_ij) + min_n [−log P(n) +
    /// W̃_{t+1}(γ c_i + n, j)]</c>, <c>W_{t+1}(k, j) = min_d [−log K(j → j + d) + V_{t+1}(k, j + d)]</c>) and
    /// interpolated linearly in calcium between them, as <c>tps_mlspikes</c> does; the trace then re-decides
    /// n_t and the baseline move at the exact continuous calcium. The result is the exact maximiser when every
    /// reachable calcium value is a grid level, and an approximation whose error shrinks with the calcium step
    /// otherwise. (A Viterbi pass on the stochastic-rounding chain itself would charge every decaying frame
    /// the log-weight of its rounding, which favours zero calcium and drops spikes.)</para>
    /// <para>Memory is <c>O(√T)</c> arrays: V is kept every <c>⌈√T⌉</c> frames and recomputed per stretch.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public MlSpikeMapPath Viterbi(ReadOnlySpan<float> fluorescence)
    {
        int frames = fluorescence.Length;
        Debug.Assert(frames > 0);
        int span = SegmentLength(frames), segments = (frames + span - 1) / span;
        var checkpoints = new float[segments * _states]; // V_{m·span}
        var value = new float[_states];
        FinalCost(fluorescence[frames - 1], value);
        for (int t = frames - 1; t >= 0; t--)
        {
            if (t % span == 0) value.CopyTo(checkpoints, (t / span) * _states);
            if (t > 0) Retreat(value, fluorescence[t - 1], value);
        }
        // The state before frame 0: uniform prior, so the best start minimises the cost-to-go alone.
        var start = new float[_states];
        Retreat(value, float.NaN, start);
        int best = TensorPrimitives.IndexOfMin<float>(start);
        double calcium = _grid.Calcium(best / _stride);
        int level = best % _stride;

        var spikes = new int[frames];
        var calciumPath = new float[frames];
        var baselinePath = new float[frames];
        double logJoint = _logPrior;
        var values = new float[span * _states];
        for (int m = 0; m < segments; m++)
        {
            int t0 = m * span, t1 = Math.Min(frames, t0 + span);
            var last = values.AsSpan((t1 - 1 - t0) * _states, _states);
            if (t1 == frames) FinalCost(fluorescence[frames - 1], last);
            else Retreat(checkpoints.AsSpan((m + 1) * _states, _states), fluorescence[t1 - 1], last);
            for (int t = t1 - 2; t >= t0; t--)
                Retreat(values.AsSpan((t + 1 - t0) * _states, _states), fluorescence[t], values.AsSpan((t - t0) * _states, _states));
            for (int t = t0; t < t1; t++)
            {
                var v = values.AsSpan((t - t0) * _states, _states);
                int spikesNow = 0;
                float bestCost = float.PositiveInfinity;
                for (int n = 0; n <= _maxSpikes; n++)
                {
                    float cost = _spikeCost[n] + InterpolatedMove(v, Math.Min(_decay * calcium + n, _grid.CalciumMax), level);
                    if (cost < bestCost) (bestCost, spikesNow) = (cost, n);
                }
                calcium = Math.Min(_decay * calcium + spikesNow, _grid.CalciumMax);
                int move = 0;
                bestCost = float.PositiveInfinity;
                for (int d = -_halfWidth; d <= _halfWidth; d++)
                {
                    if (level + d < 0 || level + d >= _grid.BaselineLevels) continue;
                    float cost = _bandCost[d + _halfWidth][level] + Interpolated(v, calcium, level + d);
                    if (cost < bestCost) (bestCost, move) = (cost, d);
                }
                logJoint += _logSpikePrior[spikesNow] - _bandCost[move + _halfWidth][level];
                level += move;
                double residual = fluorescence[t] - _parameters.MeanFluorescence(calcium, _grid.Baseline(level));
                logJoint += _logNormaliser - residual * residual * _precision;
                spikes[t] = spikesNow;
                calciumPath[t] = (float)calcium;
                baselinePath[t] = (float)_grid.Baseline(level);
            }
        }
        return new MlSpikeMapPath(spikes, calciumPath, baselinePath, logJoint);
    }

    /// <summary>V_{T−1} = −log N(F_{T−1}; μ, σ²) up to a constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FinalCost(float y, Span<float> value)
    {
        MlSpikeKernels.LogGaussian(_mean, y, _precision, value);
        TensorPrimitives.Negate(value, value);
        TensorPrimitives.Add(value, -TensorPrimitives.Min<float>(value), value);
    }

    /// <summary>
    /// <c>V_t = −log N(F_t; μ, σ²) + min_n [−log P(n) + W̃_{t+1}(γ c + n)]</c> from <c>V_{t+1}</c> in
    /// <paramref name="next"/> (may be the same array as <paramref name="value"/>), shifted to minimum 0; with
    /// <paramref name="y"/> NaN, no frame term (the state before frame 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Retreat(ReadOnlySpan<float> next, float y, Span<float> value)
    {
        var moved = _scratch.AsSpan();
        BaselineMin(next, moved);
        value.Fill(float.PositiveInfinity);
        for (int i = 0; i < _levels; i++)
        {
            var row = value.Slice(i * _stride, _stride);
            for (int code = i; code < _target.Length; code += _levels)
            {
                int k = _target[code];
                float w = _weightUpper[code], cost = _spikeCost[code / _levels];
                if (w > 0) MlSpikeKernels.MinInterpolated(moved.Slice(k * _stride, _stride), 1 - w, moved.Slice((k + 1) * _stride, _stride), w, cost, row);
                else MlSpikeKernels.MinPlus(moved.Slice(k * _stride, _stride), cost, row);
            }
        }
        if (!float.IsNaN(y))
        {
            MlSpikeKernels.LogGaussian(_mean, y, _precision, _likelihood);
            TensorPrimitives.Subtract(value, _likelihood, value);
        }
        TensorPrimitives.Add(value, -TensorPrimitives.Min<float>(value), value);
    }

    /// <summary><c>W(k, j) = min_d [−log K(j → j + d) + V(k, j + d)]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BaselineMin(ReadOnlySpan<float> value, Span<float> moved)
    {
        int k = _halfWidth, n = _states;
        TensorPrimitives.Add(value, _bandCost[k], moved);
        for (int d = 1; d <= k; d++)
        {
            MlSpikeKernels.MinPlus(value[d..], _bandCost[k + d].AsSpan(0, n - d), moved[..(n - d)]);
            MlSpikeKernels.MinPlus(value[..(n - d)], _bandCost[k - d].AsSpan(d), moved[d..]);
        }
    }

    /// <summary>
    /// <see cref="MlSpikeGrid.Bracket"/> with weights within <see cref="SnapWeight"/> of 0 or 1 moved onto the
    /// level: in float, a weight of 1 − 1e-9 would be 1 and its partner 0, and 0 · ∞ is NaN in the cost domain.
    /// </summary>
    private (int Lower, double UpperWeight) Bracket(double x)
    {
        var (k, w) = _grid.Bracket(x);
        if (w > 1 - SnapWeight) return (k + 1, 0);
        return (k, w < SnapWeight ? 0 : w);
    }

    /// <summary>Interpolation weights closer than this to 0 or 1 are rounded (moves the mean by &lt; 1e-6 of a step).</summary>
    private const double SnapWeight = 1e-6;

    /// <summary>V at continuous calcium x and baseline level j, linear in calcium between levels.</summary>
    private float Interpolated(ReadOnlySpan<float> value, double x, int j)
    {
        var (k, upper) = Bracket(x);
        float w = (float)upper;
        float lower = value[k * _stride + j];
        return w > 0 ? (1 - w) * lower + w * value[(k + 1) * _stride + j] : lower;
    }

    /// <summary>W (best baseline move, then V) at continuous calcium x and baseline level j.</summary>
    private float InterpolatedMove(ReadOnlySpan<float> value, double x, int j)
    {
        var (k, upper) = Bracket(x);
        float w = (float)upper;
        float lower = BestMove(value, k, j);
        return w > 0 ? (1 - w) * lower + w * BestMove(value, k + 1, j) : lower;
    }

    private float BestMove(ReadOnlySpan<float> value, int k, int j)
    {
        float best = float.PositiveInfinity;
        for (int d = -_halfWidth; d <= _halfWidth; d++)
            if (j + d >= 0 && j + d < _grid.BaselineLevels)
                best = Math.Min(best, _bandCost[d + _halfWidth][j] + value[k * _stride + j + d]);
        return best;
    }

    /// <summary>Frames between stored forward messages: ⌈√T⌉ balances the checkpoints and one stretch.</summary>
    private static int SegmentLength(int frames) => Math.Max(1, (int)Math.Ceiling(Math.Sqrt(frames)));

    /// <summary>α ← ℓ_t ⊙ (move α) normalised; returns <c>log p(F_t | F_0..F_{t−1})</c>. Leaves ℓ_t, relative to
    /// the best reachable calcium level's, in <paramref name="likelihood"/> (0 on unreachable levels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Advance(Span<float> alpha, float y, Span<float> likelihood)
    {
        // Only the calcium levels the move reached (rows first..last) carry mass; the rest is skipped and zeroed.
        var (first, last) = CalciumForward(alpha, _scratch);
        int start = first * _stride, length = (last + 1 - first) * _stride;
        var predicted = _scratch2.AsSpan(start, length);
        BaselineForward(_scratch.AsSpan(start, length), predicted, start);
        var ell = likelihood.Slice(start, length);
        var mean = _mean.AsSpan(start, length);
        // Rows outside first..last were empty on entry (the block covers every level reachable from them) and stay
        // so; the likelihood there is never read (the backward sweep visits the same block).
        var posterior = alpha.Slice(start, length);
        // μ is affine and increasing along each row, so each row's best state and the stretch of baseline levels
        // whose likelihood survives the cutoff follow from two numbers; only that stretch (in whole vectors) is
        // evaluated.
        float shift = float.NegativeInfinity;
        for (int i = first; i <= last; i++) shift = Math.Max(shift, RowBest(i, y));
        float reach = MathF.Sqrt(-(shift + LikelihoodCutoff) / _precision);
        double sum = 0;
        for (int i = first; i <= last; i++)
        {
            int offset = i * _stride;
            var (from, to) = RowSupport(i, y, reach);
            alpha.Slice(offset, from).Clear();
            alpha.Slice(offset + to, _stride - to).Clear();
            likelihood.Slice(offset, from).Clear();
            likelihood.Slice(offset + to, _stride - to).Clear();
            if (to <= from) continue;
            var q = likelihood.Slice(offset + from, to - from);
            MlSpikeKernels.LogGaussian(_mean.AsSpan(offset + from, to - from), y, _precision, q);
            sum += MlSpikeKernels.ExpMultiply(q, shift, LikelihoodCutoff, _scratch2.AsSpan(offset + from, to - from), ProductFloor, alpha.Slice(offset + from, to - from));
        }
        if (!(sum >= MinNormaliser))
        {
            // Every state with predicted mass underflowed (an outlier far from every reachable level): shift by the
            // best state that has mass. States without mass may then exceed 1; they are capped, which is exact
            // because their predicted mass is 0.
            shift = float.NegativeInfinity;
            MlSpikeKernels.LogGaussian(mean, y, _precision, ell);
            for (int s = 0; s < length; s++)
                if (predicted[s] >= ProductFloor) shift = Math.Max(shift, ell[s]);
            TensorPrimitives.Add(ell, -shift, ell);
            TensorPrimitives.Min(ell, 0f, ell);
            MlSpikeKernels.ExpNonPositive(ell, LikelihoodCutoff);
            sum = MlSpikeKernels.Multiply(predicted, ell, posterior, ProductFloor);
        }
        MlSpikeKernels.Scale(posterior, (float)(1 / sum), ProbabilityFloor);
        return Math.Log(sum) + shift + _logNormaliser;
    }

    /// <summary>The largest log-likelihood <c>−(y − μ)² / 2σ²</c> in row i (one state: μ is monotone along the row).</summary>
    private float RowBest(int i, float y)
    {
        int offset = i * _stride, baselines = _grid.BaselineLevels;
        int j = 0;
        if (_rowSlope[i] > 0) j = Math.Clamp((int)MathF.Round((y - _mean[offset]) / _rowSlope[i]), 0, baselines - 1);
        else
        {
            // Not increasing along the row (a decreasing nonlinearity): look at every level.
            for (int k = 1; k < baselines; k++)
                if (Math.Abs(y - _mean[offset + k]) < Math.Abs(y - _mean[offset + j])) j = k;
        }
        float r = y - _mean[offset + j];
        return -_precision * r * r;
    }

    /// <summary>The columns [from, to) of row i, in whole vectors, outside which |y − μ| &gt; reach.</summary>
    private (int From, int To) RowSupport(int i, float y, float reach)
    {
        if (!(_rowSlope[i] > 0)) return (0, _stride);
        float m0 = _mean[i * _stride], slope = _rowSlope[i];
        // One level of slack on each side covers rounding in μ.
        int lo = (int)MathF.Floor((y - reach - m0) / slope) - 1, hi = (int)MathF.Ceiling((y + reach - m0) / slope) + 1;
        lo = Math.Max(lo, 0);
        hi = Math.Min(hi, _grid.BaselineLevels - 1);
        if (lo > hi) return (0, 0);
        return (lo / Lanes * Lanes, Math.Min(_stride, (hi / Lanes + 1) * Lanes));
    }

    /// <summary>The first and last calcium level holding mass (a normalised message always holds some).</summary>
    private (int Lowest, int Highest) MassRows(ReadOnlySpan<float> message)
    {
        int lowest = 0, highest = _levels - 1;
        while (lowest < highest && MlSpikeKernels.IsZero(message.Slice(lowest * _stride, _stride))) lowest++;
        while (highest > lowest && MlSpikeKernels.IsZero(message.Slice(highest * _stride, _stride))) highest--;
        return (lowest, highest);
    }

    /// <summary>The first and last level the calcium move can reach from levels lowest..highest: targets grow with
    /// the level and the spike count.</summary>
    private (int First, int Last) Reach(int lowest, int highest) =>
        (_target[lowest], Math.Min(_target[_maxSpikes * _levels + highest] + 1, _levels - 1));

    /// <summary><c>next(k, j) = Σ_{i, n} P(n) W_n(i → k) current(i, j)</c> on the levels it can reach; returns the
    /// first and last of them (rows outside are left as they were). <paramref name="current"/> must have mass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (int First, int Last) CalciumForward(ReadOnlySpan<float> current, Span<float> next)
    {
        var (lowest, highest) = MassRows(current);
        var (first, last) = Reach(lowest, highest);
        next.Slice(first * _stride, (last + 1 - first) * _stride).Clear();
        ref float source = ref MemoryMarshal.GetReference(current);
        ref float destination = ref MemoryMarshal.GetReference(next);
        for (int i = lowest; i <= highest; i++)
        {
            ref float row = ref Unsafe.Add(ref source, i * _stride);
            if (MlSpikeKernels.IsZero(current.Slice(i * _stride, _stride))) continue;
            for (int code = i; code < _target.Length; code += _levels)
            {
                float lower = _toLower[code], upper = _toUpper[code];
                ref float to = ref Unsafe.Add(ref destination, _target[code] * _stride);
                ref float above = ref Unsafe.Add(ref to, _stride); // read only when upper > 0, i.e. below the top level
                int v = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var wl = Vector256.Create(lower);
                    var wu = Vector256.Create(upper);
                    for (; v < _stride; v += Lanes)
                    {
                        var x = Vector256.LoadUnsafe(ref row, (nuint)v);
                        Vector256.FusedMultiplyAdd(x, wl, Vector256.LoadUnsafe(ref to, (nuint)v)).StoreUnsafe(ref to, (nuint)v);
                        if (upper > 0) Vector256.FusedMultiplyAdd(x, wu, Vector256.LoadUnsafe(ref above, (nuint)v)).StoreUnsafe(ref above, (nuint)v);
                    }
                }
                for (; v < _stride; v++)
                {
                    float x = Unsafe.Add(ref row, v);
                    Unsafe.Add(ref to, v) += lower * x;
                    if (upper > 0) Unsafe.Add(ref above, v) += upper * x;
                }
            }
        }
        return (first, last);
    }

    /// <summary>
    /// <c>previous(i, j) = Σ_n P(n) Σ_k W_n(i → k) h(k, j)</c>, and <c>mass_n = Σ_{i,j} α(i, j) P(n) Σ_k W_n(i → k) h(k, j)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CalciumBackward(ReadOnlySpan<float> h, ReadOnlySpan<float> alpha, Span<float> previous, Span<double> mass, int lowest, int highest)
    {
        int counts = _maxSpikes + 1;
        Span<Vector256<float>> lanes = stackalloc Vector256<float>[counts];
        lanes.Clear();
        mass.Clear();
        ref float source = ref MemoryMarshal.GetReference(h);
        var floor = Vector256.Create(ProductFloor);
        previous[..(lowest * _stride)].Clear();
        previous[((highest + 1) * _stride)..].Clear();
        for (int i = lowest; i <= highest; i++)
        {
            var target = previous.Slice(i * _stride, _stride);
            var filtered = alpha.Slice(i * _stride, _stride);
            target.Clear();
            // A level the filter pruned stays pruned backwards: its β is never paired with mass.
            if (MlSpikeKernels.IsZero(filtered)) continue;
            ref float to = ref MemoryMarshal.GetReference(target);
            ref float a = ref MemoryMarshal.GetReference(filtered);
            int v = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; v < _stride; v += Lanes)
                {
                    var weight = Vector256.LoadUnsafe(ref a, (nuint)v);
                    var sum = Vector256<float>.Zero;
                    for (int n = 0, code = i; n < counts; n++, code += _levels)
                    {
                        int k = _target[code];
                        // The top level has no level above it; its weight is 0 there, so row k is read again.
                        int up = Math.Min(k + 1, _levels - 1);
                        var r = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref source, (nuint)(k * _stride + v)), Vector256.Create(_toLower[code]),
                            Vector256.LoadUnsafe(ref source, (nuint)(up * _stride + v)) * Vector256.Create(_toUpper[code]));
                        r &= Vector256.GreaterThanOrEqual(r, floor);
                        sum += r;
                        lanes[n] = Vector256.FusedMultiplyAdd(weight, r, lanes[n]);
                    }
                    sum.StoreUnsafe(ref to, (nuint)v);
                }
            }
            for (; v < _stride; v++)
            {
                float weight = Unsafe.Add(ref a, v), sum = 0;
                for (int n = 0, code = i; n < counts; n++, code += _levels)
                {
                    int k = _target[code], up = Math.Min(k + 1, _levels - 1);
                    float r = _toLower[code] * h[k * _stride + v] + _toUpper[code] * h[up * _stride + v];
                    if (r < ProductFloor) r = 0;
                    sum += r;
                    mass[n] += weight * r;
                }
                Unsafe.Add(ref to, v) = sum;
            }
        }
        for (int n = 0; n < counts; n++) mass[n] += Vector256.Sum(lanes[n]);
    }

    /// <summary><c>next(s + d) = Σ_d band_d(s) current(s)</c>: the baseline move, along each row, for the states
    /// from <paramref name="start"/> on (whole rows: the band is 0 across row ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BaselineForward(ReadOnlySpan<float> current, Span<float> next, int start = 0)
    {
        int k = _halfWidth, n = current.Length;
        if (k == 0)
        {
            current.CopyTo(next);
            return;
        }
        MlSpikeKernels.Multiply(current, _band[k].AsSpan(start, n), next);
        for (int d = 1; d <= k; d++)
        {
            MlSpikeKernels.AddProduct(current[..(n - d)], _band[k + d].AsSpan(start, n - d), next[d..]);
            MlSpikeKernels.AddProduct(current[d..], _band[k - d].AsSpan(start + d, n - d), next[..(n - d)]);
        }
    }

    /// <summary><c>previous(s) = Σ_d band_d(s) g(s + d)</c>: the baseline move, transposed, for the states from
    /// <paramref name="start"/> on (whole rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BaselineBackward(ReadOnlySpan<float> g, Span<float> previous, int start = 0)
    {
        int k = _halfWidth, n = g.Length;
        if (k == 0)
        {
            g.CopyTo(previous);
            return;
        }
        MlSpikeKernels.Multiply(g, _band[k].AsSpan(start, n), previous);
        for (int d = 1; d <= k; d++)
        {
            MlSpikeKernels.AddProduct(g[d..], _band[k + d].AsSpan(start, n - d), previous[..(n - d)]);
            MlSpikeKernels.AddProduct(g[..(n - d)], _band[k - d].AsSpan(start + d, n - d), previous[d..]);
        }
    }

    /// <summary>Posterior means of calcium and baseline from <c>α_t ⊙ β_t</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (float Calcium, float Baseline) PosteriorMeans(ReadOnlySpan<float> alpha, ReadOnlySpan<float> beta)
    {
        var columns = _scratch.AsSpan(0, _stride);
        columns.Clear();
        var product = _scratch2.AsSpan(0, _stride);
        double total = 0, calcium = 0;
        var (lowest, highest) = MassRows(alpha);
        for (int i = lowest; i <= highest; i++)
        {
            double rowMass = MlSpikeKernels.Multiply(alpha.Slice(i * _stride, _stride), beta.Slice(i * _stride, _stride), product);
            MlSpikeKernels.AddScaled(product, 1, columns);
            total += rowMass;
            calcium += rowMass * _grid.Calcium(i);
        }
        double baseline = 0;
        for (int j = 0; j < _grid.BaselineLevels; j++) baseline += columns[j] * _grid.Baseline(j);
        return total > 0 ? ((float)(calcium / total), (float)(baseline / total)) : (0, (float)_grid.Baseline(0));
    }
}

/// <summary>Posterior marginals per frame from <see cref="MlSpikeHmm.Smooth"/>.</summary>
/// <param name="ExpectedSpikes"><c>E[n_t | F]</c>.</param>
/// <param name="SpikeProbability"><c>P(n_t ≥ 1 | F)</c>.</param>
/// <param name="Calcium"><c>E[c_t | F]</c>, one-spike units.</param>
/// <param name="Baseline"><c>E[B_t | F]</c>, trace units.</param>
/// <param name="LogLikelihood"><c>log p(F)</c>.</param>
internal sealed record MlSpikeMarginals(float[] ExpectedSpikes, float[] SpikeProbability, float[] Calcium, float[] Baseline, double LogLikelihood);
