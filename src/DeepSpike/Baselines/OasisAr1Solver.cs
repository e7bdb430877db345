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
/// With s_min = 0 merging is pooling adjacent violators, and any order of merges ends at the unique minimiser:
/// long passes then run the two halves of the trace as independent chains interleaved frame by frame (the
/// frame loop is bound by its dependency chain), and join the second half's pools onto the first's.
/// </para>
/// <para>
/// A pool's sums are linear in the shift, so a solve at a larger shift φ (which only ever merges pools: the
/// gap <c>v_i − γ^l v_{i−1}</c> decreases in φ for every pair) restarts from a kept lower solution, shifts its
/// pools' sums and re-merges them in O(#pools); only the last pool, the one that carries the boundary
/// penalty, is rebuilt frame by frame. Pool storage is rented and returned by <see cref="Dispose"/>.
/// </para>
/// </remarks>
internal sealed class OasisAr1Solver : OasisSolver
{
    /// <summary>Interior frames from which a pass with s_min = 0 runs as two chains; shorter ones gain nothing.</summary>
    public const int TwoChainMinFrames = 512;

    private readonly double _gamma;
    // Three rented buffers: the last solve (_pools), the latest kept lower solve (_kept) and the first, lowest
    // kept solve (_floor) may share buffers; a solve writes into one that holds neither kept solve.
    private Pool[][] _buffers;
    private Pool[] _pools, _kept, _floor;
    private int _count, _keptCount, _floorCount;
    private double _shift, _boundaryLambda, _lastEdge, _keptShift = double.PositiveInfinity, _floorShift = double.PositiveInfinity;

    public OasisAr1Solver(double[] y, double gamma, double minSpikeSize) : base(y, [gamma], minSpikeSize)
    {
        _gamma = gamma;
        _buffers = [ArrayPool<Pool>.Shared.Rent(y.Length), ArrayPool<Pool>.Shared.Rent(y.Length), ArrayPool<Pool>.Shared.Rent(y.Length)];
        _pools = _buffers[0];
        _kept = _floor = [];
    }

    /// <summary>
    /// Frames from <c>Start</c> to the next pool's start (or T), with first value <c>Numerator / Weight</c> at the
    /// solve's shift. Only the last pool holds frame T − 1, the one frame with edge weight; its edge sum
    /// <c>Σ_k γ^k e_{Start+k}</c> (the numerator's slope in −λ_b) is kept apart, so pools stay small.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Pool
    {
        public double Numerator; // Σ_k γ^k ỹ_{Start+k}
        public double Weight;    // Σ_k γ^{2k}
        public double Decay;     // γ^length
        public double Ones;      // Σ_k γ^k: the numerator's slope in −φ
        public int Start;
    }

    /// <summary>
    /// A pass in progress: the newest pool ("top", out of the array while frames join it), the number of pools
    /// below it in the chain's stack, and the pool just below cached as its merge threshold.
    /// </summary>
    private struct Chain
    {
        public double Numerator, Weight, Decay, Ones;
        public int Start;
        public int Count;
        public double PrevThreshold; // Numerator·Decay + s_min·Weight of the pool below; −∞ if none (never merges)
        public double PrevWeight;    // its Weight (1 if none)
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override SolveSums Solve(double shift, double boundaryLambda)
    {
        var y = Y;
        Pool[] pools = _buffers[0];
        foreach (var buffer in _buffers)
            if (!ReferenceEquals(buffer, _kept) && !ReferenceEquals(buffer, _floor)) { pools = buffer; break; }
        _pools = pools;
        double g = _gamma;
        int n = y.Length;
        // Restart from the latest kept solve below this shift, else from the lowest one, else from frame 0.
        bool fromKept = _keptCount > 1 && shift >= _keptShift;
        bool fromFloor = !fromKept && _floorCount > 1 && shift >= _floorShift;
        Chain chain;
        int next;
        if (fromKept || fromFloor)
        {
            var source = fromKept ? _kept : _floor;
            int sourceCount = fromKept ? _keptCount : _floorCount;
            // Shift all kept pools but the last and re-merge them; rebuild the last from its frames.
            ShiftedPools(source, sourceCount - 1, (fromKept ? _keptShift : _floorShift) - shift, out chain);
            next = source[sourceCount - 1].Start;
        }
        else
        {
            chain = Open(0, y[0] - shift, 0);
            next = 1;
        }
        // Frame T − 1 carries the boundary penalty, λ_b·e with e = γ; for n = 1 it is the frame just opened.
        double edge = 0;
        if (n == 1) { chain.Numerator -= boundaryLambda * g; edge = g; }
        if (next < n - 1)
        {
            if (MinSpikeSize == 0 && n - 1 - next >= TwoChainMinFrames) InteriorFramesTwoChains(ref chain, next, n - 1, shift);
            else InteriorFrames(ref chain, ref MemoryMarshal.GetArrayDataReference(pools), next, n - 1, shift);
        }
        if (n > 1) edge = LastFrame(ref chain, y[n - 1] - shift - boundaryLambda * g, n - 1);
        ref Pool last = ref pools[chain.Count];
        (last.Numerator, last.Weight, last.Decay, last.Ones, last.Start) = (chain.Numerator, chain.Weight, chain.Decay, chain.Ones, chain.Start);
        _count = chain.Count + 1;
        _lastEdge = edge;
        _shift = shift;
        _boundaryLambda = boundaryLambda;
        return Sums();
    }

    /// <summary>A chain whose top is the single frame <paramref name="t"/> with data <paramref name="v"/>, above <paramref name="count"/> pools.</summary>
    private Chain Open(int t, double v, int count)
    {
        var chain = new Chain { Numerator = v, Weight = 1, Decay = _gamma, Ones = 1, Start = t, Count = count };
        SetPrev(ref chain, _pools.AsSpan());
        return chain;
    }

    /// <summary>Caches the threshold of the pool below the top (<c>stack[Count − 1]</c>), or −∞ if there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // so that callers' chains stay in registers
    private void SetPrev(ref Chain chain, Span<Pool> stack)
    {
        if (chain.Count == 0) { (chain.PrevThreshold, chain.PrevWeight) = (double.NegativeInfinity, 1); return; }
        ref Pool p = ref stack[chain.Count - 1];
        (chain.PrevThreshold, chain.PrevWeight) = (Threshold(p.Numerator, p.Decay, p.Weight, MinSpikeSize), p.Weight);
    }

    /// <summary><c>N·γ^l + s_min·W</c>: the top merges into a pool with these sums if this times its weight exceeds its numerator times W.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Threshold(double numerator, double decay, double weight, double sMin)
    {
        double threshold = numerator * decay;
        if (sMin != 0) threshold += sMin * weight;
        return threshold;
    }

    /// <summary>
    /// Adds one frame with data <paramref name="v"/> to a chain whose stack starts at <paramref name="stack"/>.
    /// </summary>
    /// <remarks>
    /// Whether a frame joins the top or opens a pool is close to a coin flip on noisy data (a third of the frames
    /// open one, most of which merge back later), so that choice is made without a branch: the top is written
    /// to the free slot above the stack every frame and kept there only if a new pool opens. Merges, rarer,
    /// stay a loop. Inlined, the chain's fields live in registers.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddFrame(ref Chain c, ref Pool stack, double v, int t, double g, double sMin)
    {
        double threshold = Threshold(c.Numerator, c.Decay, c.Weight, sMin), weight = c.Weight, decay = c.Decay;
        var joins = Vector128.GreaterThan(Vector128.CreateScalarUnsafe(threshold), Vector128.CreateScalarUnsafe(v * weight));
        ref Pool pushed = ref Unsafe.Add(ref stack, c.Count);
        pushed.Numerator = c.Numerator;
        pushed.Weight = weight;
        pushed.Decay = decay;
        pushed.Ones = c.Ones;
        pushed.Start = c.Start;
        c.Numerator = Select(joins, c.Numerator + decay * v, v);
        c.Weight = Select(joins, weight + decay * decay, 1);
        c.Ones = Select(joins, c.Ones + decay, 1);
        c.Decay = Select(joins, decay * g, g);
        c.PrevThreshold = Select(joins, c.PrevThreshold, threshold);
        c.PrevWeight = Select(joins, c.PrevWeight, weight);
        int opens = 1 - (int)joins.ExtractMostSignificantBits();
        c.Start = t + ((c.Start - t) & (opens - 1));
        c.Count += opens;
        while (c.PrevThreshold * c.Weight > c.Numerator * c.PrevWeight)
            MergeTop(ref c, ref stack, sMin);
    }

    /// <summary>Merges the top into the pool below it (which must exist) and caches the next one down.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MergeTop(ref Chain c, ref Pool stack, double sMin)
    {
        ref Pool prev = ref Unsafe.Add(ref stack, c.Count - 1);
        double d = prev.Decay;
        c.Numerator = prev.Numerator + d * c.Numerator;
        c.Weight = prev.Weight + d * d * c.Weight;
        c.Ones = prev.Ones + d * c.Ones;
        c.Decay = d * c.Decay;
        c.Start = prev.Start;
        c.Count--;
        if (c.Count > 0)
        {
            ref Pool p = ref Unsafe.Add(ref stack, c.Count - 1);
            (c.PrevThreshold, c.PrevWeight) = (Threshold(p.Numerator, p.Decay, p.Weight, sMin), p.Weight);
        }
        else (c.PrevThreshold, c.PrevWeight) = (double.NegativeInfinity, 1);
    }

    /// <summary><paramref name="ifTrue"/> where <paramref name="mask"/>'s low lane is all ones, else <paramref name="ifFalse"/>, without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Select(Vector128<double> mask, double ifTrue, double ifFalse) =>
        Vector128.ConditionalSelect(mask, Vector128.CreateScalarUnsafe(ifTrue), Vector128.CreateScalarUnsafe(ifFalse)).ToScalar();

    /// <summary>Frames <c>[start, end)</c> (edge weight 0) added to <paramref name="chain"/>, one after another.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InteriorFrames(ref Chain chain, ref Pool stack, int start, int end, double shift)
    {
        System.Diagnostics.Debug.Assert(_pools.Length >= Y.Length && end < Y.Length);
        var c = chain; // a local copy, so that its fields can live in registers
        ref double y = ref MemoryMarshal.GetArrayDataReference(Y);
        double g = _gamma, sMin = MinSpikeSize;
        for (int t = start; t < end; t++) AddFrame(ref c, ref stack, Unsafe.Add(ref y, t) - shift, t, g, sMin);
        chain = c;
    }

    /// <summary>
    /// <see cref="InteriorFrames"/> for s_min = 0 as two chains: the first half onto <paramref name="chain"/>, the
    /// second half from a pool of its own first frame with its stack at that frame's index in the buffer (each
    /// chain holds fewer pools than frames, so the stacks never meet), one frame of each per step. Then the
    /// second chain's pools are pushed onto the first and merged down, until one does not merge: those after
    /// it were already a solution and only move.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InteriorFramesTwoChains(ref Chain chain, int start, int end, double shift)
    {
        System.Diagnostics.Debug.Assert(MinSpikeSize == 0 && _pools.Length >= Y.Length && end < Y.Length && chain.Count <= start);
        int mid = start + (end - start) / 2;
        ref double y = ref MemoryMarshal.GetArrayDataReference(Y);
        ref Pool stackA = ref MemoryMarshal.GetArrayDataReference(_pools);
        ref Pool stackB = ref Unsafe.Add(ref stackA, mid);
        double g = _gamma;
        var a = chain;
        var b = new Chain { Numerator = Unsafe.Add(ref y, mid) - shift, Weight = 1, Decay = g, Ones = 1, Start = mid, PrevThreshold = double.NegativeInfinity, PrevWeight = 1 };
        int lengthB = end - mid - 1; // frames after b's first; a has mid − start ≥ lengthB
        for (int i = 0; i < lengthB; i++)
        {
            AddFrame(ref a, ref stackA, Unsafe.Add(ref y, start + i) - shift, start + i, g, 0);
            AddFrame(ref b, ref stackB, Unsafe.Add(ref y, mid + 1 + i) - shift, mid + 1 + i, g, 0);
        }
        for (int t = start + lengthB; t < mid; t++) AddFrame(ref a, ref stackA, Unsafe.Add(ref y, t) - shift, t, g, 0);
        chain = a;
        JoinChains(ref chain, b, mid); // apart, so that no reference to a or b keeps them out of registers above
    }

    /// <summary>
    /// Pushes <paramref name="a"/>'s top, then <paramref name="b"/>'s pools (stack at <paramref name="bBase"/>) bottom up and
    /// b's top last, each merged down onto a (s_min = 0), until one does not merge: the rest were already a
    /// solution and only move.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void JoinChains(ref Chain a, Chain b, int bBase)
    {
        ref Pool stack = ref MemoryMarshal.GetArrayDataReference(_pools);
        ref Pool stackB = ref Unsafe.Add(ref stack, bBase);
        var c = a;
        for (int j = 0; ; j++)
        {
            // a's stack ends at or below index bBase + j − 1, so b's pool j is read before any write reaches it.
            Push(ref stack, ref c);
            if (j < b.Count)
            {
                ref Pool k = ref Unsafe.Add(ref stackB, j);
                (c.Numerator, c.Weight, c.Decay, c.Ones, c.Start) = (k.Numerator, k.Weight, k.Decay, k.Ones, k.Start);
            }
            else (c.Numerator, c.Weight, c.Decay, c.Ones, c.Start) = (b.Numerator, b.Weight, b.Decay, b.Ones, b.Start);
            bool merged = false;
            while (c.PrevThreshold * c.Weight > c.Numerator * c.PrevWeight)
            {
                MergeTop(ref c, ref stack, 0);
                merged = true;
            }
            if (j == b.Count) break;
            if (!merged)
            {
                // The top is b's pool j unchanged, so b's later pools (and b's top) merge no further: move them.
                Push(ref stack, ref c);
                int rest = b.Count - j - 1;
                Array.Copy(_pools, bBase + j + 1, _pools, c.Count, rest);
                c.Count += rest;
                (c.Numerator, c.Weight, c.Decay, c.Ones, c.Start) = (b.Numerator, b.Weight, b.Decay, b.Ones, b.Start);
                SetPrev(ref c, _pools.AsSpan());
                break;
            }
        }
        a = c;
    }

    /// <summary>Pushes the top onto the stack (s_min = 0) and caches it as the threshold of the pool below the next top.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Push(ref Pool stack, ref Chain c)
    {
        ref Pool pushed = ref Unsafe.Add(ref stack, c.Count++);
        pushed.Numerator = c.Numerator;
        pushed.Weight = c.Weight;
        pushed.Decay = c.Decay;
        pushed.Ones = c.Ones;
        pushed.Start = c.Start;
        (c.PrevThreshold, c.PrevWeight) = (c.Numerator * c.Decay, c.Weight);
    }

    /// <summary>
    /// Adds frame T − 1 (data <paramref name="v"/>, already less its boundary penalty) and returns the top's edge
    /// sum: the frame's weight γ in its pool's numerator slope, <c>γ^k·γ</c> at offset k.
    /// </summary>
    private double LastFrame(ref Chain chain, double v, int t)
    {
        double g = _gamma, sMin = MinSpikeSize;
        if (!(Threshold(chain.Numerator, chain.Decay, chain.Weight, sMin) > v * chain.Weight))
        {
            ref Pool pushed = ref _pools[chain.Count];
            (pushed.Numerator, pushed.Weight, pushed.Decay, pushed.Ones, pushed.Start) = (chain.Numerator, chain.Weight, chain.Decay, chain.Ones, chain.Start);
            chain.Count++;
            chain = Open(t, v, chain.Count);
            return g;
        }
        double decay = chain.Decay, edge = decay * g;
        chain.Numerator += decay * v;
        chain.Weight += decay * decay;
        chain.Ones += decay;
        chain.Decay = decay * g;
        ref Pool stack = ref MemoryMarshal.GetArrayDataReference(_pools);
        while (chain.PrevThreshold * chain.Weight > chain.Numerator * chain.PrevWeight)
        {
            edge *= Unsafe.Add(ref stack, chain.Count - 1).Decay; // the pool below has no edge weight
            MergeTop(ref chain, ref stack, sMin);
        }
        return edge;
    }

    /// <summary>
    /// The restart of <see cref="Solve"/>: pools <c>source[0..end)</c>, their numerators shifted by
    /// <c>dShift·Ones</c> (none of them holds the last frame, so none has edge weight), pushed one by one and
    /// re-merged, into <paramref name="chain"/> with the last of them on top.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ShiftedPools(Pool[] source, int end, double dShift, out Chain chain)
    {
        System.Diagnostics.Debug.Assert(end >= 1 && end <= source.Length && !ReferenceEquals(source, _pools));
        ref Pool sourceRef = ref MemoryMarshal.GetArrayDataReference(source);
        ref Pool stack = ref MemoryMarshal.GetArrayDataReference(_pools);
        if (dShift == 0)
        {
            // Same shift, only λ on the last frame changed (the search's lag update): these pools are unchanged
            // and, being a solution, none of them merges.
            Array.Copy(source, _pools, end - 1);
            ref Pool top = ref Unsafe.Add(ref sourceRef, end - 1);
            chain = new Chain { Numerator = top.Numerator, Weight = top.Weight, Decay = top.Decay, Ones = top.Ones, Start = top.Start, Count = end - 1 };
            SetPrev(ref chain, _pools.AsSpan());
            return;
        }
        double sMin = MinSpikeSize;
        var c = new Chain
        {
            Numerator = sourceRef.Numerator + dShift * sourceRef.Ones, Weight = sourceRef.Weight, Decay = sourceRef.Decay,
            Ones = sourceRef.Ones, Start = sourceRef.Start, PrevThreshold = double.NegativeInfinity, PrevWeight = 1,
        };
        for (int j = 1; j < end; j++)
        {
            ref Pool k = ref Unsafe.Add(ref sourceRef, j);
            ref Pool pushed = ref Unsafe.Add(ref stack, c.Count++);
            pushed.Numerator = c.Numerator;
            pushed.Weight = c.Weight;
            pushed.Decay = c.Decay;
            pushed.Ones = c.Ones;
            pushed.Start = c.Start;
            (c.PrevThreshold, c.PrevWeight) = (Threshold(c.Numerator, c.Decay, c.Weight, sMin), c.Weight);
            (c.Numerator, c.Weight, c.Decay, c.Ones, c.Start) = (k.Numerator + dShift * k.Ones, k.Weight, k.Decay, k.Ones, k.Start);
            while (c.PrevThreshold * c.Weight > c.Numerator * c.PrevWeight)
                MergeTop(ref c, ref stack, sMin);
        }
        chain = c;
    }

    public override void KeepAsLowerBound()
    {
        // No copy: the next solve writes into another buffer.
        _kept = _pools;
        _keptCount = _count;
        _keptShift = _shift;
        if (_floorCount == 0)
        {
            _floor = _pools;
            _floorCount = _count;
            _floorShift = _shift;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Materialize(Span<double> calcium, Span<double> spikes)
    {
        double g = _gamma;
        spikes.Clear();
        for (int j = 0; j < _count; j++)
        {
            double value = Value(j);
            for (int t = _pools[j].Start, end = End(j); t < end; t++)
            {
                calcium[t] = value;
                value *= g;
            }
            if (j > 0) spikes[_pools[j].Start] = Spike(j);
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
            double value = Value(j);
            if (j > 0) spikes[_pools[j].Start] = (float)Spike(j);
            for (int t = _pools[j].Start, end = End(j); t < end; t++)
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
        // Spike(j) for every pool, each value computed once.
        double previous = _count > 0 ? Value(0) : 0;
        for (int j = 1; j < _count; j++)
        {
            ref Pool p = ref _pools[j];
            double v = p.Numerator / p.Weight, value = v < MinSpikeSize ? 0 : v;
            spikes[p.Start] = (float)Math.Max(0, value - _pools[j - 1].Decay * previous);
            previous = value;
        }
    }

    public override void Dispose()
    {
        foreach (var buffer in _buffers) ArrayPool<Pool>.Shared.Return(buffer);
        _buffers = [];
        _pools = _kept = _floor = [];
        _count = _keptCount = _floorCount = 0;
    }

    /// <summary>One past pool j's last frame.</summary>
    private int End(int j) => j + 1 < _count ? _pools[j + 1].Start : Y.Length;

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
    /// <c>v = Numerator / Weight</c>, <c>q = Ones / Weight</c>, and <c>Σ_k γ^k y = Numerator + φ·Ones + λ_b·Edge</c>
    /// (edge only on the last pool); clamped pools (value 0) add nothing. Four pools per step after the first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SolveSums Sums()
    {
        ref Pool poolRef = ref MemoryMarshal.GetArrayDataReference(_pools);
        var (shift, sMin) = (Vector256.Create(_shift), Vector256.Create(MinSpikeSize));
        Vector256<double> c = default, yc = default, cc = default, u = default, uu = default, yu = default;
        int j = 1, last = _count - 1;
        for (; j <= last - 4; j += 4)
        {
            ref Pool p0 = ref Unsafe.Add(ref poolRef, j);
            ref Pool p1 = ref Unsafe.Add(ref p0, 1);
            ref Pool p2 = ref Unsafe.Add(ref p0, 2);
            ref Pool p3 = ref Unsafe.Add(ref p0, 3);
            var numerator = Vector256.Create(p0.Numerator, p1.Numerator, p2.Numerator, p3.Numerator);
            var weight = Vector256.Create(p0.Weight, p1.Weight, p2.Weight, p3.Weight);
            var ones = Vector256.Create(p0.Ones, p1.Ones, p2.Ones, p3.Ones);
            var inverseWeight = Vector256<double>.One / weight;
            var v = numerator * inverseWeight;
            // Pools after the first are clamped to 0 below s_min (and add nothing at exactly 0).
            var active = Vector256.GreaterThanOrEqual(v, sMin) & ~Vector256.Equals(v, Vector256<double>.Zero);
            v = Vector256.ConditionalSelect(active, v, default);
            var q = Vector256.ConditionalSelect(active, ones * inverseWeight, default);
            var data = numerator + shift * ones;
            c += v * ones; yc += v * data; cc += v * v * weight;
            u += q * ones; uu += q * q * weight; yu += q * data;
        }
        var sums = new SolveSums(Vector256.Sum(c), Vector256.Sum(yc), Vector256.Sum(cc), Vector256.Sum(u), Vector256.Sum(uu), Vector256.Sum(yu), 0);
        sums = AddPool(sums, ref poolRef, first: true, last == 0 ? _lastEdge : 0);
        for (; j < last; j++) sums = AddPool(sums, ref Unsafe.Add(ref poolRef, j), first: false, 0);
        if (last > 0) sums = AddPool(sums, ref Unsafe.Add(ref poolRef, last), first: false, _lastEdge);
        // Σ c u = Σ_pools v q Weight = Σ_pools v Ones = Σ c.
        return sums with { CU = sums.C };
    }

    /// <summary><paramref name="sums"/> plus pool <paramref name="p"/>'s terms (see <see cref="Sums"/>); the first pool is clamped below 0.</summary>
    private SolveSums AddPool(SolveSums sums, ref Pool p, bool first, double edge)
    {
        double inverseWeight = 1 / p.Weight;
        double v = p.Numerator * inverseWeight;
        if (first ? v < 0 : v < MinSpikeSize || v == 0) return sums;
        double data = p.Numerator + _shift * p.Ones + _boundaryLambda * edge;
        double q = p.Ones * inverseWeight;
        return new SolveSums(sums.C + v * p.Ones, sums.YC + v * data, sums.CC + v * v * p.Weight,
            sums.U + q * p.Ones, sums.UU + q * q * p.Weight, sums.YU + q * data, 0);
    }
}
