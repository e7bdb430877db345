using System.Diagnostics;
using System.Globalization;
using DeepSpike.Baselines;
using DeepSpike.Data;
using DeepSpike.Engine;
using DeepSpike.Evaluation;
using DeepSpike.Simulation;

namespace DeepSpike.Benchmarks;

/// <summary>
/// Time per trace of OASIS AR(1) with every parameter estimated (noise σ, γ, baseline, noise-constrained λ), as
/// <c>BaselineMethods.Create("oasis-ar1")</c> builds it, on one thread: <see cref="Traces"/> paper-protocol traces
/// of 10⁴ frames at 60 Hz, warmed up past tiered compilation, then <see cref="Passes"/> timed passes over all of
/// them. Prints the best and the median pass in µs per trace (other processes inflate single passes, so compare
/// builds in one session), and the mean correlation with the true spikes at 16.6 ms bins as an accuracy check.
/// </summary>
public static class OasisTiming
{
    /// <summary>Simulated traces per pass: 20 cells × the paper's three rates.</summary>
    public const int Traces = 60;

    /// <summary>Untimed passes first: tiered compilation promotes a method after ~30 calls.</summary>
    public const int WarmUpPasses = 5;

    /// <summary>Timed passes.</summary>
    public const int Passes = 25;

    /// <summary>Simulation seed.</summary>
    public const int Seed = 7;

    public static void Run(TextWriter output)
    {
        var data = ScfSimulationProtocol.Paper.Simulate(Traces / 3, [0.6, 0.9, 1.1], 10_000, 60, Seed);
        var traces = data.Calcium.Traces;
        var method = BaselineMethods.Create("oasis-ar1");
        int previous = Parallelism.MaxThreads;
        Parallelism.MaxThreads = 1;
        try
        {
            for (int pass = 0; pass < WarmUpPasses; pass++)
                foreach (var trace in traces) method.Infer(trace, data.Calcium.FrameRateHz, 0);
            var microseconds = new double[Passes];
            for (int pass = 0; pass < Passes; pass++)
            {
                long start = Stopwatch.GetTimestamp();
                foreach (var trace in traces) method.Infer(trace, data.Calcium.FrameRateHz, 0);
                microseconds[pass] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / traces.Count;
            }
            Array.Sort(microseconds);
            var predicted = traces.Select(t => method.Infer(t, data.Calcium.FrameRateHz, 0)).ToArray();
            var report = SpikeMetrics.Evaluate(new TraceSet(data.Calcium.Names, predicted, data.Calcium.FrameRateHz), data.Spikes, SpikeMetrics.SimulatedBinMs);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"oasis-ar1, {traces.Count} traces of 10^4 frames, one thread, {Passes} passes after {WarmUpPasses} warm-up: " +
                $"best {microseconds[0]:F0} µs/trace, median {microseconds[Passes / 2]:F0} µs/trace; r = {report.Mean:F4} ± {report.Sem:F4}"));
        }
        finally { Parallelism.MaxThreads = previous; }
    }
}
