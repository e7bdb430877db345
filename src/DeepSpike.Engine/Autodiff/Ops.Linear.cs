using System.Numerics.Tensors;
using DeepSpike.Engine.Kernels;

namespace DeepSpike.Engine;

public static partial class Ops
{
    /// <summary>Output channels per weight-gradient task: the Conv1d kernel's register block.</summary>
    private const int ConvChannelsPerTask = 4;

    /// <summary>Matrix product <c>[m, k] · [k, n] → [m, n]</c>.</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Rank != 2 || b.Rank != 2 || a.Shape[1] != b.Shape[0])
            throw new ArgumentException($"MatMul: cannot multiply [{a.ShapeString}] by [{b.ShapeString}]");
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        var y = Tensor.Zeros(m, n);
        Gemm.Multiply(a.Data, false, b.Data, false, y.Data, m, n, k, accumulate: false);
        Tape.Record(y, () =>
        {
            // dA = dY · Bᵀ, dB = Aᵀ · dY
            if (a.RequiresGrad) Gemm.Multiply(y.Grad, false, b.Data, true, a.GradSpan(), m, k, n, accumulate: true);
            if (b.RequiresGrad) Gemm.Multiply(a.Data, true, y.Grad, false, b.GradSpan(), k, n, m, accumulate: true);
        }, a, b);
        return y;
    }

    /// <summary>
    /// Dilated 1-D convolution with 'same' zero padding: x <c>[batch, cin, frames]</c>, weight
    /// <c>[cout, cin, kernel]</c> (kernel odd), optional bias <c>[cout]</c> → <c>[batch, cout, frames]</c>.
    /// <c>y[b, o, t] = bias[o] + Σ_i Σ_k w[o, i, k] · x[b, i, t + k·d − d(kernel−1)/2]</c>.
    /// The forward pass and input gradient run in parallel over the batch, the weight gradient over blocks of
    /// output channels; no result depends on the thread count. Kernels: <see cref="Conv1dKernel"/>.
    /// </summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias, int dilation = 1)
    {
        if (x.Rank != 3 || weight.Rank != 3 || weight.Shape[1] != x.Shape[1])
            throw new ArgumentException($"Conv1d: input [{x.ShapeString}] and weight [{weight.ShapeString}] do not match (need [B, Cin, T] and [Cout, Cin, K])");
        int batch = x.Shape[0], cin = x.Shape[1], frames = x.Shape[2], cout = weight.Shape[0], kernel = weight.Shape[2];
        if (kernel % 2 == 0) throw new ArgumentException($"Conv1d: 'same' padding needs an odd kernel size, got {kernel}");
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), $"dilation must be >= 1, got {dilation}");
        if (bias is not null && bias.Length != cout)
            throw new ArgumentException($"Conv1d: bias [{bias.ShapeString}] must have one value per output channel of weight [{weight.ShapeString}] ({cout})");
        var y = Tensor.Zeros(batch, cout, frames);
        int inSize = cin * frames, outSize = cout * frames;
        Parallel.For(0, batch, Parallelism.Options, b =>
        {
            var yb = y.Data.AsSpan(b * outSize, outSize);
            if (bias is not null)
                for (int o = 0; o < cout; o++) yb.Slice(o * frames, frames).Fill(bias.Data[o]);
            Conv1dKernel.Forward(x.Data.AsSpan(b * inSize, inSize), weight.Data, yb, cin, cout, frames, kernel, dilation);
        });
        var inputs = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            if (x.RequiresGrad)
            {
                x.GradSpan();
                var dx = x.Grad!;
                Parallel.For(0, batch, Parallelism.Options, b => Conv1dKernel.BackwardInput(dy.AsSpan(b * outSize, outSize), weight.Data,
                    dx.AsSpan(b * inSize, inSize), cin, cout, frames, kernel, dilation));
            }
            if (weight.RequiresGrad)
            {
                weight.GradSpan();
                var dw = weight.Grad!;
                // Parallel over blocks of output channels, each summing over the batch in order: no shared
                // accumulators, and the result does not depend on the thread count.
                int rowLen = cin * kernel, groups = (cout + ConvChannelsPerTask - 1) / ConvChannelsPerTask;
                Parallel.For(0, groups, Parallelism.Options, g =>
                {
                    int o0 = g * ConvChannelsPerTask, count = Math.Min(ConvChannelsPerTask, cout - o0);
                    var rows = dw.AsSpan(o0 * rowLen, count * rowLen);
                    for (int b = 0; b < batch; b++)
                        Conv1dKernel.BackwardWeight(dy.AsSpan(b * outSize + o0 * frames, count * frames), x.Data.AsSpan(b * inSize, inSize), rows,
                            cin, count, frames, kernel, dilation);
                });
            }
            if (bias is not null && bias.RequiresGrad)
            {
                var db = bias.GradSpan();
                for (int b = 0; b < batch; b++)
                    for (int o = 0; o < cout; o++)
                        db[o] += TensorPrimitives.Sum(dy.AsSpan(b * outSize + o * frames, frames));
            }
        }, inputs);
        return y;
    }
}
