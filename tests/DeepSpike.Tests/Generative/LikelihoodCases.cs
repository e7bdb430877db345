using DeepSpike.Generative;

namespace DeepSpike.Tests.Generative;

/// <summary>Inputs the generative-model likelihood tests share.</summary>
internal static class LikelihoodCases
{
    /// <summary>A 0/1 train with each frame a spike with probability <paramref name="p"/>.</summary>
    public static float[] Bernoulli(Random rng, int frames, double p)
    {
        var s = new float[frames];
        for (int t = 0; t < frames; t++) s[t] = rng.NextDouble() < p ? 1 : 0;
        return s;
    }

    /// <summary>
    /// Two chunks of a simulated 600-frame trace, <c>[chunks, frames]</c>: one from quiet time and one starting just
    /// after a six-spike burst, so the model's state at the chunk start matters; plus <paramref name="samples"/>
    /// random trains per chunk <c>[samples, chunks, frames]</c>.
    /// </summary>
    public static (float[] Fluorescence, float[] Spikes) ChunksAfterBurst(IGenerativeModel model, GenerativeParameters theta, Random rng,
        int frames, int samples)
    {
        int[] starts = [20, 297];
        var truth = Bernoulli(rng, 600, 0.03);
        for (int t = 290; t < 296; t++) truth[t] = 1;
        var trace = model.Simulate(theta, truth, rng);
        var f = new float[starts.Length * frames];
        for (int b = 0; b < starts.Length; b++) Array.Copy(trace, starts[b], f, b * frames, frames);
        return (f, Bernoulli(rng, samples * starts.Length * frames, 0.05));
    }
}
