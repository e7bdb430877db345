using System.Diagnostics;
using System.Globalization;

namespace DeepSpike.Benchmarks;

/// <summary>
/// A Stopwatch harness for fast iteration (seconds, not minutes): best-of-N wall time per kernel and the
/// achieved multiply–add rate. BenchmarkDotNet (<see cref="Conv1dBenchmarks"/>) gives the numbers of record.
/// </summary>
public static class QuickTiming
{
    private const int Repeats = 30;

    public static void Run(TextWriter output)
    {
        output.WriteLine($"Conv1d kernels, {Workloads.Frames} frames, single thread, best of {Repeats}; " +
            $"Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, " +
            $"Vector256: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}");
        foreach (var name in new[] { "20-20-k5", "1-20-k31", "dsf-stack" })
            foreach (var implementation in Enum.GetValues<ConvImplementation>())
            {
                var w = new ConvWorkload(Workloads.Named(name), Workloads.Frames, implementation);
                foreach (var (label, run) in new (string, Action)[] { ("forward", w.Forward), ("backward input", w.BackwardInput), ("backward weight", w.BackwardWeight) })
                {
                    double best = BestOf.Seconds(run, Repeats, warmups: 5);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {name,-10} {implementation,-8} {label,-16} {best * 1e3,8:F3} ms  {w.Macs / best / 1e9,6:F1} GMAC/s"));
                }
            }
    }
}
