using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DeepSpike.Baselines;

/// <summary>
/// OASIS for AR(1) (Friedrich, Zhou &amp; Paninski 2017, Algorithm 1): the exact solution of
/// <c>min ½‖ỹ − c‖²</c> s.t. <c>c_0 ≥ 0</c>, <c>s_t = c_t − γ c_{t−1} ≥ 0</c>.
/// </summary>
/// <remarks>
/// Frames are added left to right as pools; a pool is a run <c>c_{t+k} = v γ^k</c> whose least-squares
/// value is <c>v = Σ_k γ^k ỹ_{t+k} / Σ_k γ^{2k}</c>. Whenever the newest pool would need a spike below
/// s_min (<c>v_i &lt; γ^{l_{i−1}} v_{i−1} + s_min</c>) it is merged into its predecessor with O(1) updates of
/// its sums, and the check repeats backwards: O(T) for the pass. Pool values that end below 0 (first pool) or
/// s_min (later pools) are set to 0. With s_min &gt; 0 the problem is not convex and this greedy pass is
/// OASIS's approximation (the optimum on its own spike support).
/// <para>
/// A pool's sums are linear in the shift, so a solve at a larger shift φ (which only ever merges pools: the
/// gap <c>v_i − γ^l v_{i−1}</c> decreases in φ for every pair) restarts from a kept lower solution, shifts its
/// pools' sums and re-merges them in O(#pools); only the last pool, which also carries the boundary penalty,
/// is rebuilt frame by frame. Pool storage is rented and returned by <see cref="Dispose"/>.
/// </para>
/// </remarks>
internal sealed class OasisAr1Solver : OasisSolver
{
    private readonly double _gamma;
    private Pool[] _pools, _kept;
    private int _count, _keptCount;
    private double _shift, _boundaryLambda, _keptShift = double.PositiveInfinity, _keptBoundaryLambda;

    public OasisAr1Solver(double[] y, double gamma, double minSpikeSize) : base(y, [gamma], minSpikeSize)
    {
        _gamma = gamma;
        _pools = ArrayPool<Pool>.Shared.Rent(y.Length);
        _kept = ArrayPool<Pool>.Shared.Rent(y.Length);
    }

    /// <summary>Frames <c>[Start, Start + Length)</c> with first value <c>Numerator / Weight</c> at the solve's shift.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Pool
    {
        public double Numerator; // Σ_k γ^k ỹ_{Start+k}
        public double Weight;    // Σ_k γ^{2k}
        public double Decay;     // γ^Length
        public double Ones;      // Σ_k γ^k: the numerator's slope in −φ
        public double Edge;      // Σ_k γ^k e_{Start+k}: its slope in −λ_b (γ^Length for the pool holding frame T−1)
        public int Start;
        public int Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override SolveSums Solve(double shift, double boundaryLambda)
    {
        var y = Y;
        var pools = _pools;
        double g = _gamma, sMin = MinSpikeSize;
        int n = y.Length, next = 0;
        // The newest pool ("top") lives in locals, pools[0..count) below it: most frames only touch the top.
        int count = 0, topStart = 0, topLength = 0;
        double topNumerator = 0, topWeight = 1, topDecay = 1, topOnes = 0, topEdge = 0;
        bool hasTop = false;
        if (_keptCount > 0 && shift >= _keptShift)
        {
            // Shift all kept pools but the last and re-merge them; rebuild the last from its frames.
            double dShift = _keptShift - shift, dBoundary = _keptBoundaryLambda - boundaryLambda;
            for (int j = 0; j < _keptCount - 1; j++)
            {
                ref Pool k = ref _kept[j];
                if (hasTop) pools[count++] = new Pool { Numerator = topNumerator, Weight = topWeight, Decay = topDecay, Ones = topOnes, Edge = topEdge, Start = topStart, Length = topLength };
                (topNumerator, topWeight, topDecay, topOnes, topEdge, topStart, topLength) =
                    (k.Numerator + dShift * k.Ones + dBoundary * k.Edge, k.Weight, k.Decay, k.Ones, k.Edge, k.Start, k.Length);
                hasTop = true;
                // Merge as in the frame loop below.
                while (count > 0)
                {
                    ref Pool prev = ref pools[count - 1];
                    if ((prev.Numerator * prev.Decay + sMin * prev.Weight) * topWeight <= topNumerator * prev.Weight) break;
                    double d = prev.Decay;
                    topNumerator = prev.Numerator + d * topNumerator;
                    topWeight = prev.Weight + d * d * topWeight;
                    topOnes = prev.Ones + d * topOnes;
                    topEdge = prev.Edge + d * topEdge;
                    topDecay = d * topDecay;
                    topStart = prev.Start;
                    topLength += prev.Length;
                    count--;
                }
            }
            next = _kept[_keptCount - 1].Start;
        }
        for (int t = next; t < n; t++)
        {
            double edge = t == n - 1 ? g : 0;
            double v = y[t] - shift - boundaryLambda * edge;
            // The common case: the frame is below the top pool's decay, so it joins that pool directly.
            if (hasTop && topNumerator * topDecay + sMin * topWeight > v * topWeight)
            {
                double decay = topDecay;
                topNumerator += decay * v;
                topWeight += decay * decay;
                topOnes += decay;
                topEdge += decay * edge;
                topDecay = decay * g;
                topLength++;
                // The top into the pool below while it would need a spike below s_min:
                // v_prev γ^l + s_min > v_top, multiplied through by both (positive) weights.
                while (count > 0)
                {
                    ref Pool prev = ref pools[count - 1];
                    if ((prev.Numerator * prev.Decay + sMin * prev.Weight) * topWeight <= topNumerator * prev.Weight) break;
                    double d = prev.Decay;
                    topNumerator = prev.Numerator + d * topNumerator;
                    topWeight = prev.Weight + d * d * topWeight;
                    topOnes = prev.Ones + d * topOnes;
                    topEdge = prev.Edge + d * topEdge;
                    topDecay = d * topDecay;
                    topStart = prev.Start;
                    topLength += prev.Length;
                    count--;
                }
                continue;
            }
            if (hasTop) pools[count++] = new Pool { Numerator = topNumerator, Weight = topWeight, Decay = topDecay, Ones = topOnes, Edge = topEdge, Start = topStart, Length = topLength };
            (topNumerator, topWeight, topDecay, topOnes, topEdge, topStart, topLength) = (v, 1, g, 1, edge, t, 1);
            hasTop = true;
        }
        pools[count++] = new Pool { Numerator = topNumerator, Weight = topWeight, Decay = topDecay, Ones = topOnes, Edge = topEdge, Start = topStart, Length = topLength };
        _count = count;
        _shift = shift;
        _boundaryLambda = boundaryLambda;
        return Sums();
    }

    public override void KeepAsLowerBound()
    {
        Array.Copy(_pools, _kept, _count);
        _keptCount = _count;
        _keptShift = _shift;
        _keptBoundaryLambda = _boundaryLambda;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Materialize(Span<double> calcium, Span<double> spikes)
    {
        double g = _gamma;
        spikes.Clear();
        for (int j = 0; j < _count; j++)
        {
            ref Pool p = ref _pools[j];
            double value = Value(j);
            int end = p.Start + p.Length;
            for (int t = p.Start; t < end; t++)
            {
                calcium[t] = value;
                value *= g;
            }
            if (j > 0) spikes[p.Start] = Math.Max(0, calcium[p.Start] - g * calcium[p.Start - 1]);
        }
    }

    public override void Dispose()
    {
        if (_pools.Length > 0) ArrayPool<Pool>.Shared.Return(_pools);
        if (_kept.Length > 0) ArrayPool<Pool>.Shared.Return(_kept);
        _pools = _kept = [];
        _count = _keptCount = 0;
    }

    /// <summary>Pool j's first calcium value, clamped at 0 (first pool) or below s_min (later pools).</summary>
    private double Value(int j)
    {
        double v = _pools[j].Numerator / _pools[j].Weight;
        return j == 0 ? (v < 0 ? 0 : v) : (v < MinSpikeSize ? 0 : v);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SolveSums Sums()
    {
        double c = 0, yc = 0, cc = 0, u = 0, uu = 0, yu = 0;
        for (int j = 0; j < _count; j++)
        {
            ref Pool p = ref _pools[j];
            double inverseWeight = 1 / p.Weight;
            double v = p.Numerator * inverseWeight;
            if (j == 0 ? v < 0 : v < MinSpikeSize || v == 0) continue;
            // c = v γ^k and u = (Ones / Weight) γ^k on this pool; Σ_k γ^k y = Numerator + φ·Ones + λ_b·Edge.
            double data = p.Numerator + _shift * p.Ones + _boundaryLambda * p.Edge;
            double q = p.Ones * inverseWeight;
            c += v * p.Ones; yc += v * data; cc += v * v * p.Weight;
            u += q * p.Ones; uu += q * q * p.Weight; yu += q * data;
        }
        // Σ c u = Σ_pools v q Weight = Σ_pools v Ones = Σ c.
        return new SolveSums(c, yc, cc, u, uu, yu, c);
    }
}
