using BenchmarkDotNet.Attributes;

namespace DeepSpike.Benchmarks;

/// <summary>
/// The Conv1d kernels on one trace of <see cref="Workloads.Frames"/> frames, single-threaded (the kernels
/// are called directly, not through <c>Ops.Conv1d</c>, which parallelises over the batch).
/// </summary>
[MemoryDiagnoser]
public class Conv1dBenchmarks
{
    private ConvWorkload workload = null!;

    [Params("20-20-k5", "1-20-k31", "dsf-stack")]
    public string Layers { get; set; } = "";

    [Params(ConvImplementation.Blocked, ConvImplementation.Simple)]
    public ConvImplementation Kernel { get; set; }

    [GlobalSetup]
    public void Setup() => workload = new ConvWorkload(Workloads.Named(Layers), Workloads.Frames, Kernel);

    [Benchmark]
    public void Forward() => workload.Forward();

    [Benchmark]
    public void BackwardInput() => workload.BackwardInput();

    [Benchmark]
    public void BackwardWeight() => workload.BackwardWeight();
}
