using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepSpike.Engine.Kernels;

namespace DeepSpike.Engine;

/// <summary>
/// Weights of the autoregressive Bernoulli GRU of <see cref="Ops.BernoulliGruLogits"/> (hidden size H).
/// </summary>
/// <param name="SpikeWeight">v_s <c>[3H]</c>: input weights of the previous sample s_{t−1}.</param>
/// <param name="ProbabilityWeight">v_π <c>[3H]</c>: input weights of the previous probability π_{t−1}.</param>
/// <param name="HiddenWeight">U <c>[H, 3H]</c>, columns r, z, n.</param>
/// <param name="HiddenBias">c <c>[3H]</c>.</param>
/// <param name="ReadoutWeight">w <c>[H]</c>: the state's weights in the output logit.</param>
public sealed record BernoulliGruWeights(Tensor SpikeWeight, Tensor ProbabilityWeight, Tensor HiddenWeight, Tensor HiddenBias, Tensor ReadoutWeight);

/// <summary>Samples drawn by <see cref="Ops.SampleBernoulliGru"/>.</summary>
/// <param name="Spikes">0/1 samples <c>[K, B, T]</c>, constant.</param>
/// <param name="Logits">The logit of each sample's spike probability at each frame, <c>[K, B, T]</c>, differentiable.</param>
public sealed record BernoulliGruSamples(Tensor Spikes, Tensor Logits);

public static partial class Ops
{
    /// <summary>
    /// Sequence ops split their rows into tasks of at least this many rows (4 register blocks of the
    /// recurrent product; 30 inference samples make two tasks) …
    /// </summary>
    private const int MinRowsPerTask = 16;
    /// <summary>… and at most this many; the split depends only on the row count, so results do not depend on threads.</summary>
    private const int MaxRowsPerTask = 64;
    /// <summary>Tasks a large batch is split into (enough to balance a few cores).</summary>
    private const int TargetTasks = 8;

    /// <summary>
    /// The per-frame affine map of channel-first sequences: x <c>[B, C, T]</c>, weight <c>[C, G]</c>, optional
    /// bias <c>[G]</c> → <c>[B, T, G]</c>, <c>y[b, t, :] = Σ_c x[b, c, t] · W[c, :] + bias</c>. This is the input
    /// projection <c>x_t W_x + b_x</c> of a recurrent layer for all frames at once (one matrix product per
    /// sequence), in the layout <see cref="GruSequence"/> takes.
    /// </summary>
    public static Tensor FrameProjection(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (x.Rank != 3 || weight.Rank != 2 || weight.Shape[0] != x.Shape[1])
            throw new ArgumentException($"FrameProjection: input [{x.ShapeString}] and weight [{weight.ShapeString}] do not match (need [B, C, T] and [C, G])");
        int batch = x.Shape[0], channels = x.Shape[1], frames = x.Shape[2], outputs = weight.Shape[1];
        if (bias is not null && bias.Length != outputs)
            throw new ArgumentException($"FrameProjection: bias [{bias.ShapeString}] must have one value per output ({outputs})");
        var y = Tensor.Zeros(batch, frames, outputs);
        int inSize = channels * frames, outSize = frames * outputs;
        Parallel.For(0, batch, Parallelism.Options, b =>
        {
            var yb = y.Data.AsSpan(b * outSize, outSize);
            if (bias is not null)
                for (int t = 0; t < frames; t++) bias.Data.CopyTo(yb.Slice(t * outputs, outputs));
            // y_b [T, G] += x_bᵀ W, reading x_b [C, T] transposed in place.
            Gemm.MultiplyAdd(x.Data.AsSpan(b * inSize, inSize), 1, frames, weight.Data, outputs, yb, outputs, frames, outputs, channels);
        });
        var inputs = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            if (x.RequiresGrad)
            {
                x.GradSpan();
                var dx = x.Grad!;
                // dx_b [C, T] += W [C, G] · dy_bᵀ
                Parallel.For(0, batch, Parallelism.Options, b =>
                    Gemm.Multiply(weight.Data, false, dy.AsSpan(b * outSize, outSize), true, dx.AsSpan(b * inSize, inSize), channels, frames, outputs, accumulate: true));
            }
            if (weight.RequiresGrad)
            {
                var dw = weight.GradSpan();
                // dW [C, G] += Σ_b x_b [C, T] · dy_b [T, G]
                for (int b = 0; b < batch; b++)
                    Gemm.MultiplyAdd(x.Data.AsSpan(b * inSize, inSize), frames, 1, dy.AsSpan(b * outSize, outSize), outputs, dw, outputs, channels, outputs, frames);
            }
            if (bias is not null && bias.RequiresGrad)
            {
                var db = bias.GradSpan();
                for (int r = 0; r < batch * frames; r++) TensorPrimitives.Add(db, dy.AsSpan(r * outputs, outputs), db);
            }
        }, inputs);
        return y;
    }

    /// <summary>
    /// A GRU (as <see cref="Nn.GruCell"/>: <c>r = σ(g_r + h U_r + c_r)</c>, <c>z = σ(g_z + h U_z + c_z)</c>,
    /// <c>n = tanh(g_n + r ⊙ (h U_n + c_n))</c>, <c>h_t = n + z ⊙ (h_{t−1} − n)</c>) run over every frame of a batch
    /// in one op, given the input projections <c>g_t = x_t W_x + b_x</c> for all frames (see
    /// <see cref="FrameProjection"/>).
    /// </summary>
    /// <param name="inputProjection">g <c>[N, T, 3H]</c>, gate columns r, z, n.</param>
    /// <param name="hiddenWeight">U <c>[H, 3H]</c>.</param>
    /// <param name="hiddenBias">c <c>[3H]</c>.</param>
    /// <param name="initial">State before the first processed frame <c>[N, H]</c>; zero if null.</param>
    /// <param name="reverse">Run from frame T − 1 down to 0 (a backward RNN): h_t then depends on frames ≥ t.</param>
    /// <returns>The states h_t <c>[N, T, H]</c>, in frame order whichever the direction.</returns>
    /// <remarks>
    /// One tape entry: backward runs the exact BPTT over all frames in one loop (gates recomputed from the
    /// saved states, see <see cref="GruKernel"/>). Rows run in parallel in fixed blocks, and the weight
    /// gradients are summed over blocks in order, so results do not depend on the thread count.
    /// </remarks>
    public static Tensor GruSequence(Tensor inputProjection, Tensor hiddenWeight, Tensor hiddenBias, Tensor? initial = null, bool reverse = false)
    {
        var x = inputProjection;
        if (x.Rank != 3) throw new ArgumentException($"GruSequence: input projection must be [N, T, 3H], got [{x.ShapeString}]");
        int rows = x.Shape[0], frames = x.Shape[1], gates = x.Shape[2], hidden = gates / 3;
        CheckGruWeights("GruSequence", gates, hiddenWeight, hiddenBias);
        if (initial is not null && initial.Length != rows * hidden)
            throw new ArgumentException($"GruSequence: initial state [{initial.ShapeString}] must be [N, H] = [{rows}, {hidden}]");
        var y = Tensor.Zeros(rows, frames, hidden);
        int perTask = RowsPerTask(rows), tasks = (rows + perTask - 1) / perTask;
        if (frames == 0 || rows == 0) return y;
        Parallel.For(0, tasks, Parallelism.Options, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (task) =>
        {
            int r0 = task * perTask, count = Math.Min(perTask, rows - r0), block = count * hidden;
            var buffer = new float[12 * block];
            var gx = buffer.AsSpan(0, 3 * block);
            var biasBlock = buffer.AsSpan(3 * block, 3 * block);
            var scratch = buffer.AsSpan(6 * block, 4 * block);
            var h = buffer.AsSpan(10 * block, block);
            var hPrevious = buffer.AsSpan(11 * block, block);
            GruKernel.BroadcastBias(hiddenBias.Data, biasBlock, count, hidden);
            if (initial is not null) initial.Data.AsSpan(r0 * hidden, block).CopyTo(hPrevious);
            for (int s = 0; s < frames; s++)
            {
                int t = reverse ? frames - 1 - s : s;
                GatherGates(x.Data, r0, count, t, frames, hidden, gx);
                GruKernel.Forward(gx, hPrevious, hiddenWeight.Data, biasBlock, scratch, h, count, hidden);
                for (int i = 0; i < count; i++) h.Slice(i * hidden, hidden).CopyTo(y.Data.AsSpan(((r0 + i) * frames + t) * hidden, hidden));
                h.CopyTo(hPrevious);
            }
        });
        var inputs = new List<Tensor> { x, hiddenWeight, hiddenBias };
        if (initial is not null) inputs.Add(initial);
        Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            var transposed = new float[gates * hidden];
            GruKernel.Transpose(hiddenWeight.Data, transposed, hidden);
            float[]? dx = null, dInitial = null;
            if (x.RequiresGrad) { x.GradSpan(); dx = x.Grad; }
            if (initial is not null && initial.RequiresGrad) { initial.GradSpan(); dInitial = initial.Grad; }
            var dWeight = new float[tasks][];
            var dBias = new float[tasks][];
            Parallel.For(0, tasks, Parallelism.Options, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (task) =>
            {
                int r0 = task * perTask, count = Math.Min(perTask, rows - r0), block = count * hidden;
                var buffer = new float[18 * block];
                var gx = buffer.AsSpan(0, 3 * block);
                var biasBlock = buffer.AsSpan(3 * block, 3 * block);
                var scratch = buffer.AsSpan(6 * block, 4 * block);
                var hPrevious = buffer.AsSpan(10 * block, block);
                var dh = buffer.AsSpan(11 * block, block);
                var dhNext = buffer.AsSpan(12 * block, block);
                var dgx = buffer.AsSpan(13 * block, 3 * block);
                var dghn = buffer.AsSpan(16 * block, block);
                var dBiasBlock = new float[3 * block];
                var dU = new float[hidden * gates];
                GruKernel.BroadcastBias(hiddenBias.Data, biasBlock, count, hidden);
                for (int s = frames - 1; s >= 0; s--)
                {
                    int t = reverse ? frames - 1 - s : s;
                    for (int i = 0; i < count; i++)
                        RowKernels.Add(dhNext.Slice(i * hidden, hidden), dy.AsSpan(((r0 + i) * frames + t) * hidden, hidden), dh.Slice(i * hidden, hidden));
                    if (s == 0)
                    {
                        if (initial is null) hPrevious.Clear();
                        else initial.Data.AsSpan(r0 * hidden, block).CopyTo(hPrevious);
                    }
                    else
                    {
                        int tp = reverse ? t + 1 : t - 1;
                        for (int i = 0; i < count; i++) y.Data.AsSpan(((r0 + i) * frames + tp) * hidden, hidden).CopyTo(hPrevious.Slice(i * hidden, hidden));
                    }
                    GatherGates(x.Data, r0, count, t, frames, hidden, gx);
                    GruKernel.Backward(gx, hPrevious, hiddenWeight.Data, transposed, biasBlock, dh, scratch, dgx, dghn, dhNext, dU, dBiasBlock, count, hidden);
                    if (dx is not null) ScatterAddGates(dgx, r0, count, t, frames, hidden, dx);
                }
                if (dInitial is not null)
                {
                    var di = dInitial.AsSpan(r0 * hidden, block);
                    TensorPrimitives.Add(di, dhNext, di);
                }
                dWeight[task] = dU;
                dBias[task] = dBiasBlock;
            });
            AccumulateRecurrentGradients(hiddenWeight, hiddenBias, dWeight, dBias, rows, perTask, hidden);
        }, inputs);
        return y;
    }

    /// <summary>
    /// Teacher-forced logits of an autoregressive Bernoulli GRU: for each of K given spike trains per sequence,
    /// <c>h_t = GRU(P_t + s_{t−1} v_s + π_{t−1} v_π, h_{t−1})</c>, <c>a_t = h_t · w + o_t</c>, <c>π_t = σ(a_t)</c>,
    /// with <c>h_{−1} = 0</c>, <c>s_{−1} = π_{−1} = 0</c> (the GRU as in <see cref="GruSequence"/>). So
    /// <c>q(s_t = 1 | s_&lt;t) = σ(a_t)</c> and <c>log q(s) = Σ_t ln Bernoulli(s_t; σ(a_t))</c> (see
    /// <see cref="BernoulliLogProb"/>).
    /// </summary>
    /// <param name="projection">P <c>[B, T, 3H]</c>: the input projection of everything but the feedback, shared by the K samples.</param>
    /// <param name="readoutOffset">o <c>[B, T]</c>: the logit's part that does not depend on the state, shared by the K samples.</param>
    /// <param name="weights">v_s, v_π, U, c, w.</param>
    /// <param name="spikes">The conditioning trains <c>[K, B, T]</c> (or <c>[B, T]</c> for K = 1); constant.</param>
    /// <returns>Logits a with the shape of <paramref name="spikes"/>, differentiable in every other input.</returns>
    /// <remarks>
    /// The gradient is exact, including the path through the fed-back probabilities π_{t−1}. One tape entry;
    /// backward recomputes the gates from the saved states. Rows (sample × sequence) run in parallel in fixed
    /// blocks; no result depends on the thread count.
    /// </remarks>
    public static Tensor BernoulliGruLogits(Tensor projection, Tensor readoutOffset, BernoulliGruWeights weights, Tensor spikes)
    {
        ArgumentNullException.ThrowIfNull(weights);
        CheckBernoulliGru(projection, readoutOffset, weights);
        int batch = projection.Shape[0], frames = projection.Shape[1];
        if (spikes.Rank < 2 || spikes.Dim(-1) != frames || spikes.Dim(-2) != batch)
            throw new ArgumentException($"BernoulliGruLogits: spikes [{spikes.ShapeString}] must be [K, B, T] or [B, T] with B = {batch}, T = {frames}");
        return BernoulliGru(projection, readoutOffset, weights, spikes, null);
    }

    /// <summary>
    /// Draws <paramref name="samples"/> spike trains per sequence from the autoregressive Bernoulli GRU of
    /// <see cref="BernoulliGruLogits"/>, all advancing together: <c>s_t = 1</c> iff <c>u_t &lt; σ(a_t)</c> for
    /// uniforms u drawn from <paramref name="rng"/> up front in <c>[K, B, T]</c> order. The logits are those
    /// <see cref="BernoulliGruLogits"/> gives for the drawn spikes (the same values, and the same exact
    /// gradient: the samples are constants).
    /// </summary>
    public static BernoulliGruSamples SampleBernoulliGru(Tensor projection, Tensor readoutOffset, BernoulliGruWeights weights, int samples, Random rng)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(rng);
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), $"samples must be >= 1, got {samples}");
        CheckBernoulliGru(projection, readoutOffset, weights);
        int batch = projection.Shape[0], frames = projection.Shape[1];
        var spikes = Tensor.Zeros(samples, batch, frames);
        var uniforms = new float[spikes.Length];
        for (int i = 0; i < uniforms.Length; i++) uniforms[i] = rng.NextSingle();
        var logits = BernoulliGru(projection, readoutOffset, weights, spikes, uniforms);
        return new BernoulliGruSamples(spikes, logits);
    }

    private static void CheckBernoulliGru(Tensor projection, Tensor readoutOffset, BernoulliGruWeights w)
    {
        if (projection.Rank != 3) throw new ArgumentException($"BernoulliGru: projection must be [B, T, 3H], got [{projection.ShapeString}]");
        int batch = projection.Shape[0], frames = projection.Shape[1], gates = projection.Shape[2], hidden = gates / 3;
        CheckGruWeights("BernoulliGru", gates, w.HiddenWeight, w.HiddenBias);
        if (readoutOffset.Length != batch * frames)
            throw new ArgumentException($"BernoulliGru: readout offset [{readoutOffset.ShapeString}] must be [B, T] = [{batch}, {frames}]");
        if (w.SpikeWeight.Length != gates || w.ProbabilityWeight.Length != gates)
            throw new ArgumentException($"BernoulliGru: feedback weights [{w.SpikeWeight.ShapeString}] and [{w.ProbabilityWeight.ShapeString}] must have 3H = {gates} values");
        if (w.ReadoutWeight.Length != hidden)
            throw new ArgumentException($"BernoulliGru: readout weight [{w.ReadoutWeight.ShapeString}] must have H = {hidden} values");
    }

    private static void CheckGruWeights(string op, int gates, Tensor hiddenWeight, Tensor hiddenBias)
    {
        int hidden = gates / 3;
        if (gates == 0 || gates % 3 != 0) throw new ArgumentException($"{op}: the last dimension of the input projection must be 3H > 0, got {gates}");
        if (hiddenWeight.Rank != 2 || hiddenWeight.Shape[0] != hidden || hiddenWeight.Shape[1] != gates)
            throw new ArgumentException($"{op}: hidden weight [{hiddenWeight.ShapeString}] must be [H, 3H] = [{hidden}, {gates}]");
        if (hiddenBias.Length != gates) throw new ArgumentException($"{op}: hidden bias [{hiddenBias.ShapeString}] must have 3H = {gates} values");
    }

    /// <summary>
    /// The shared forward and backward of <see cref="BernoulliGruLogits"/> and <see cref="SampleBernoulliGru"/>:
    /// with <paramref name="uniforms"/>, spikes are drawn into <paramref name="spikes"/>; otherwise they are read.
    /// Rows are ordered sequence-major inside (row = b·K + k) so a block's projection gradient covers few sequences.
    /// </summary>
    private static Tensor BernoulliGru(Tensor projection, Tensor readoutOffset, BernoulliGruWeights w, Tensor spikes, float[]? uniforms)
    {
        int batch = projection.Shape[0], frames = projection.Shape[1], gates = projection.Shape[2], hidden = gates / 3;
        int samples = spikes.Length / Math.Max(batch * frames, 1), rows = samples * batch;
        var logits = Tensor.Zeros((int[])spikes.Shape.Clone());
        if (rows == 0 || frames == 0) return logits;
        Tensor[] inputs = [projection, readoutOffset, w.SpikeWeight, w.ProbabilityWeight, w.HiddenWeight, w.HiddenBias, w.ReadoutWeight];
        bool record = Tape.Current is not null && inputs.Any(t => t.RequiresGrad);
        int perTask = RowsPerTask(rows), tasks = (rows + perTask - 1) / perTask;
        // The states of every row and frame, kept only for the backward pass: task-major, then [T, rows, H].
        long stateCount = (long)rows * frames * hidden;
        if (record && stateCount > Array.MaxLength)
            throw new ArgumentException($"BernoulliGru: {rows} rows × {frames} frames × {hidden} units of state are too many to keep for backward; use shorter chunks");
        var states = record ? GC.AllocateUninitializedArray<float>((int)stateCount) : null;
        float[] p = projection.Data, o = readoutOffset.Data, s = spikes.Data, a = logits.Data;
        float[] vs = w.SpikeWeight.Data, vp = w.ProbabilityWeight.Data, wo = w.ReadoutWeight.Data;
        int SampleIndex(int row, int t) => ((row % samples) * batch + row / samples) * frames + t;

        Parallel.For(0, tasks, Parallelism.Options, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (task) =>
        {
            int r0 = task * perTask, count = Math.Min(perTask, rows - r0), block = count * hidden;
            var buffer = new float[12 * block + 2 * count];
            var gx = buffer.AsSpan(0, 3 * block);
            var biasBlock = buffer.AsSpan(3 * block, 3 * block);
            var scratch = buffer.AsSpan(6 * block, 4 * block);
            var ping = buffer.AsSpan(10 * block, block);
            var pong = buffer.AsSpan(11 * block, block);
            var previousSpike = buffer.AsSpan(12 * block, count);
            var previousProbability = buffer.AsSpan(12 * block + count, count);
            GruKernel.BroadcastBias(w.HiddenBias.Data, biasBlock, count, hidden);
            for (int t = 0; t < frames; t++)
            {
                FeedbackGates(p, vs, vp, r0, count, samples, t, frames, hidden, previousSpike, previousProbability, gx);
                Span<float> hPrevious, h;
                if (states is not null)
                {
                    h = states.AsSpan(r0 * frames * hidden + t * block, block);
                    hPrevious = t == 0 ? ping : states.AsSpan(r0 * frames * hidden + (t - 1) * block, block);
                }
                else
                {
                    h = t % 2 == 0 ? pong : ping;
                    hPrevious = t % 2 == 0 ? ping : pong;
                }
                GruKernel.Forward(gx, hPrevious, w.HiddenWeight.Data, biasBlock, scratch, h, count, hidden);
                for (int i = 0; i < count; i++)
                {
                    int row = r0 + i, b = row / samples, index = SampleIndex(row, t);
                    float logit = RowKernels.Dot(h.Slice(i * hidden, hidden), wo) + o[b * frames + t];
                    float probability = Sigmoid(logit);
                    a[index] = logit;
                    if (uniforms is not null) s[index] = uniforms[index] < probability ? 1f : 0f;
                    previousSpike[i] = s[index];
                    previousProbability[i] = probability;
                }
            }
        });
        if (!record) return logits;

        Tape.Record(logits, () =>
        {
            var dLogits = logits.Grad!;
            var transposed = new float[gates * hidden];
            GruKernel.Transpose(w.HiddenWeight.Data, transposed, hidden);
            var partials = new BernoulliGruPartial[tasks];
            Parallel.For(0, tasks, Parallelism.Options, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (task) =>
            {
                int r0 = task * perTask, count = Math.Min(perTask, rows - r0), block = count * hidden;
                int firstSequence = r0 / samples, sequences = (r0 + count - 1) / samples - firstSequence + 1;
                var part = new BernoulliGruPartial(firstSequence, sequences, frames, hidden, count);
                var buffer = new float[20 * block + 2 * count];
                var gx = buffer.AsSpan(0, 3 * block);
                var biasBlock = buffer.AsSpan(3 * block, 3 * block);
                var scratch = buffer.AsSpan(6 * block, 4 * block);
                var zeros = buffer.AsSpan(10 * block, block);
                var dh = buffer.AsSpan(11 * block, block);
                var dhNext = buffer.AsSpan(12 * block, block);
                var dgx = buffer.AsSpan(13 * block, 3 * block);
                var dgxNext = buffer.AsSpan(16 * block, 3 * block);
                var dghn = buffer.AsSpan(19 * block, block);
                var previousSpike = buffer.AsSpan(20 * block, count);
                var previousProbability = buffer.AsSpan(20 * block + count, count);
                GruKernel.BroadcastBias(w.HiddenBias.Data, biasBlock, count, hidden);
                var taskStates = states.AsSpan(r0 * frames * hidden, frames * block);
                for (int t = frames - 1; t >= 0; t--)
                {
                    var h = taskStates.Slice(t * block, block);
                    var hPrevious = t == 0 ? zeros : taskStates.Slice((t - 1) * block, block);
                    dhNext.CopyTo(dh);
                    for (int i = 0; i < count; i++)
                    {
                        int row = r0 + i, b = row / samples, index = SampleIndex(row, t);
                        float da = dLogits[index];
                        if (t < frames - 1)
                        {
                            // π_t feeds the next frame's gates: ∂L/∂π_t = Σ_g ∂g_{t+1} · v_π.
                            float dp = 0;
                            for (int g = 0; g < 3; g++) dp += RowKernels.Dot(dgxNext.Slice((g * count + i) * hidden, hidden), vp.AsSpan(g * hidden, hidden));
                            float probability = Sigmoid(a[index]);
                            da += dp * probability * (1 - probability);
                        }
                        if (da == 0) continue;
                        var dhi = dh.Slice(i * hidden, hidden);
                        RowKernels.MultiplyAdd(wo, da, dhi);
                        RowKernels.MultiplyAdd(h.Slice(i * hidden, hidden), da, part.ReadoutWeight);
                        part.ReadoutOffset[(b - firstSequence) * frames + t] += da;
                    }
                    for (int i = 0; i < count && t > 0; i++)
                    {
                        int index = SampleIndex(r0 + i, t - 1);
                        previousSpike[i] = s[index];
                        previousProbability[i] = Sigmoid(a[index]);
                    }
                    if (t == 0) { previousSpike.Clear(); previousProbability.Clear(); }
                    FeedbackGates(p, vs, vp, r0, count, samples, t, frames, hidden, previousSpike, previousProbability, gx);
                    GruKernel.Backward(gx, hPrevious, w.HiddenWeight.Data, transposed, biasBlock, dh, scratch, dgx, dghn, dhNext,
                        part.HiddenWeight, part.HiddenBiasBlock, count, hidden);
                    for (int i = 0; i < count; i++)
                    {
                        int b = (r0 + i) / samples;
                        var dp = part.Projection.AsSpan(((b - firstSequence) * frames + t) * gates, gates);
                        for (int g = 0; g < 3; g++)
                        {
                            var dgi = dgx.Slice((g * count + i) * hidden, hidden);
                            var dpg = dp.Slice(g * hidden, hidden);
                            RowKernels.Add(dpg, dgi, dpg);
                            if (previousSpike[i] != 0)
                            {
                                var dvs = part.SpikeWeight.AsSpan(g * hidden, hidden);
                                RowKernels.MultiplyAdd(dgi, previousSpike[i], dvs);
                            }
                            if (previousProbability[i] != 0)
                            {
                                var dvp = part.ProbabilityWeight.AsSpan(g * hidden, hidden);
                                RowKernels.MultiplyAdd(dgi, previousProbability[i], dvp);
                            }
                        }
                    }
                    dgx.CopyTo(dgxNext);
                }
                partials[task] = part;
            });

            // Sum the blocks' partial gradients in block order: deterministic whatever the thread count.
            foreach (var part in partials)
            {
                if (projection.RequiresGrad)
                {
                    var dst = projection.GradSpan().Slice(part.FirstSequence * frames * gates, part.Projection.Length);
                    TensorPrimitives.Add(dst, part.Projection, dst);
                }
                if (readoutOffset.RequiresGrad)
                {
                    var dst = readoutOffset.GradSpan().Slice(part.FirstSequence * frames, part.ReadoutOffset.Length);
                    TensorPrimitives.Add(dst, part.ReadoutOffset, dst);
                }
                AddInto(w.SpikeWeight, part.SpikeWeight);
                AddInto(w.ProbabilityWeight, part.ProbabilityWeight);
                AddInto(w.ReadoutWeight, part.ReadoutWeight);
            }
            AccumulateRecurrentGradients(w.HiddenWeight, w.HiddenBias, partials.Select(q => q.HiddenWeight).ToArray(),
                partials.Select(q => q.HiddenBiasBlock).ToArray(), rows, perTask, hidden);
        }, inputs);
        return logits;
    }

    /// <summary>One block's share of the gradients of <see cref="BernoulliGru"/>.</summary>
    private sealed class BernoulliGruPartial(int firstSequence, int sequences, int frames, int hidden, int rows)
    {
        public int FirstSequence { get; } = firstSequence;
        public float[] Projection { get; } = new float[sequences * frames * 3 * hidden];
        public float[] ReadoutOffset { get; } = new float[sequences * frames];
        public float[] SpikeWeight { get; } = new float[3 * hidden];
        public float[] ProbabilityWeight { get; } = new float[3 * hidden];
        public float[] ReadoutWeight { get; } = new float[hidden];
        public float[] HiddenWeight { get; } = new float[hidden * 3 * hidden];
        public float[] HiddenBiasBlock { get; } = new float[3 * rows * hidden];
    }

    private static void AddInto(Tensor target, ReadOnlySpan<float> gradient)
    {
        if (!target.RequiresGrad) return;
        var g = target.GradSpan();
        TensorPrimitives.Add(g, gradient, g);
    }

    /// <summary>Adds the blocks' U and c gradients (c still per row, gate-major) in block order.</summary>
    private static void AccumulateRecurrentGradients(Tensor hiddenWeight, Tensor hiddenBias, float[][] dWeight, float[][] dBiasBlocks,
        int rows, int perTask, int hidden)
    {
        if (hiddenWeight.RequiresGrad)
            foreach (var d in dWeight) AddInto(hiddenWeight, d);
        if (!hiddenBias.RequiresGrad) return;
        var dc = hiddenBias.GradSpan();
        for (int task = 0; task < dBiasBlocks.Length; task++)
        {
            int count = Math.Min(perTask, rows - task * perTask);
            for (int g = 0; g < 3; g++)
                for (int i = 0; i < count; i++)
                {
                    var dst = dc.Slice(g * hidden, hidden);
                    TensorPrimitives.Add(dst, dBiasBlocks[task].AsSpan((g * count + i) * hidden, hidden), dst);
                }
        }
    }

    /// <summary>Rows per parallel task of a sequence op: a function of the row count only.</summary>
    private static int RowsPerTask(int rows) => Math.Clamp((rows + TargetTasks - 1) / TargetTasks, MinRowsPerTask, MaxRowsPerTask);

    /// <summary>gx <c>[3, count, H]</c> ← rows r0.. of x <c>[N, T, 3H]</c> at frame t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherGates(float[] x, int r0, int count, int t, int frames, int hidden, Span<float> gx)
    {
        int gates = 3 * hidden;
        for (int i = 0; i < count; i++)
        {
            var src = x.AsSpan(((r0 + i) * frames + t) * gates, gates);
            for (int g = 0; g < 3; g++) src.Slice(g * hidden, hidden).CopyTo(gx.Slice((g * count + i) * hidden, hidden));
        }
    }

    /// <summary>dx rows r0.. at frame t += dgx <c>[3, count, H]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterAddGates(ReadOnlySpan<float> dgx, int r0, int count, int t, int frames, int hidden, float[] dx)
    {
        int gates = 3 * hidden;
        for (int i = 0; i < count; i++)
        {
            var dst = dx.AsSpan(((r0 + i) * frames + t) * gates, gates);
            for (int g = 0; g < 3; g++)
            {
                var d = dst.Slice(g * hidden, hidden);
                RowKernels.Add(d, dgx.Slice((g * count + i) * hidden, hidden), d);
            }
        }
    }

    /// <summary>gx <c>[3, count, H]</c> ← P[b, t] + s_{t−1} v_s + π_{t−1} v_π for rows r0.. (row = b·K + k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FeedbackGates(float[] p, float[] vs, float[] vp, int r0, int count, int samples, int t, int frames, int hidden,
        ReadOnlySpan<float> previousSpike, ReadOnlySpan<float> previousProbability, Span<float> gx)
    {
        int gates = 3 * hidden;
        for (int i = 0; i < count; i++)
        {
            int b = (r0 + i) / samples;
            var src = p.AsSpan((b * frames + t) * gates, gates);
            float spike = t == 0 ? 0f : previousSpike[i], probability = t == 0 ? 0f : previousProbability[i];
            for (int g = 0; g < 3; g++)
            {
                var dst = gx.Slice((g * count + i) * hidden, hidden);
                src.Slice(g * hidden, hidden).CopyTo(dst);
                if (probability != 0) RowKernels.MultiplyAdd(vp.AsSpan(g * hidden, hidden), probability, dst);
                if (spike != 0) RowKernels.MultiplyAdd(vs.AsSpan(g * hidden, hidden), spike, dst);
            }
        }
    }

    /// <summary>σ(x) in float, the same expression wherever the op needs it (forward, sampling and backward agree bitwise).</summary>
    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>
    /// Per-row vector helpers for the sequence ops' bookkeeping (H ≈ 64 values per call, thousands of calls
    /// per frame in training): inlined loops without <see cref="TensorPrimitives"/>' per-call dispatch.
    /// Each result depends only on its operands, never on where the row sits in a block.
    /// </summary>
    private static class RowKernels
    {
        /// <summary>Σ x_i y_i.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        {
            Debug.Assert(y.Length >= x.Length);
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int n = x.Length, i = 0;
            var acc = Vector<float>.Zero;
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                acc = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref xr, (nuint)i), Vector.LoadUnsafe(ref yr, (nuint)i), acc);
            float sum = Vector.Sum(acc);
            for (; i < n; i++) sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), sum);
            return sum;
        }

        /// <summary>y += a · x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void MultiplyAdd(ReadOnlySpan<float> x, float a, Span<float> y)
        {
            Debug.Assert(y.Length >= x.Length);
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int n = x.Length, i = 0;
            var av = new Vector<float>(a);
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref xr, (nuint)i), av, Vector.LoadUnsafe(ref yr, (nuint)i))
                    .StoreUnsafe(ref yr, (nuint)i);
            for (; i < n; i++) Unsafe.Add(ref yr, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, i), a, Unsafe.Add(ref yr, i));
        }

        /// <summary>z = x + y (z may be x or y).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        {
            Debug.Assert(y.Length >= x.Length && z.Length >= x.Length);
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float zr = ref MemoryMarshal.GetReference(z);
            int n = x.Length, i = 0;
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref xr, (nuint)i) + Vector.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
            for (; i < n; i++) Unsafe.Add(ref zr, i) = Unsafe.Add(ref xr, i) + Unsafe.Add(ref yr, i);
        }
    }
}
