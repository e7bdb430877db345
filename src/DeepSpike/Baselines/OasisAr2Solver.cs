using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DeepSpike.Baselines;

/// <summary>
/// OASIS for AR(2) (Friedrich, Zhou &amp; Paninski 2017, "Generalization to AR(p)"): a greedy pool pass, made
/// exact by a primal–dual active-set polish (<see cref="ConeProjection"/>) when s_min = 0.
/// </summary>
/// <remarks>
/// With roots <c>d &gt; r</c> of <c>z² − γ_1 z − γ_2</c>, pool i starting at t with first value v_i continues
/// as <c>c_{t+k} = h_k v_i + γ_2 h_{k−1} w_{i−1}</c>, where <c>h_k = (d^{k+1} − r^{k+1})/(d − r)</c> is the
/// impulse response and <c>w_{i−1}</c> the last value of the previous pool; the first pool decays as
/// <c>v_0 d^k</c>. Given <c>w_{i−1}</c>, <c>v_i = (Σ h_k ỹ_{t+k} − w_{i−1} Σ h_k γ_2 h_{k−1}) / Σ h_k²</c>.
/// The data sum splits into <c>(d Σ d^k ỹ − r Σ r^k ỹ)/(d − r)</c>, and both geometric sums merge in O(1),
/// so the greedy pass is O(T). The greedy pass fixes earlier pools when fitting later ones, which is not
/// exactly optimal for AR(2) (the paper notes this); with s_min = 0 the polish restores the exact optimum in a
/// few O(T) active-set steps (2–15 in practice), started from the greedy pools on the first solve and from the
/// previous optimum on later solves of a search. With s_min &gt; 0 (non-convex) the greedy result is returned.
/// </remarks>
internal sealed class OasisAr2Solver : OasisSolver
{
    private readonly double _g1, _g2, _d, _r;
    private readonly double[] _h, _hh, _hg;   // h_k; Σ_{j≤k} h_j²; Σ_{j≤k} h_j γ_2 h_{j−1}
    private readonly Pool[] _pools;
    private readonly double[] _target, _calcium, _direction;
    private readonly ConeProjection _projection;
    private int _count;
    private bool _polished, _hasOptimum;

    public OasisAr2Solver(double[] y, double g1, double g2, double minSpikeSize) : base(y, [g1, g2], minSpikeSize)
    {
        _g1 = g1; _g2 = g2;
        double disc = Math.Sqrt(g1 * g1 + 4 * g2);
        _d = (g1 + disc) / 2;
        _r = (g1 - disc) / 2;
        int n = y.Length;
        _h = new double[n + 1];
        _hh = new double[n];
        _hg = new double[n];
        _h[0] = 1;
        if (n >= 1) _h[1] = g1;
        for (int k = 2; k <= n; k++) _h[k] = g1 * _h[k - 1] + g2 * _h[k - 2];
        double hh = 0, hg = 0;
        for (int k = 0; k < n; k++)
        {
            hh += _h[k] * _h[k];
            if (k >= 1) hg += _h[k] * g2 * _h[k - 1];
            _hh[k] = hh;
            _hg[k] = hg;
        }
        _pools = new Pool[n];
        _target = new double[n];
        _calcium = new double[n];
        _direction = new double[n];
        _projection = new ConeProjection(n, g1, g2, _d);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Pool
    {
        public double First;    // c at Start
        public double Last;     // c at Start + Length − 1
        public double SumD;     // Σ_k d^k ỹ_{Start+k}
        public double SumR;     // Σ_k r^k ỹ_{Start+k}
        public double PowD;     // d^Length
        public double PowR;     // r^Length
        public int Start;
        public int Length;
    }

    public override SolveSums Solve(double shift, double boundaryLambda)
    {
        var y = Y;
        int n = y.Length;
        var target = _target;
        for (int t = 0; t < n; t++) target[t] = y[t] - shift;
        // e_{T−1} = γ_1 + γ_2, e_{T−2} = γ_2.
        target[n - 1] -= boundaryLambda * (_g1 + _g2);
        if (n >= 2) target[n - 2] -= boundaryLambda * _g2;

        var c = _calcium;
        _polished = false;
        if (MinSpikeSize == 0)
        {
            // Consecutive solves of a search differ little: the previous optimum's active set is the best start.
            if (!_hasOptimum)
            {
                Greedy(target);
                SetGreedyActiveSet();
            }
            _projection.Project(target, c);
            _polished = _hasOptimum = _projection.Converged;
        }
        if (!_polished)
        {
            // s_min > 0 (not convex), or (not expected) no convergence: OASIS's greedy solution.
            Greedy(target);
            Reconstruct(c);
            SetGreedyActiveSet();
        }
        _projection.ProjectOnes(_direction, reuseFactorization: _polished);
        var u = _direction;
        return new SolveSums(
            VectorMath.Sum(c), VectorMath.Dot(y, c), VectorMath.Dot(c, c),
            VectorMath.Sum(u), VectorMath.Dot(u, u), VectorMath.Dot(y, u), VectorMath.Dot(c, u));
    }

    private void SetGreedyActiveSet()
    {
        var active = _projection.Active;
        Array.Fill(active, true);
        for (int j = 1; j < _count; j++) active[_pools[j].Start] = false;
        if (_pools[0].First > 0) active[0] = false;
    }

    public override void Materialize(Span<double> calcium, Span<double> spikes)
    {
        var c = _calcium;
        c.CopyTo(calcium);
        spikes.Clear();
        if (_polished)
        {
            var active = _projection.Active;
            for (int t = 1; t < c.Length; t++)
                if (!active[t]) spikes[t] = Math.Max(0, _projection.RowDot(t, c));
            return;
        }
        for (int j = 1; j < _count; j++)
        {
            int t = _pools[j].Start;
            spikes[t] = Math.Max(0, _projection.RowDot(t, c));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Greedy(double[] target)
    {
        double d = _d, r = _r, sMin = MinSpikeSize;
        var pools = _pools;
        int count = 0;
        for (int t = 0; t < target.Length; t++)
        {
            double v = target[t];
            ref Pool p = ref pools[count];
            p.First = v; p.Last = v; p.SumD = v; p.SumR = v; p.PowD = d; p.PowR = r; p.Start = t; p.Length = 1;
            if (count == 0) FitFirst(ref p);
            count++;
            while (count > 1)
            {
                ref Pool prev = ref pools[count - 2];
                ref Pool last = ref pools[count - 1];
                double predicted = count == 2
                    ? prev.Last * d
                    : _h[prev.Length] * prev.First + _g2 * _h[prev.Length - 1] * pools[count - 3].Last;
                if (predicted + sMin <= last.First) break;
                prev.SumD += prev.PowD * last.SumD;
                prev.SumR += prev.PowR * last.SumR;
                prev.PowD *= last.PowD;
                prev.PowR *= last.PowR;
                prev.Length += last.Length;
                if (count == 2) FitFirst(ref prev);
                else Fit(ref prev, pools[count - 3].Last);
                count--;
            }
        }
        _count = count;
    }

    /// <summary>First pool: <c>c_k = v d^k</c>, <c>v = max(0, Σ d^k ỹ_k / Σ d^{2k})</c>.</summary>
    private void FitFirst(ref Pool p)
    {
        double d = _d;
        double weight = (1 - p.PowD * p.PowD) / (1 - d * d);
        p.First = Math.Max(0, p.SumD / weight);
        p.Last = p.First * p.PowD / d;
    }

    /// <summary>Later pool given the previous pool's last value.</summary>
    private void Fit(ref Pool p, double previousLast)
    {
        int k = p.Length - 1;
        double data = (_d * p.SumD - _r * p.SumR) / (_d - _r);
        p.First = (data - _hg[k] * previousLast) / _hh[k];
        p.Last = _h[k] * p.First + (k >= 1 ? _g2 * _h[k - 1] : 0) * previousLast;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Reconstruct(double[] c)
    {
        ref Pool first = ref _pools[0];
        double value = first.First;
        for (int t = 0; t < first.Length; t++) { c[t] = value; value *= _d; }
        for (int j = 1; j < _count; j++)
        {
            ref Pool p = ref _pools[j];
            int start = p.Start, end = start + p.Length;
            c[start] = p.First;
            for (int t = start + 1; t < end; t++)
                c[t] = _g1 * c[t - 1] + _g2 * (t >= 2 ? c[t - 2] : 0);
        }
    }
}
