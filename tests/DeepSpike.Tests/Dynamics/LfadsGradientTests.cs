using DeepSpike.Dynamics;
using DeepSpike.Engine;

namespace DeepSpike.Tests.Dynamics;

/// <summary>The LFADS terms against their closed forms, and their tape gradients against central finite differences.</summary>
public sealed class LfadsGradientTests
{
    /// <summary>Central differences of a scalar function of one tensor element, in double over float evaluations.</summary>
    private static double NumericGradient(Func<double> loss, float[] values, int index, double step)
    {
        float original = values[index];
        values[index] = (float)(original + step);
        double plus = loss();
        values[index] = (float)(original - step);
        double minus = loss();
        values[index] = original;
        return (plus - minus) / ((double)(float)(original + step) - (float)(original - step));
    }

    internal static void AssertGradientsMatch(Func<Tensor> forward, IReadOnlyList<Tensor> inputs, int checksPerInput, double step, double tolerance)
    {
        foreach (var input in inputs) input.ZeroGrad();
        using (var tape = new Tape()) tape.Backward(forward());
        var rng = new Random(5);
        foreach (var input in inputs)
        {
            float[] analytic = (float[])input.Grad!.Clone();
            for (int c = 0; c < Math.Min(checksPerInput, input.Length); c++)
            {
                int i = checksPerInput >= input.Length ? c : rng.Next(input.Length);
                double numeric = NumericGradient(() => forward().Item(), input.Data, i, step * Math.Max(1, Math.Abs(input.Data[i])));
                double scale = Math.Max(1, Math.Max(Math.Abs(numeric), Math.Abs(analytic[i])));
                Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance * scale,
                    $"{input.Name ?? "input"}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6}");
            }
        }
    }

    [Fact]
    public void Kl_MatchesTheClosedFormInDouble()
    {
        float[] mean = [0.3f, -1.2f, 0.05f, 2f], logVariance = [-1f, 0.4f, -3f, 0f], prior = [0.1f, -0.5f];
        var kl = GaussianTerms.KlToFixedVariancePrior(new Tensor(mean, 2, 2), new Tensor(logVariance, 2, 2), new Tensor(prior, 2), 0.1);

        for (int b = 0; b < 2; b++)
        {
            double expected = 0;
            for (int d = 0; d < 2; d++)
            {
                double m = mean[b * 2 + d], v = Math.Exp(logVariance[b * 2 + d]), mp = prior[d];
                expected += 0.5 * (Math.Log(0.1 / v) + (v + (m - mp) * (m - mp)) / 0.1 - 1);
            }
            Assert.Equal(expected, kl.Data[b], 4);
        }
    }

    [Fact]
    public void Kl_Gradient_MatchesFiniteDifferences()
    {
        var rng = new Random(1);
        Tensor Param(int[] shape, float scale) => Tensor.Parameter(Enumerable.Range(0, shape.Aggregate(1, (p, n) => p * n)).Select(_ => scale * (rng.NextSingle() - 0.5f)).ToArray(), shape);
        var mean = Param([3, 4], 2f);
        var logVariance = Param([3, 4], 2f);
        var prior = Param([4], 1f);

        AssertGradientsMatch(() => Ops.Sum(GaussianTerms.KlToFixedVariancePrior(mean, logVariance, prior, 0.1)), [mean, logVariance, prior], 12, 1e-2, 2e-3);
    }

    [Fact]
    public void PoissonLogLikelihood_MatchesDirectSumAndItsGradient()
    {
        float[] logRate = [-1f, 0.5f, 2f, -3f], counts = [0, 2, 7, 1];
        var x = Tensor.Parameter((float[])logRate.Clone(), 4);
        var s = new Tensor(counts, 4);
        double expected = 0;
        for (int i = 0; i < 4; i++) expected += counts[i] * logRate[i] - Math.Exp(logRate[i]);

        Assert.Equal(expected, GaussianTerms.PoissonLogLikelihood(x, s).Item(), 4);
        AssertGradientsMatch(() => GaussianTerms.PoissonLogLikelihood(x, s), [x], 4, 1e-3, 2e-3);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(5, 3.1780538303479458)]
    [InlineData(0.5, 0.57236494292470008)]
    [InlineData(10.5, 13.940625219403763)]
    [InlineData(171, 706.57306224578736)]
    public void LogGamma_MatchesKnownValues(double x, double expected) =>
        Assert.Equal(expected, GaussianTerms.LogGamma(x), 10);

    [Fact]
    public void LfadsLoss_GradientWithRespectToEveryParameterGroup_MatchesFiniteDifferences()
    {
        var options = new LfadsOptions { EncoderUnits = 4, GeneratorUnits = 5, Factors = 2, InputDropout = 0 };
        var model = new Lfads(channels: 3, options, new Random(2));
        var rng = new Random(3);
        var counts = new Tensor(Enumerable.Range(0, 2 * 6 * 3).Select(_ => (float)rng.Next(0, 3)).ToArray(), 2, 6, 3);

        Tensor Loss() => LfadsObjective.Evaluate(model, model.Forward(counts, rng: null), counts, 0.7, 0.4, 250).Loss;

        var named = model.NamedParameters().ToList();
        var inputs = named.Select(p => p.Value).ToList();
        AssertGradientsMatch(Loss, inputs, checksPerInput: 3, step: 3e-3, tolerance: 3e-2);
    }

    [Fact]
    public void LfadsForward_ShapesAndClampedLogRates()
    {
        var options = new LfadsOptions { EncoderUnits = 4, GeneratorUnits = 5, Factors = 2, MaxLogRate = 0.5f, MinLogRate = -0.5f };
        var model = new Lfads(channels: 3, options, new Random(2));
        var input = new Tensor(new float[2 * 7 * 3], 2, 7, 3);

        var pass = model.Forward(input, new Random(1), training: true);

        Assert.Equal([2, 7, 2], pass.Factors.Shape);
        Assert.Equal([2, 7, 3], pass.LogRates.Shape);
        Assert.Equal([2], pass.Kl.Shape);
        Assert.All(pass.LogRates.Data, v => Assert.InRange(v, -0.5f, 0.5f));
        Assert.Throws<ArgumentException>(() => model.Forward(new Tensor(new float[2 * 7 * 4], 2, 7, 4), null));
    }

    [Fact]
    public void GaussianObservation_MatchesADirectCausalConvolutionAndGaussianDensity()
    {
        var observation = new GaussianObservation();
        var rng = new Random(6);
        float[] logRates = Enumerable.Range(0, 2 * 8 * 3).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        float[] fluorescence = Enumerable.Range(0, 2 * 8 * 3).Select(_ => rng.NextSingle()).ToArray();

        double nll = observation.NegativeLogLikelihood(new Tensor(logRates, 2, 8, 3), new Tensor(fluorescence, 2, 8, 3)).Item();

        // The starting kernel: mean_t = Σ_{j<5} 0.75^j r_{t−j}, variance 0.04, for each trial b, cell n.
        double expected = 0;
        for (int b = 0; b < 2; b++)
            for (int n = 0; n < 3; n++)
                for (int t = 0; t < 8; t++)
                {
                    double mean = 0;
                    for (int j = 0; j < 5 && t - j >= 0; j++) mean += Math.Pow(0.75, j) * Math.Exp(logRates[(b * 8 + t - j) * 3 + n]);
                    double f = fluorescence[(b * 8 + t) * 3 + n];
                    expected += 0.5 * ((f - mean) * (f - mean) / 0.04 + Math.Log(0.04) + Math.Log(2 * Math.PI));
                }
        Assert.Equal(expected, nll, expected * 1e-5);
    }

    [Fact]
    public void GaussianLfadsLoss_GradientWithRespectToEveryParameterGroup_MatchesFiniteDifferences()
    {
        var options = new LfadsOptions { EncoderUnits = 4, GeneratorUnits = 5, Factors = 2, InputDropout = 0, Observation = LfadsOptions.GaussianObservationName };
        var model = new Lfads(channels: 3, options, new Random(2));
        var rng = new Random(3);
        var fluorescence = new Tensor(Enumerable.Range(0, 2 * 6 * 3).Select(_ => rng.NextSingle() * 2).ToArray(), 2, 6, 3);

        Tensor Loss() => LfadsObjective.Evaluate(model, model.Forward(fluorescence, rng: null), fluorescence, 0.7, 0.4, 250).Loss;

        AssertGradientsMatch(Loss, model.Parameters(), checksPerInput: 3, step: 3e-3, tolerance: 3e-2);
    }
}
