using DeepSpike.Dynamics;
using DeepSpike.Engine;

namespace DeepSpike.Benchmarks;

/// <summary>
/// One LFADS training step (forward, backward) at the Lorenz benchmark's size — a batch of 65 trials × 100 bins × 30 cells,
/// encoder and generator of 64 units — on one thread and on all, best of <see cref="Repeats"/>: what bounds the
/// dynamics bench's steps per second.
/// </summary>
public static class LfadsTiming
{
    /// <summary>Timed steps.</summary>
    public const int Repeats = 10;

    public static void Run(TextWriter output)
    {
        var data = (LorenzProtocol.Paper with { Conditions = 5 }).Simulate(1).Training.Spikes!;
        var batch = LfadsTrainer.Gather(data, Enumerable.Range(0, 65).ToArray());
        var model = new Lfads(data.Channels, new LfadsOptions(), new Random(1));
        var rng = new Random(2);
        int previous = Parallelism.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, Environment.ProcessorCount })
            {
                Parallelism.MaxThreads = threads;
                double forward = BestOf.Seconds(() => model.Forward(batch, rng, training: true), Repeats, warmups: 2);
                double step = BestOf.Seconds(() =>
                {
                    using var tape = new Tape();
                    var pass = model.Forward(batch, rng, training: true);
                    tape.Backward(LfadsObjective.Evaluate(model, pass, batch, 1, 1, 250).Loss);
                    foreach (var p in model.Parameters()) p.ZeroGrad();
                }, Repeats, warmups: 2);
                output.WriteLine($"LFADS step, batch 65 × 100 × 30, {threads} thread(s): forward {forward * 1e3:F1} ms, forward + backward {step * 1e3:F1} ms ({1 / step:F1} steps/s)");
            }
        }
        finally { Parallelism.MaxThreads = previous; }
    }
}
