using System.Globalization;
using DeepSpike.Engine;
using DeepSpike.Models;

namespace DeepSpike.Benchmarks;

/// <summary>
/// Time of one training step's generative part: <c>log p(f | s)</c> forward and backward for K = 64 samples of
/// 8 chunks × 400 frames (the default batch of <see cref="Training.TrainingOptions"/>), per generative model,
/// single thread, best of N wall time.
/// </summary>
public static class LikelihoodTiming
{
    private const int Samples = 64, Chunks = 8, Frames = 400, Repeats = 20;
    private const double FrameRateHz = 60;

    public static void Run(TextWriter output)
    {
        output.WriteLine($"log p(f | s) forward + backward, [{Samples}, {Chunks}, {Frames}] spikes, single thread, best of {Repeats}");
        var rng = new Random(1);
        var spikes = new float[Samples * Chunks * Frames];
        for (int i = 0; i < spikes.Length; i++) spikes[i] = rng.NextDouble() < 0.03 ? 1f : 0f;
        foreach (var name in new[] { "scf", "scf-ar2", "scdf", "mlphys" })
        {
            var model = ModelRegistry.CreateGenerative(name);
            // A GCaMP-like trace: AR(1) calcium (τ ≈ 0.8 s) from 1.8 Hz spikes, gain 0.5, noise 0.05.
            var f = new float[Chunks * Frames];
            double c = 0;
            for (int t = 0; t < f.Length; t++)
            {
                c = 0.98 * c + (rng.NextDouble() < 0.03 ? 1 : 0);
                f[t] = (float)(0.5 * c + 0.05 * (rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5) * 2);
            }
            var theta = model.InitialParameters(f, FrameRateHz);
            double best = BestOf.Seconds(() =>
            {
                using var tape = new Tape();
                tape.Backward(Ops.Sum(model.LogLikelihood(theta, new Tensor(f, Chunks, Frames), new Tensor(spikes, Samples, Chunks, Frames))));
                foreach (var (_, p) in theta.NamedParameters()) p.ZeroGrad();
            }, Repeats, warmups: 3);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-8} {best * 1e3,8:F2} ms"));
        }
    }
}
