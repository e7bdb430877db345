using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    // Three rented buffers: the last solve (_pools), the latest kept lower solve (_kept) and the first, lowest
    // kept solve (_floor) may share buffers; a solve writes into one that holds neither kept solve.
    private Pool[][] _buffers;
    private Pool[] _pools, _kept, _floor;
    private int _count, _keptCount, _floorCount;
    private double _shift, _boundaryLambda, _keptShift = double.PositiveInfinity, _keptBoundaryLambda;
    private double _floorShift = double.PositiveInfinity, _floorBoundaryLambda;

    public OasisAr1Solver(double[] y, double gamma, double minSpikeSize) : base(y, [gamma], minSpikeSize)
    {
        _gamma = gamma;
        _buffers = [ArrayPool<Pool>.Shared.Rent(y.Length), ArrayPool<Pool>.Shared.Rent(y.Length), ArrayPool<Pool>.Shared.Rent(y.Length)];
        _pools = _buffers[0];
        _kept = _floor = [];
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
        Pool[] pools = _buffers[0];
        foreach (var buffer in _buffers)
            if (!ReferenceEquals(buffer, _kept) && !ReferenceEquals(buffer, _floor)) { pools = buffer; break; }
        _pools = pools;
        double g = _gamma, sMin = MinSpikeSize;
        int n = y.Length, next = 0;
        // The newest pool ("top") lives in locals, pools[0..count) below it: most frames only touch the top.
        int count = 0, topStart = 0, topLength = 0;
        double topNumerator = 0, topWeight = 1, topDecay = 1, topOnes = 0, topEdge = 0;
        bool hasTop = false;
        // Restart from the latest kept solve below this shift, else from the lowest one.
        bool fromKept = _keptCount > 0 && shift >= _keptShift;
        bool fromFloor = !fromKept && _floorCount > 0 && shift >= _floorShift;
        if (fromKept || fromFloor)
        {
            var source = fromKept ? _kept : _floor;
            int sourceCount = fromKept ? _keptCount : _floorCount;
            // Shift all kept pools but the last and re-merge them; rebuild the last from its frames.
            double dShift = (fromKept ? _keptShift : _floorShift) - shift;
            double dBoundary = (fromKept ? _keptBoundaryLambda : _floorBoundaryLambda) - boundaryLambda;
            if (sourceCount > 1)
            {
                ref Pool k = ref source[0];
                (topNumerator, topWeight, topDecay, topOnes, topEdge, topStart, topLength) =
                    (k.Numerator + dShift * k.Ones + dBoundary * k.Edge, k.Weight, k.Decay, k.Ones, k.Edge, k.Start, k.Length);
                hasTop = true;
                ShiftedPools(source, sourceCount - 1, dShift, dBoundary, ref count, ref topNumerator, ref topWeight, ref topDecay, ref topOnes, ref topEdge, ref topStart, ref topLength);
            }
            next = source[sourceCount - 1].Start;
        }
        int start = next;
        if (!hasTop && start < n - 1)
        {
            (topNumerator, topWeight, topDecay, topOnes, topEdge, topStart, topLength) = (y[start] - shift, 1, g, 1, 0, start, 1);
            hasTop = true;
            start++;
        }
        if (hasTop && start < n - 1)
            start = InteriorFrames(start, shift, ref count, ref topNumerator, ref topWeight, ref topDecay, ref topOnes, ref topEdge, ref topStart, ref topLength);
        // The last frame (and any frame before a top exists), which carries the boundary penalty.
        for (int t = start; t < n; t++)
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
                MergeDown(pools, sMin, ref count, ref topNumerator, ref topWeight, ref topDecay, ref topOnes, ref topEdge, ref topStart, ref topLength);
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

    /// <summary>
    /// Merges the top pool (held in locals) into the pools below while it would need a spike below
    /// s_min: <c>v_prev γ^l + s_min &gt; v_top</c>, multiplied through by both (positive) weights.
    /// <see cref="InteriorFrames"/> inlines the same merge with the test's left side cached, for speed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MergeDown(Pool[] pools, double sMin, ref int count, ref double topNumerator, ref double topWeight,
        ref double topDecay, ref double topOnes, ref double topEdge, ref int topStart, ref int topLength)
    {
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

    /// <summary>
    /// The restart loop of <see cref="Solve"/>: pools <c>source[1..end)</c>, their numerators shifted by
    /// <c>dShift·Ones + dBoundary·Edge</c>, pushed one by one onto the pools below a top already in the locals
    /// and re-merged. The same merge as <see cref="InteriorFrames"/>, on locals with the pool below the top
    /// cached as its threshold (passing the locals by reference to a helper would keep them in memory).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ShiftedPools(Pool[] source, int end, double dShift, double dBoundary, ref int countRef, ref double topNumeratorRef,
        ref double topWeightRef, ref double topDecayRef, ref double topOnesRef, ref double topEdgeRef, ref int topStartRef, ref int topLengthRef)
    {
        int count = countRef, topStart = topStartRef, topLength = topLengthRef;
        double sMin = MinSpikeSize;
        double topNumerator = topNumeratorRef, topWeight = topWeightRef, topDecay = topDecayRef, topOnes = topOnesRef, topEdge = topEdgeRef;
        ref Pool sourceRef = ref MemoryMarshal.GetArrayDataReference(source);
        ref Pool poolRef = ref MemoryMarshal.GetArrayDataReference(_pools);
        System.Diagnostics.Debug.Assert(end <= source.Length && !ReferenceEquals(source, _pools));
        if (dShift == 0 && count == 0)
        {
            // Same shift, only λ on the last frame changed (the search's lag update): the kept pools but the last
            // carry no edge weight, so their sums are unchanged and, being a solution, none of them merges.
            Array.Copy(source, _pools, end - 1);
            ref Pool last = ref Unsafe.Add(ref sourceRef, end - 1);
            System.Diagnostics.Debug.Assert(last.Edge == 0 && (end < 2 || Unsafe.Add(ref sourceRef, end - 2).Edge == 0));
            (countRef, topNumeratorRef, topWeightRef, topDecayRef, topOnesRef, topEdgeRef, topStartRef, topLengthRef) =
                (end - 1, last.Numerator, last.Weight, last.Decay, last.Ones, last.Edge, last.Start, last.Length);
            return;
        }
        double prevThreshold = double.NegativeInfinity, prevWeight = 1;
        if (count > 0)
        {
            ref Pool p = ref Unsafe.Add(ref poolRef, count - 1);
            (prevThreshold, prevWeight) = (p.Numerator * p.Decay + sMin * p.Weight, p.Weight);
        }
        for (int j = 1; j < end; j++)
        {
            ref Pool k = ref Unsafe.Add(ref sourceRef, j);
            ref Pool pushed = ref Unsafe.Add(ref poolRef, count++);
            pushed.Numerator = topNumerator; pushed.Weight = topWeight; pushed.Decay = topDecay;
            pushed.Ones = topOnes; pushed.Edge = topEdge; pushed.Start = topStart; pushed.Length = topLength;
            (prevThreshold, prevWeight) = (topNumerator * topDecay + sMin * topWeight, topWeight);
            (topNumerator, topWeight, topDecay, topOnes, topEdge, topStart, topLength) =
                (k.Numerator + dShift * k.Ones + dBoundary * k.Edge, k.Weight, k.Decay, k.Ones, k.Edge, k.Start, k.Length);
            while (prevThreshold * topWeight > topNumerator * prevWeight)
            {
                ref Pool prev = ref Unsafe.Add(ref poolRef, count - 1);
                double d = prev.Decay;
                topNumerator = prev.Numerator + d * topNumerator;
                topWeight = prev.Weight + d * d * topWeight;
                topOnes = prev.Ones + d * topOnes;
                topEdge = prev.Edge + d * topEdge;
                topDecay = d * topDecay;
                topStart = prev.Start;
                topLength += prev.Length;
                count--;
                if (count > 0)
                {
                    ref Pool p = ref Unsafe.Add(ref poolRef, count - 1);
                    (prevThreshold, prevWeight) = (p.Numerator * p.Decay + sMin * p.Weight, p.Weight);
                }
                else (prevThreshold, prevWeight) = (double.NegativeInfinity, 1);
            }
        }
        (countRef, topNumeratorRef, topWeightRef, topDecayRef, topOnesRef, topEdgeRef, topStartRef, topLengthRef) =
            (count, topNumerator, topWeight, topDecay, topOnes, topEdge, topStart, topLength);
    }

    /// <summary>
    /// The frame loop of <see cref="Solve"/> for frames <c>[start, T−1)</c> (edge weight 0), with a top pool
    /// already in the locals; the pool below the top is cached as its merge threshold. Returns T − 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int InteriorFrames(int start, double shift, ref int countRef, ref double topNumeratorRef, ref double topWeightRef,
        ref double topDecayRef, ref double topOnesRef, ref double topEdgeRef, ref int topStartRef, ref int topLengthRef)
    {
        var y = Y;
        int end = y.Length - 1, count = countRef, topStart = topStartRef, topLength = topLengthRef;
        double g = _gamma, sMin = MinSpikeSize;
        double topNumerator = topNumeratorRef, topWeight = topWeightRef, topDecay = topDecayRef, topOnes = topOnesRef, topEdge = topEdgeRef;
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(y);
        ref Pool poolRef = ref MemoryMarshal.GetArrayDataReference(_pools);
        System.Diagnostics.Debug.Assert(_pools.Length >= y.Length && start >= 1 && end < y.Length);
        // The merge test against the pool below is prevThreshold·W_top > N_top·prevWeight; with no pool
        // below, −∞ never merges.
        double prevThreshold = double.NegativeInfinity, prevWeight = 1;
        if (count > 0)
        {
            ref Pool p = ref Unsafe.Add(ref poolRef, count - 1);
            (prevThreshold, prevWeight) = (p.Numerator * p.Decay + sMin * p.Weight, p.Weight);
        }
        // Whether a frame joins the top or opens a pool is close to a coin flip on noisy data (a third of the
        // frames open one, most of which merge back later), so that choice is made without a branch: the top
        // is written to the free slot above the pools every frame and kept there only if a new pool opens.
        // Merges, rarer, stay a loop.
        for (int t = start; t < end; t++)
        {
            double v = Unsafe.Add(ref yRef, t) - shift;
            double threshold = topNumerator * topDecay + sMin * topWeight, vWeight = v * topWeight;
            bool joins = threshold > vWeight;
            var join = Vector128.GreaterThan(Vector128.CreateScalarUnsafe(threshold), Vector128.CreateScalarUnsafe(vWeight));
            ref Pool pushed = ref Unsafe.Add(ref poolRef, count);
            pushed.Numerator = topNumerator; pushed.Weight = topWeight; pushed.Decay = topDecay;
            pushed.Ones = topOnes; pushed.Edge = topEdge; pushed.Start = topStart; pushed.Length = topLength;
            double decay = topDecay, weight = topWeight;
            topNumerator = Select(join, topNumerator + decay * v, v);
            topWeight = Select(join, weight + decay * decay, 1);
            topOnes = Select(join, topOnes + decay, 1);
            topEdge = Select(join, topEdge, 0);
            topDecay = Select(join, decay * g, g);
            prevThreshold = Select(join, prevThreshold, threshold);
            prevWeight = Select(join, prevWeight, weight);
            int opens = 1 - Unsafe.BitCast<bool, byte>(joins), keep = opens - 1; // keep: all ones if the frame joins
            topStart = t + ((topStart - t) & keep);
            topLength = (topLength & keep) + 1;
            count += opens;
            while (prevThreshold * topWeight > topNumerator * prevWeight)
            {
                ref Pool prev = ref Unsafe.Add(ref poolRef, count - 1);
                double d = prev.Decay;
                topNumerator = prev.Numerator + d * topNumerator;
                topWeight = prev.Weight + d * d * topWeight;
                topOnes = prev.Ones + d * topOnes;
                topEdge = prev.Edge + d * topEdge;
                topDecay = d * topDecay;
                topStart = prev.Start;
                topLength += prev.Length;
                count--;
                if (count > 0)
                {
                    ref Pool p = ref Unsafe.Add(ref poolRef, count - 1);
                    (prevThreshold, prevWeight) = (p.Numerator * p.Decay + sMin * p.Weight, p.Weight);
                }
                else (prevThreshold, prevWeight) = (double.NegativeInfinity, 1);
            }
        }
        (countRef, topNumeratorRef, topWeightRef, topDecayRef, topOnesRef, topEdgeRef, topStartRef, topLengthRef) =
            (count, topNumerator, topWeight, topDecay, topOnes, topEdge, topStart, topLength);
        return end;
    }

    /// <summary><paramref name="ifTrue"/> where <paramref name="mask"/>'s low lane is all ones, else <paramref name="ifFalse"/>, without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Select(Vector128<double> mask, double ifTrue, double ifFalse) =>
        Vector128.ConditionalSelect(mask, Vector128.CreateScalarUnsafe(ifTrue), Vector128.CreateScalarUnsafe(ifFalse)).ToScalar();

    public override void KeepAsLowerBound()
    {
        // No copy: the next solve writes into another buffer.
        _kept = _pools;
        _keptCount = _count;
        _keptShift = _shift;
        _keptBoundaryLambda = _boundaryLambda;
        if (_floorCount == 0)
        {
            _floor = _pools;
            _floorCount = _count;
            _floorShift = _shift;
            _floorBoundaryLambda = _boundaryLambda;
        }
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
            if (j > 0) spikes[p.Start] = Spike(j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Materialize(Span<float> calcium, Span<float> spikes)
    {
        // The same values as the double overload, rounded once.
        double g = _gamma;
        spikes.Clear();
        for (int j = 0; j < _count; j++)
        {
            ref Pool p = ref _pools[j];
            double value = Value(j);
            if (j > 0) spikes[p.Start] = (float)Spike(j);
            int end = p.Start + p.Length;
            for (int t = p.Start; t < end; t++)
            {
                calcium[t] = (float)value;
                value *= g;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void MaterializeSpikes(Span<float> spikes)
    {
        spikes.Clear();
        for (int j = 1; j < _count; j++) spikes[_pools[j].Start] = (float)Spike(j);
    }

    public override void Dispose()
    {
        foreach (var buffer in _buffers) ArrayPool<Pool>.Shared.Return(buffer);
        _buffers = [];
        _pools = _kept = _floor = [];
        _count = _keptCount = _floorCount = 0;
    }

    /// <summary>Pool j's first calcium value, clamped at 0 (first pool) or below s_min (later pools).</summary>
    private double Value(int j)
    {
        double v = _pools[j].Numerator / _pools[j].Weight;
        return j == 0 ? (v < 0 ? 0 : v) : (v < MinSpikeSize ? 0 : v);
    }

    /// <summary>
    /// The spike opening pool j ≥ 1: its first value minus the decayed last value of pool j − 1,
    /// <c>v_j − γ^{l_{j−1}} v_{j−1}</c> (the same as from the calcium, up to rounding), clamped at 0.
    /// </summary>
    private double Spike(int j) => Math.Max(0, Value(j) - _pools[j - 1].Decay * Value(j - 1));

    /// <summary>
    /// The sums over the pools of the last solve: on pool j, <c>c = v γ^k</c> and <c>u = q γ^k</c> with
    /// <c>v = Numerator / Weight</c>, <c>q = Ones / Weight</c>, and <c>Σ_k γ^k y = Numerator + φ·Ones + λ_b·Edge</c>;
    /// clamped pools (value 0) add nothing. Four pools per step after the first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SolveSums Sums()
    {
        ref Pool poolRef = ref MemoryMarshal.GetArrayDataReference(_pools);
        var (shift, boundary, sMin) = (Vector256.Create(_shift), Vector256.Create(_boundaryLambda), Vector256.Create(MinSpikeSize));
        Vector256<double> c = default, yc = default, cc = default, u = default, uu = default, yu = default;
        int j = 1;
        for (; j <= _count - 4; j += 4)
        {
            ref Pool p0 = ref Unsafe.Add(ref poolRef, j);
            ref Pool p1 = ref Unsafe.Add(ref p0, 1);
            ref Pool p2 = ref Unsafe.Add(ref p0, 2);
            ref Pool p3 = ref Unsafe.Add(ref p0, 3);
            var numerator = Vector256.Create(p0.Numerator, p1.Numerator, p2.Numerator, p3.Numerator);
            var weight = Vector256.Create(p0.Weight, p1.Weight, p2.Weight, p3.Weight);
            var ones = Vector256.Create(p0.Ones, p1.Ones, p2.Ones, p3.Ones);
            var edge = Vector256.Create(p0.Edge, p1.Edge, p2.Edge, p3.Edge);
            var inverseWeight = Vector256<double>.One / weight;
            var v = numerator * inverseWeight;
            // Pools after the first are clamped to 0 below s_min (and add nothing at exactly 0).
            var active = Vector256.GreaterThanOrEqual(v, sMin) & ~Vector256.Equals(v, Vector256<double>.Zero);
            v = Vector256.ConditionalSelect(active, v, default);
            var q = Vector256.ConditionalSelect(active, ones * inverseWeight, default);
            var data = numerator + shift * ones + boundary * edge;
            c += v * ones; yc += v * data; cc += v * v * weight;
            u += q * ones; uu += q * q * weight; yu += q * data;
        }
        var sums = new SolveSums(Vector256.Sum(c), Vector256.Sum(yc), Vector256.Sum(cc), Vector256.Sum(u), Vector256.Sum(uu), Vector256.Sum(yu), 0);
        if (_count > 0) sums = AddPool(sums, ref poolRef, first: true);
        for (; j < _count; j++) sums = AddPool(sums, ref Unsafe.Add(ref poolRef, j), first: false);
        // Σ c u = Σ_pools v q Weight = Σ_pools v Ones = Σ c.
        return sums with { CU = sums.C };
    }

    /// <summary><paramref name="sums"/> plus pool <paramref name="p"/>'s terms (see <see cref="Sums"/>); the first pool is clamped below 0.</summary>
    private SolveSums AddPool(SolveSums sums, ref Pool p, bool first)
    {
        double inverseWeight = 1 / p.Weight;
        double v = p.Numerator * inverseWeight;
        if (first ? v < 0 : v < MinSpikeSize || v == 0) return sums;
        double data = p.Numerator + _shift * p.Ones + _boundaryLambda * p.Edge;
        double q = p.Ones * inverseWeight;
        return new SolveSums(sums.C + v * p.Ones, sums.YC + v * data, sums.CC + v * v * p.Weight,
            sums.U + q * p.Ones, sums.UU + q * q * p.Weight, sums.YU + q * data, 0);
    }
}
