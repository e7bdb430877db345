using DeepSpike.Engine.Nn;
using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Nn;

public class LayerGradientTests
{
    [Fact]
    public void GruCellForward_AllParametersInputAndState_GradientMatchesFiniteDifferences()
    {
        var rng = new Random(71);
        var cell = new GruCell(inputSize: 3, hiddenSize: 4, rng);
        var x = Rand.Param(rng, [2, 3], name: "x");
        var h = Rand.Param(rng, [2, 4], name: "h");
        Tensor[] inputs = [.. cell.Parameters(), x, h];
        GradCheck.Assert(() => cell.Forward(x, h), inputs);
    }

    [Fact]
    public void GruCellForward_OneStep_MatchesPyTorchEquations()
    {
        var rng = new Random(72);
        const int batch = 2, inSize = 3, hs = 4;
        var cell = new GruCell(inSize, hs, rng);
        var x = Rand.Param(rng, [batch, inSize]);
        var h = Rand.Param(rng, [batch, hs]);
        var y = cell.Forward(x, h);
        double Sig(double v) => 1 / (1 + Math.Exp(-v));
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hs; j++)
            {
                double Gx(int gate) => cell.InputBias.Data[gate * hs + j]
                    + Enumerable.Range(0, inSize).Sum(i => (double)x.Data[b * inSize + i] * cell.InputWeight.Data[i * 3 * hs + gate * hs + j]);
                double Gh(int gate) => cell.HiddenBias.Data[gate * hs + j]
                    + Enumerable.Range(0, hs).Sum(i => (double)h.Data[b * hs + i] * cell.HiddenWeight.Data[i * 3 * hs + gate * hs + j]);
                double r = Sig(Gx(0) + Gh(0)), z = Sig(Gx(1) + Gh(1)), n = Math.Tanh(Gx(2) + r * Gh(2));
                double expected = (1 - z) * n + z * h.Data[b * hs + j];
                Assert.Equal(expected, y.Data[b * hs + j], 1e-5);
            }
    }

    [Fact]
    public void LinearForward_WeightBiasInput_GradientMatchesFiniteDifferences()
    {
        var rng = new Random(73);
        var layer = new Linear(4, 3, rng);
        Rand.Uniform(rng, 3).CopyTo(layer.Bias.Data, 0);
        var x = Rand.Param(rng, [5, 4], name: "x");
        GradCheck.Assert(() => layer.Forward(x), [.. layer.Parameters(), x]);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(3, 4)]
    public void Conv1dLayerForward_WeightBiasInput_GradientMatchesFiniteDifferences(int kernel, int dilation)
    {
        var rng = new Random(74);
        var layer = new Conv1dLayer(2, 3, kernel, dilation, rng, leakySlope: 0.1f);
        Rand.Uniform(rng, 3).CopyTo(layer.Bias.Data, 0);
        var x = Rand.Param(rng, [2, 2, 13], name: "x");
        GradCheck.Assert(() => layer.Forward(x), [.. layer.Parameters(), x]);
    }
}
