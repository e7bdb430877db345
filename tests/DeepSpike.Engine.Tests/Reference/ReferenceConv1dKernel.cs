using System.Numerics.Tensors;

namespace DeepSpike.Engine.Tests.Reference;

/// <summary>
/// The original, simple Conv1d kernel (one TensorPrimitives.MultiplyAdd / Dot per output channel, input
/// channel and tap), kept as the reference the register-blocked production kernel is tested against.
/// Dilated 1-D convolution with 'same' zero padding over one sequence, span in / span out.
/// <c>y[o, t] = Σ_i Σ_k w[o, i, k] · x[i, t + k·d − pad]</c>, pad = d·(kernel − 1)/2, kernel odd.
/// </summary>
/// <remarks>
/// Time is processed in tiles so that the input rows of a tile stay in L1 while every output channel
/// reads them; each tap is a vector FMA over the tile.
/// </remarks>
internal static class ReferenceConv1dKernel
{
    private const int TileFrames = 512;

    /// <summary>y (+)= conv(x, w); y is <c>[cout, t]</c>, x <c>[cin, t]</c>, w <c>[cout, cin, kernel]</c>.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y,
        int cin, int cout, int frames, int kernel, int dilation)
    {
        int pad = dilation * (kernel - 1) / 2;
        for (int t0 = 0; t0 < frames; t0 += TileFrames)
        {
            int t1 = Math.Min(frames, t0 + TileFrames);
            for (int o = 0; o < cout; o++)
            {
                var yRow = y.Slice(o * frames, frames);
                for (int i = 0; i < cin; i++)
                {
                    var xRow = x.Slice(i * frames, frames);
                    var wRow = w.Slice((o * cin + i) * kernel, kernel);
                    for (int k = 0; k < kernel; k++)
                    {
                        int shift = k * dilation - pad;
                        int lo = Math.Max(t0, -shift), hi = Math.Min(t1, frames - shift);
                        if (hi <= lo) continue;
                        var dst = yRow[lo..hi];
                        TensorPrimitives.MultiplyAdd(xRow.Slice(lo + shift, hi - lo), wRow[k], dst, dst);
                    }
                }
            }
        }
    }

    /// <summary>dx += convᵀ(dy, w): the input gradient; shapes as in <see cref="Forward"/>.</summary>
    public static void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx,
        int cin, int cout, int frames, int kernel, int dilation)
    {
        int pad = dilation * (kernel - 1) / 2;
        for (int t0 = 0; t0 < frames; t0 += TileFrames)
        {
            int t1 = Math.Min(frames, t0 + TileFrames);
            for (int i = 0; i < cin; i++)
            {
                var dxRow = dx.Slice(i * frames, frames);
                for (int o = 0; o < cout; o++)
                {
                    var dyRow = dy.Slice(o * frames, frames);
                    var wRow = w.Slice((o * cin + i) * kernel, kernel);
                    for (int k = 0; k < kernel; k++)
                    {
                        // Input frame s received weight w·dy[t] with t = s − shift.
                        int shift = k * dilation - pad;
                        int lo = Math.Max(t0, shift), hi = Math.Min(t1, frames + shift);
                        if (hi <= lo) continue;
                        var dst = dxRow[lo..hi];
                        TensorPrimitives.MultiplyAdd(dyRow.Slice(lo - shift, hi - lo), wRow[k], dst, dst);
                    }
                }
            }
        }
    }

    /// <summary>All output channels: the per-channel original below, once per row of dw.</summary>
    public static void BackwardWeight(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw,
        int cin, int cout, int frames, int kernel, int dilation)
    {
        for (int o = 0; o < cout; o++)
            BackwardWeightRow(dy, x, dw.Slice(o * cin * kernel, cin * kernel), o, cin, frames, kernel, dilation);
    }

    /// <summary>dw[o, i, k] += Σ_t dy[o, t] · x[i, t + shift_k] for one output channel <paramref name="o"/>.</summary>
    public static void BackwardWeightRow(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dwRowForO,
        int o, int cin, int frames, int kernel, int dilation)
    {
        int pad = dilation * (kernel - 1) / 2;
        var dyRow = dy.Slice(o * frames, frames);
        for (int i = 0; i < cin; i++)
        {
            var xRow = x.Slice(i * frames, frames);
            for (int k = 0; k < kernel; k++)
            {
                int shift = k * dilation - pad;
                int lo = Math.Max(0, -shift), hi = Math.Min(frames, frames - shift);
                if (hi <= lo) continue;
                dwRowForO[i * kernel + k] += TensorPrimitives.Dot(dyRow[lo..hi], xRow.Slice(lo + shift, hi - lo));
            }
        }
    }
}
