using DeepSpike.Engine.Nn;
using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

/// <summary>
/// The fused sequence ops (<see cref="Ops.GruSequence"/>, <see cref="Ops.BernoulliGruLogits"/>,
/// <see cref="Ops.SampleBernoulliGru"/>, <see cref="Ops.FrameProjection"/>) against finite differences and
/// against the same recurrences composed per frame from <see cref="GruCell"/> and elementary ops.
/// Row counts above 16 make the ops split rows into several parallel blocks.
/// </summary>
public class GruSequenceTests
{
    private const double ComposedTolerance = 2e-5;

    // ------------------------------------------------------------------------------------------------
    // GruSequence
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void GruSequence_InputStateAndWeights_GradientMatchesFiniteDifferences(bool reverse, bool withInitial)
    {
        var rng = new Random(301);
        const int rows = 18, frames = 5, hidden = 3;
        var x = Rand.Param(rng, [rows, frames, 3 * hidden], name: "projection");
        var u = Rand.Param(rng, [hidden, 3 * hidden], name: "U");
        var c = Rand.Param(rng, [3 * hidden], name: "c");
        var h0 = withInitial ? Rand.Param(rng, [rows, hidden], name: "h0") : null;
        Tensor[] inputs = h0 is null ? [x, u, c] : [x, u, c, h0];
        GradCheck.Assert(() => Ops.GruSequence(x, u, c, h0, reverse), inputs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GruSequence_Random_MatchesComposedGruCellValuesAndGradients(bool reverse)
    {
        var rng = new Random(302);
        const int rows = 19, frames = 6, inputs = 4, hidden = 5;
        var cell = new GruCell(inputs, hidden, rng);
        var xs = Enumerable.Range(0, frames).Select(t => Rand.Param(rng, [rows, inputs], name: $"x{t}")).ToArray();
        var h0 = Rand.Param(rng, [rows, hidden], name: "h0");
        Tensor[] all = [.. cell.Parameters(), h0, .. xs];

        Tensor Fused()
        {
            // [N, T·in] → [N·T, in] · W + b → [N, T, 3H]
            var x = Ops.Reshape(Ops.ConcatLast(xs), rows * frames, inputs);
            var projection = Ops.Reshape(Ops.Add(Ops.MatMul(x, cell.InputWeight), cell.InputBias), rows, frames, 3 * hidden);
            return Ops.GruSequence(projection, cell.HiddenWeight, cell.HiddenBias, h0, reverse);
        }

        Tensor Composed()
        {
            var states = new Tensor[frames];
            var h = h0;
            for (int s = 0; s < frames; s++)
            {
                int t = reverse ? frames - 1 - s : s;
                h = cell.Forward(xs[t], h);
                states[t] = h;
            }
            return Ops.Reshape(Ops.ConcatLast(states), rows, frames, hidden);
        }

        AssertSameFunction(Fused, Composed, all);
    }

    [Fact]
    public void GruSequence_BadShapes_ThrowNamingShapes()
    {
        var u = Tensor.Zeros(4, 12);
        var c = Tensor.Zeros(12);
        Assert.Contains("[N, T, 3H]", Assert.Throws<ArgumentException>(() => Ops.GruSequence(Tensor.Zeros(2, 12), u, c)).Message);
        Assert.Contains("[H, 3H]", Assert.Throws<ArgumentException>(() => Ops.GruSequence(Tensor.Zeros(2, 3, 12), Tensor.Zeros(12, 4), c)).Message);
        Assert.Contains("initial state", Assert.Throws<ArgumentException>(() => Ops.GruSequence(Tensor.Zeros(2, 3, 12), u, c, Tensor.Zeros(3, 4))).Message);
    }

    // ------------------------------------------------------------------------------------------------
    // FrameProjection
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void FrameProjection_InputWeightBias_GradientMatchesFiniteDifferences()
    {
        var rng = new Random(303);
        var x = Rand.Param(rng, [2, 3, 7], name: "x");
        var w = Rand.Param(rng, [3, 5], name: "w");
        var b = Rand.Param(rng, [5], name: "b");
        GradCheck.Assert(() => Ops.FrameProjection(x, w, b), x, w, b);
    }

    [Fact]
    public void FrameProjection_Random_MatchesScalarLoop()
    {
        var rng = new Random(304);
        const int batch = 3, channels = 4, frames = 37, outputs = 19;
        var x = Rand.Param(rng, [batch, channels, frames]);
        var w = Rand.Param(rng, [channels, outputs]);
        var b = Rand.Param(rng, [outputs]);
        var y = Ops.FrameProjection(x, w, b);
        Assert.Equal([batch, frames, outputs], y.Shape);
        for (int n = 0; n < batch; n++)
            for (int t = 0; t < frames; t++)
                for (int g = 0; g < outputs; g++)
                {
                    double expected = b.Data[g];
                    for (int i = 0; i < channels; i++) expected += (double)x.Data[(n * channels + i) * frames + t] * w.Data[i * outputs + g];
                    Assert.Equal(expected, y.Data[(n * frames + t) * outputs + g], 1e-5);
                }
    }

    // ------------------------------------------------------------------------------------------------
    // Autoregressive Bernoulli GRU
    // ------------------------------------------------------------------------------------------------

    private sealed record Problem(Tensor Projection, Tensor Offset, BernoulliGruWeights Weights, Tensor Spikes, int Samples, int Batch, int Frames, int Hidden)
    {
        public Tensor[] Inputs => [Projection, Offset, Weights.SpikeWeight, Weights.ProbabilityWeight, Weights.HiddenWeight, Weights.HiddenBias, Weights.ReadoutWeight];
    }

    /// <summary>Feedback and readout weights are shaped [1, 3H] and [H, 1] so the composed reference can MatMul them.</summary>
    private static Problem NewProblem(int seed, int samples, int batch, int frames, int hidden)
    {
        var rng = new Random(seed);
        int gates = 3 * hidden;
        var weights = new BernoulliGruWeights(
            Rand.Param(rng, [1, gates], name: "v_s"), Rand.Param(rng, [1, gates], -2f, 2f, name: "v_pi"),
            Rand.Param(rng, [hidden, gates], name: "U"), Rand.Param(rng, [gates], name: "c"),
            Rand.Param(rng, [hidden, 1], -2f, 2f, name: "w"));
        return new Problem(Rand.Param(rng, [batch, frames, gates], name: "P"), Rand.Param(rng, [batch, frames], name: "o"),
            weights, Rand.Binary(rng, samples, batch, frames), samples, batch, frames, hidden);
    }

    /// <summary>The recurrence composed per frame from MatMul, slices and the GruCell equations.</summary>
    private static Tensor ComposedLogits(Problem q)
    {
        int k = q.Samples, b = q.Batch, frames = q.Frames, hs = q.Hidden, gates = 3 * hs, rows = k * b;
        var w = q.Weights;
        var projection = Ops.Reshape(q.Projection, b, frames * gates);
        var h = Tensor.Zeros(rows, hs);
        var spike = Tensor.Zeros(rows, 1);
        var probability = Tensor.Zeros(rows, 1);
        var logits = new Tensor[frames];
        for (int t = 0; t < frames; t++)
        {
            var feedback = Ops.Add(Ops.MatMul(spike, w.SpikeWeight), Ops.MatMul(probability, w.ProbabilityWeight));
            var gx = Ops.Reshape(Ops.Add(Ops.Reshape(feedback, k, b, gates), Ops.SliceLast(projection, t * gates, gates)), rows, gates);
            var gh = Ops.Add(Ops.MatMul(h, w.HiddenWeight), w.HiddenBias);
            var r = Ops.Sigmoid(Ops.Add(Ops.SliceLast(gx, 0, hs), Ops.SliceLast(gh, 0, hs)));
            var z = Ops.Sigmoid(Ops.Add(Ops.SliceLast(gx, hs, hs), Ops.SliceLast(gh, hs, hs)));
            var n = Ops.Tanh(Ops.Add(Ops.SliceLast(gx, 2 * hs, hs), Ops.Mul(r, Ops.SliceLast(gh, 2 * hs, hs))));
            h = Ops.Add(n, Ops.Mul(z, Ops.Sub(h, n)));
            var a = Ops.Reshape(Ops.Add(Ops.Reshape(Ops.MatMul(h, w.ReadoutWeight), k, b, 1), Ops.SliceLast(q.Offset, t, 1)), rows, 1);
            logits[t] = a;
            probability = Ops.Sigmoid(a);
            var s = new float[rows];
            for (int row = 0; row < rows; row++) s[row] = q.Spikes.Data[row * frames + t];
            spike = new Tensor(s, rows, 1);
        }
        return Ops.Reshape(Ops.ConcatLast(logits), k, b, frames);
    }

    [Fact]
    public void BernoulliGruLogits_AllInputs_GradientMatchesFiniteDifferences()
    {
        // 9 samples × 2 sequences = 18 rows: two blocks, the first spanning both sequences.
        var q = NewProblem(seed: 305, samples: 9, batch: 2, frames: 5, hidden: 3);
        GradCheck.Assert(() => Ops.BernoulliGruLogits(q.Projection, q.Offset, q.Weights, q.Spikes), q.Inputs);
    }

    [Theory]
    [InlineData(1, 1, 7, 4)]
    [InlineData(5, 3, 9, 4)]
    [InlineData(20, 2, 6, 6)]
    public void BernoulliGruLogits_Random_MatchesComposedRecurrenceValuesAndGradients(int samples, int batch, int frames, int hidden)
    {
        var q = NewProblem(seed: 306 + samples, samples, batch, frames, hidden);
        AssertSameFunction(() => Ops.BernoulliGruLogits(q.Projection, q.Offset, q.Weights, q.Spikes), () => ComposedLogits(q), q.Inputs);
    }

    [Fact]
    public void SampleBernoulliGru_DrawnSpikes_FollowTheirOwnProbabilitiesAndMatchTeacherForcing()
    {
        var q = NewProblem(seed: 307, samples: 12, batch: 3, frames: 40, hidden: 9);
        // A strong offset so both outcomes occur.
        for (int i = 0; i < q.Offset.Length; i++) q.Offset.Data[i] *= 2;
        var drawn = Ops.SampleBernoulliGru(q.Projection, q.Offset, q.Weights, q.Samples, new Random(5));
        Assert.Equal([12, 3, 40], drawn.Spikes.Shape);
        var uniforms = new Random(5);
        for (int i = 0; i < drawn.Spikes.Length; i++)
        {
            float p = 1f / (1f + MathF.Exp(-drawn.Logits.Data[i]));
            Assert.Equal(uniforms.NextSingle() < p ? 1f : 0f, drawn.Spikes.Data[i]);
        }
        double mean = drawn.Spikes.Data.Average();
        Assert.InRange(mean, 0.02, 0.98);
        var forced = Ops.BernoulliGruLogits(q.Projection, q.Offset, q.Weights, drawn.Spikes);
        Assert.Equal(forced.Data, drawn.Logits.Data);
        // One train at a time (other blocks, other positions in them, H not a multiple of the vector width): same bits.
        int n = q.Batch * q.Frames;
        for (int k = 0; k < q.Samples; k += 5)
        {
            var one = new Tensor(drawn.Spikes.Data.AsSpan(k * n, n).ToArray(), q.Batch, q.Frames);
            Assert.Equal(drawn.Logits.Data.AsSpan(k * n, n).ToArray(), Ops.BernoulliGruLogits(q.Projection, q.Offset, q.Weights, one).Data);
        }
    }

    [Fact]
    public void SampleBernoulliGru_Gradient_EqualsTeacherForcedGradientOfTheDrawnSpikes()
    {
        var q = NewProblem(seed: 308, samples: 9, batch: 2, frames: 12, hidden: 4);
        Tensor? spikes = null;
        var (sampled, _) = GradCheck.Analytic(() =>
        {
            var drawn = Ops.SampleBernoulliGru(q.Projection, q.Offset, q.Weights, q.Samples, new Random(11));
            spikes = drawn.Spikes;
            return drawn.Logits;
        }, q.Inputs, seed: 1);
        var (forced, _) = GradCheck.Analytic(() => Ops.BernoulliGruLogits(q.Projection, q.Offset, q.Weights, spikes!), q.Inputs, seed: 1);
        for (int i = 0; i < sampled.Length; i++) Assert.Equal(forced[i], sampled[i]);
    }

    [Fact]
    public void SampleBernoulliGru_OneOrManyThreads_GivesIdenticalSamplesAndGradients()
    {
        var q = NewProblem(seed: 309, samples: 30, batch: 3, frames: 20, hidden: 8);
        (float[] Spikes, float[][] Gradients) Run()
        {
            float[] s = [];
            var (g, _) = GradCheck.Analytic(() =>
            {
                var drawn = Ops.SampleBernoulliGru(q.Projection, q.Offset, q.Weights, q.Samples, new Random(3));
                s = drawn.Spikes.Data;
                return drawn.Logits;
            }, q.Inputs, seed: 2);
            return (s, g);
        }
        int threads = Parallelism.MaxThreads;
        (float[] Spikes, float[][] Gradients) one;
        try
        {
            Parallelism.MaxThreads = 1;
            one = Run();
        }
        finally { Parallelism.MaxThreads = threads; }
        var many = Run();
        Assert.Equal(one.Spikes, many.Spikes);
        for (int i = 0; i < one.Gradients.Length; i++) Assert.Equal(one.Gradients[i], many.Gradients[i]);
    }

    [Fact]
    public void BernoulliGruLogits_TenThousandFrames_BackwardCompletesWithFiniteGradients()
    {
        // One tape entry whatever T: no recursion, no per-frame closures.
        var q = NewProblem(seed: 310, samples: 2, batch: 1, frames: 10_000, hidden: 4);
        using var tape = new Tape();
        var logits = Ops.BernoulliGruLogits(q.Projection, q.Offset, q.Weights, q.Spikes);
        Assert.Equal(1, tape.Count);
        tape.Backward(Ops.Sum(logits));
        Assert.All(q.Inputs, t => Assert.All(t.Grad!, v => Assert.True(float.IsFinite(v))));
        Assert.NotEqual(0f, q.Projection.Grad![0]);
    }

    [Fact]
    public void BernoulliGruLogits_SpikesOfWrongShape_ThrowsNamingShape()
    {
        var q = NewProblem(seed: 311, samples: 2, batch: 2, frames: 5, hidden: 3);
        var e = Assert.Throws<ArgumentException>(() => Ops.BernoulliGruLogits(q.Projection, q.Offset, q.Weights, Tensor.Zeros(2, 3, 5)));
        Assert.Contains("[2, 3, 5]", e.Message);
    }

    // ------------------------------------------------------------------------------------------------

    /// <summary>Same output values and same analytic gradients (tape, random projection) for both functions.</summary>
    private static void AssertSameFunction(Func<Tensor> fused, Func<Tensor> composed, IReadOnlyList<Tensor> inputs)
    {
        Tensor? yf = null, yc = null;
        var (gf, _) = GradCheck.Analytic(() => yf = fused(), inputs, seed: 17);
        var (gc, _) = GradCheck.Analytic(() => yc = composed(), inputs, seed: 17);
        Assert.Equal(yc!.Shape, yf!.Shape);
        for (int i = 0; i < yf.Length; i++) Assert.Equal(yc.Data[i], yf.Data[i], ComposedTolerance);
        for (int p = 0; p < inputs.Count; p++)
            for (int j = 0; j < gf[p].Length; j++)
                Assert.True(Math.Abs(gf[p][j] - gc[p][j]) <= ComposedTolerance * (1 + Math.Abs(gc[p][j])),
                    $"{inputs[p]}[{j}]: fused {gf[p][j]}, composed {gc[p][j]}");
    }
}
