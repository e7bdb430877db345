using DeepSpike.Inference;

namespace DeepSpike.Baselines;

/// <summary>The baseline spike-inference methods by name, as the CLI and benchmarks select them.</summary>
public static class BaselineMethods
{
    /// <summary>Every name <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["oasis-ar1", "oasis-ar2", "mcmc", "mlspike"];

    /// <summary>The baselines the real-data benchmarks run by default (MCMC assumes the SCF model and takes seconds per recording).</summary>
    public static IReadOnlyList<string> RealDataDefaults { get; } = ["oasis-ar1", "mlspike"];

    /// <summary>A method with default settings: <c>oasis-ar1</c>, <c>oasis-ar2</c> (<see cref="OasisMethod"/>),
    /// <c>mcmc</c> (<see cref="McmcMethod"/>) or <c>mlspike</c> (<see cref="MlSpikeMethod"/>).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ISpikeInferenceMethod Create(string name) => name switch
    {
        "oasis-ar1" => new OasisMethod(new OasisOptions(ArOrder: 1)),
        "oasis-ar2" => new OasisMethod(new OasisOptions(ArOrder: 2)),
        "mcmc" => new McmcMethod(),
        "mlspike" => new MlSpikeMethod(),
        _ => throw new ArgumentException($"unknown method '{name}'; use one of {string.Join(", ", Names)}"),
    };
}
