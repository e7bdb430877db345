using DeepSpike.Engine.Kernels;
using DeepSpike.Engine.Tests.Reference;

namespace DeepSpike.Benchmarks;

/// <summary>One Conv1d layer's shape: <c>[Cin, T] → [Cout, T]</c> with an odd kernel and a dilation.</summary>
public sealed record ConvLayerShape(int InChannels, int OutChannels, int Kernel, int Dilation)
{
    /// <summary>Multiply–adds per output frame.</summary>
    public long MacsPerFrame => (long)InChannels * OutChannels * Kernel;

    public override string ToString() =>
        $"{InChannels}->{OutChannels} k{Kernel}" + (Dilation == 1 ? "" : $" d{Dilation}");
}

/// <summary>Shapes timed by the benchmarks.</summary>
public static class Workloads
{
    /// <summary>Frames in one trace: ~3 minutes at 60 Hz.</summary>
    public const int Frames = 10_000;

    /// <summary>
    /// The default DS-F recognition stack (DsFOptions defaults at the time of writing: 20 channels, kernels
    /// 31, 11, 5, 5, 5 with dilations 1, 1, 2, 4, 1, then a pointwise 20 → 1 output layer). Kept here rather
    /// than read from DeepSpike so the benchmarks depend on the engine only.
    /// </summary>
    public static readonly ConvLayerShape[] DsFStack =
    [
        new(1, 20, 31, 1),
        new(20, 20, 11, 1),
        new(20, 20, 5, 2),
        new(20, 20, 5, 4),
        new(20, 20, 5, 1),
        new(20, 1, 1, 1),
    ];

    public static readonly ConvLayerShape Hidden20To20K5 = new(20, 20, 5, 1);
    public static readonly ConvLayerShape Input1To20K31 = new(1, 20, 31, 1);

    /// <summary>Named sets of layers: one layer, or the whole stack.</summary>
    public static ConvLayerShape[] Named(string name) => name switch
    {
        "20-20-k5" => [Hidden20To20K5],
        "1-20-k31" => [Input1To20K31],
        "dsf-stack" => DsFStack,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "known: 20-20-k5, 1-20-k31, dsf-stack"),
    };
}

/// <summary>Which implementation a workload runs.</summary>
public enum ConvImplementation
{
    /// <summary>The production register-blocked kernel, <see cref="Conv1dKernel"/>.</summary>
    Blocked,

    /// <summary>The original one-MultiplyAdd-per-tap kernel kept as the tests' reference.</summary>
    Simple,
}

/// <summary>Buffers for running the Conv1d kernels of a set of layers over one trace, single-threaded.</summary>
public sealed class ConvWorkload
{
    private readonly ConvLayerShape[] layers;
    private readonly int frames;
    private readonly ConvImplementation implementation;
    private readonly float[][] inputs, weights, outputs, weightGrads;

    public ConvWorkload(ConvLayerShape[] layers, int frames, ConvImplementation implementation = ConvImplementation.Blocked, int seed = 1)
    {
        this.layers = layers;
        this.frames = frames;
        this.implementation = implementation;
        var rng = new Random(seed);
        float[] Random(int n)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
            return v;
        }
        inputs = layers.Select(l => Random(l.InChannels * frames)).ToArray();
        weights = layers.Select(l => Random(l.OutChannels * l.InChannels * l.Kernel)).ToArray();
        outputs = layers.Select(l => Random(l.OutChannels * frames)).ToArray();
        weightGrads = layers.Select(l => new float[l.OutChannels * l.InChannels * l.Kernel]).ToArray();
    }

    /// <summary>Multiply–adds of one pass over all layers.</summary>
    public long Macs => layers.Sum(l => l.MacsPerFrame) * frames;

    /// <summary>y = conv(x, w) for every layer (y cleared first, as a bias-free layer would).</summary>
    public void Forward()
    {
        for (int l = 0; l < layers.Length; l++)
        {
            var s = layers[l];
            outputs[l].AsSpan().Clear();
            if (implementation == ConvImplementation.Simple)
                ReferenceConv1dKernel.Forward(inputs[l], weights[l], outputs[l], s.InChannels, s.OutChannels, frames, s.Kernel, s.Dilation);
            else
                Conv1dKernel.Forward(inputs[l], weights[l], outputs[l], s.InChannels, s.OutChannels, frames, s.Kernel, s.Dilation);
        }
    }

    /// <summary>dx += convᵀ(dy, w) for every layer (the layer's output buffer plays dy, its input buffer dx).</summary>
    public void BackwardInput()
    {
        for (int l = 0; l < layers.Length; l++)
        {
            var s = layers[l];
            if (implementation == ConvImplementation.Simple)
                ReferenceConv1dKernel.BackwardInput(outputs[l], weights[l], inputs[l], s.InChannels, s.OutChannels, frames, s.Kernel, s.Dilation);
            else
                Conv1dKernel.BackwardInput(outputs[l], weights[l], inputs[l], s.InChannels, s.OutChannels, frames, s.Kernel, s.Dilation);
        }
    }

    /// <summary>dw += Σ_t dy ⊗ x for every layer.</summary>
    public void BackwardWeight()
    {
        for (int l = 0; l < layers.Length; l++)
        {
            var s = layers[l];
            if (implementation == ConvImplementation.Simple)
                ReferenceConv1dKernel.BackwardWeight(outputs[l], inputs[l], weightGrads[l], s.InChannels, s.OutChannels, frames, s.Kernel, s.Dilation);
            else
                Conv1dKernel.BackwardWeight(outputs[l], inputs[l], weightGrads[l], s.InChannels, s.OutChannels, frames, s.Kernel, s.Dilation);
        }
    }
}
