using DeepSpike.Engine;
using DeepSpike.Generative;

namespace DeepSpike.Tests.Generative;

public sealed class ScfModelTests
{
    private const double FrameRate = 60;

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.7)]
    [InlineData(2.0)]
    public void CalciumKernel_FromTauThenToTau_ReturnsTau(double tau) =>
        Assert.Equal(tau, CalciumKernel.ToTau(CalciumKernel.FromTau(tau, FrameRate), FrameRate), 10);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void CalciumKernel_FromTauNonPositive_Throws(double tau) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CalciumKernel.FromTau(tau, FrameRate));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FromPhysical_ThenToPhysical_RoundTrips(int order)
    {
        var model = new ScfModel(new ScfOptions(ArOrder: order));
        double[] gamma = order == 1 ? [0.95] : [0.95 + 0.5, -0.95 * 0.5];
        var p = new ScfParameters(gamma, 1.3, 0.8, -0.2, 0.25, 1.1);
        var back = model.ToPhysical(model.FromPhysical(p, FrameRate), FrameRate);
        for (int j = 0; j < order; j++) Assert.Equal(gamma[j], back.Gamma[j], 5);
        Assert.Equal(p.Alpha, back.Alpha, 5);
        Assert.Equal(p.Delta, back.Delta, 5);
        Assert.Equal(p.Beta, back.Beta, 5);
        Assert.Equal(p.Sigma, back.Sigma, 5);
        Assert.Equal(p.SpikeRateHz, back.SpikeRateHz, 3);
    }

    [Fact]
    public void FromPhysical_ComplexAr2Roots_ThrowsNamingDiscriminant()
    {
        var model = new ScfModel(new ScfOptions(ArOrder: 2));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.FromPhysical(new ScfParameters([1.0, -0.5], 1, 1, 0, 0.1, 1), FrameRate));
        Assert.Contains("complex roots", e.Message);
    }

    [Fact]
    public void MeanFluorescence_SingleSpike_IsScaledExponentialDecay()
    {
        var model = new ScfModel();
        var theta = model.FromPhysical(new ScfParameters([0.9], Alpha: 2, Delta: 1.5, Beta: 0.3, Sigma: 0.1, SpikeRateHz: 1), FrameRate);
        var s = new float[20]; s[5] = 1;
        var f = model.MeanFluorescence(theta, new Tensor(s, 1, 20)).Data;
        for (int t = 0; t < 20; t++)
        {
            double expected = 0.3 + (t < 5 ? 0 : 2 * 1.5 * Math.Pow(0.9, t - 5));
            Assert.Equal(expected, f[t], 4);
        }
    }

    [Fact]
    public void LogLikelihood_MatchesGaussianDensityComputedDirectly()
    {
        var model = new ScfModel();
        var theta = model.FromPhysical(new ScfParameters([0.8], 1.2, 1.0, 0.1, 0.4, 1), FrameRate);
        var rng = new Random(3);
        int frames = 50;
        var s = new float[frames];
        for (int t = 0; t < frames; t++) s[t] = rng.NextDouble() < 0.1 ? 1 : 0;
        var f = model.Simulate(theta, s, rng);
        // Direct: c_t = 0.8 c_{t-1} + s_t, mean = 1.2 c + 0.1; initial calcium from the first frames.
        // The held state h shows as α·h·γ^{t+1} in the first frames, so h = (f̄ − β) / (α·mean(γ, γ², γ³)).
        double init = Math.Max(0, ((f[0] + f[1] + f[2]) / 3.0 - 0.1) / (1.2 * (0.8 + 0.64 + 0.512) / 3)), c = init, expected = 0;
        for (int t = 0; t < frames; t++)
        {
            c = 0.8 * c + s[t];
            double r = f[t] - (1.2 * c + 0.1);
            expected += -0.5 * r * r / 0.16 - Math.Log(0.4) - 0.5 * Math.Log(2 * Math.PI);
        }
        var ll = model.LogLikelihood(theta, new Tensor(f, 1, frames), new Tensor(s, 1, 1, frames));
        Assert.Equal(expected, ll.Data[0], 2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void LogLikelihood_Gradients_MatchFiniteDifferences(int order)
    {
        var model = new ScfModel(new ScfOptions(ArOrder: order));
        double[] gamma = order == 1 ? [0.9] : [0.9 + 0.4, -0.9 * 0.4];
        var theta = model.FromPhysical(new ScfParameters(gamma, 1.1, 0.9, 0.05, 0.3, 1), FrameRate);
        var rng = new Random(5);
        int frames = 40, samples = 3;
        var truth = new float[frames];
        for (int t = 0; t < frames; t++) truth[t] = rng.NextDouble() < 0.1 ? 1 : 0;
        truth[0] = truth[1] = truth[2] = 0;
        var f = model.Simulate(theta, truth, rng);
        f[0] = f[1] = f[2] = -1f; // below baseline: initial calcium 0 for every nearby θ (it is held constant in θ)
        var s = new float[samples * frames];
        for (int i = 0; i < s.Length; i++) s[i] = rng.NextDouble() < 0.1 ? 1 : 0;
        var weights = new float[samples];
        for (int k = 0; k < samples; k++) weights[k] = (float)(rng.NextDouble() - 0.5);

        double Loss(GenerativeParameters th)
        {
            var ll = model.LogLikelihood(th, new Tensor(f, 1, frames), new Tensor(s, samples, 1, frames));
            double v = 0;
            for (int k = 0; k < samples; k++) v += weights[k] * ll.Data[k];
            return v;
        }

        using (var tape = new Tape())
        {
            var ll = model.LogLikelihood(theta, new Tensor(f, 1, frames), new Tensor(s, samples, 1, frames));
            tape.Backward(Ops.Sum(Ops.Mul(ll, new Tensor(weights, samples, 1))));
        }
        foreach (var (name, tensor) in theta.NamedParameters())
        {
            if (name == BernoulliSpikePrior.ParameterName) continue;
            for (int i = 0; i < tensor.Length; i++)
            {
                const float h = 1e-3f;
                var plus = theta.Clone(); plus[name].Data[i] += h;
                var minus = theta.Clone(); minus[name].Data[i] -= h;
                double numeric = (Loss(plus) - Loss(minus)) / (2 * h);
                double analytic = tensor.Grad![i];
                Assert.True(Math.Abs(numeric - analytic) <= 2e-2 * Math.Max(1, Math.Abs(numeric)), $"{name}[{i}]: analytic {analytic} vs numeric {numeric}");
            }
        }
    }

    [Fact]
    public void InitialParameters_SimulatedTrace_RecoverNoiseAndBaselineRoughly()
    {
        var model = new ScfModel();
        var truth = model.FromPhysical(new ScfParameters([CalciumKernel.FromTau(0.7, FrameRate)], 1, 1, 0.5, 0.25, 1), FrameRate);
        var rng = new Random(4);
        var s = new float[10_000];
        for (int t = 0; t < s.Length; t++) s[t] = rng.NextDouble() < 1 / FrameRate ? 1 : 0;
        var estimate = model.ToPhysical(model.InitialParameters(model.Simulate(truth, s, rng), FrameRate), FrameRate);
        Assert.InRange(estimate.Sigma, 0.25 * 0.85, 0.25 * 1.15);
        Assert.InRange(estimate.Alpha * estimate.Delta, 0.5, 2.0);
        Assert.InRange(estimate.Beta, 0.5 - 0.5, 0.5 + 0.5);
    }
}
