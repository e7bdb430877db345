using DeepSpike.Engine;
using DeepSpike.Models;

namespace DeepSpike.Tests.Generative;

/// <summary>Properties every registered generative model must have, whatever its dynamics.</summary>
public sealed class GenerativeModelContractTests
{
    private const double FrameRate = 60;

    public static TheoryData<string> Models() => [.. ModelRegistry.GenerativeNames];

    [Theory]
    [MemberData(nameof(Models))]
    public void Simulate_LongTrace_ResidualNoiseHasModelSigma(string name)
    {
        var model = ModelRegistry.CreateGenerative(name);
        var rng = new Random(9);
        const int frames = 50_000;
        var s = new float[frames];
        for (int t = 0; t < frames; t++) s[t] = rng.NextDouble() < 1 / FrameRate ? 1 : 0;
        // Parameters as the trainer would start them, with the noise set to a known σ = 0.3.
        var start = new float[2000];
        for (int t = 0; t < start.Length; t++) start[t] = (float)(0.2 * DeepSpike.Generative.RandomExtensions.NextGaussian(rng)) + (t % 97 == 0 ? 1 : 0);
        var theta = model.InitialParameters(start, FrameRate);
        theta["log_sigma"].Data[0] = MathF.Log(0.3f);
        var f = model.Simulate(theta, s, rng);
        var mean = model.MeanFluorescence(theta, new Tensor(s, 1, frames)).Data;
        double ss = 0, sum = 0;
        for (int t = 0; t < frames; t++) { double r = f[t] - mean[t]; sum += r; ss += r * r; }
        double sd = Math.Sqrt(ss / frames - Math.Pow(sum / frames, 2));
        Assert.InRange(sd, 0.3 * 0.98, 0.3 * 1.02); // 50,000 draws: relative SE of the SD ≈ 0.3 %
        Assert.InRange(sum / frames, -0.01, 0.01);
    }
}
