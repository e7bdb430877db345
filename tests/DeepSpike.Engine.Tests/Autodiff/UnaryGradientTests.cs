using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

public class UnaryGradientTests
{
    private static readonly int[] Shape = [3, 7];

    private static Tensor Apply(string op, Tensor x) => op switch
    {
        "Exp" => Ops.Exp(x),
        "Log" => Ops.Log(x),
        "Sigmoid" => Ops.Sigmoid(x),
        "Tanh" => Ops.Tanh(x),
        "Softplus" => Ops.Softplus(x),
        "LogSigmoid" => Ops.LogSigmoid(x),
        "LeakyRelu" => Ops.LeakyRelu(x, 0.1f),
        "Pow2.5" => Ops.Pow(x, 2.5f),
        "Pow0.5" => Ops.Pow(x, 0.5f),
        "Pow-1.5" => Ops.Pow(x, -1.5f),
        "Pow3" => Ops.Pow(x, 3f),
        "Scale" => Ops.Scale(x, -1.7f),
        "AddScalar" => Ops.AddScalar(x, 0.3f),
        "Neg" => Ops.Neg(x),
        "Square" => Ops.Square(x),
        "Clamp" => Ops.Clamp(x, -1f, 1.5f),
        "LogGamma" => Ops.LogGamma(x),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown op"),
    };

    [Theory]
    [InlineData("Exp", -2f, 2f)]
    [InlineData("Log", 0.2f, 3f)]
    [InlineData("Sigmoid", -4f, 4f)]
    [InlineData("Tanh", -2f, 2f)]
    [InlineData("Softplus", -6f, 6f)]
    [InlineData("LogSigmoid", -6f, 6f)]
    [InlineData("Pow2.5", 0.2f, 2f)]
    [InlineData("Pow0.5", 0.2f, 2f)]
    [InlineData("Pow-1.5", 0.5f, 2f)]
    [InlineData("Pow3", -2f, 2f)]
    [InlineData("Scale", -2f, 2f)]
    [InlineData("AddScalar", -2f, 2f)]
    [InlineData("Neg", -2f, 2f)]
    [InlineData("Square", -2f, 2f)]
    [InlineData("Clamp", -0.9f, 1.4f)]
    [InlineData("LogGamma", 0.3f, 12f)]
    public void UnaryOp_SmoothRegion_GradientMatchesFiniteDifferences(string op, float lo, float hi)
    {
        var x = Rand.Param(new Random(1), Shape, lo, hi, "x");
        GradCheck.Assert(() => Apply(op, x), x);
    }

    [Fact]
    public void LeakyRelu_AwayFromKink_GradientMatchesFiniteDifferences()
    {
        // Magnitudes ≥ 0.1 keep every perturbation (h = 0.01) on one side of the kink at 0.
        var x = Rand.SignedParam(new Random(2), Shape, 0.1f, 2f, "x");
        GradCheck.Assert(() => Ops.LeakyRelu(x, 0.1f), x);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PowTensor_ScalarOrFullExponent_GradientMatchesFiniteDifferences(bool fullExponent)
    {
        var rng = new Random(3);
        var x = Rand.Param(rng, Shape, 0.2f, 2f, "x");
        var e = Rand.Param(rng, fullExponent ? Shape : [1], 0.5f, 3f, "exponent");
        GradCheck.Assert(() => Ops.Pow(x, e), x, e);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PowTensor_ExactZerosInX_ZeroGradientThereAndFiniteDifferencesElsewhere(bool fullExponent)
    {
        var rng = new Random(4);
        var x = Rand.Param(rng, Shape, 0.2f, 2f, "x");
        int[] zeros = [0, 5, 13, 20];
        foreach (int i in zeros) x.Data[i] = 0f;
        var e = Rand.Param(rng, fullExponent ? Shape : [1], 1.2f, 3f, "exponent");

        var (grads, _) = GradCheck.Analytic(() => Ops.Pow(x, e), [x, e], seed: 5);
        foreach (int i in zeros)
        {
            Assert.Equal(0f, grads[0][i]);
            if (fullExponent) Assert.Equal(0f, grads[1][i]);
        }
        Assert.All(grads.SelectMany(g => g), g => Assert.True(float.IsFinite(g)));
        // x = 0 is the boundary of the domain, so central differences there are meaningless; skip them.
        GradCheck.Assert(() => Ops.Pow(x, e), [x, e], skip: (input, j) => input == 0 && zeros.Contains(j));
    }

    [Fact]
    public void PowTensor_ScalarExponent_MatchesMathPowAndIsZeroWithZeroGradientForNonPositiveX()
    {
        var rng = new Random(6);
        var x = Rand.Param(rng, [3, 200], 0f, 40f, "x");
        x.Data[7] = -3f;
        x.Data[11] = 0f;
        var e = Tensor.Parameter([1.73f], 1);

        var y = Ops.Pow(x, e);
        for (int i = 0; i < x.Length; i++)
        {
            float expected = x.Data[i] > 0 ? MathF.Pow(x.Data[i], 1.73f) : 0f;
            Assert.Equal(expected, y.Data[i], Math.Max(1e-6, 2e-6 * expected));
        }
        var (grads, _) = GradCheck.Analytic(() => Ops.Pow(x, e), [x, e], seed: 7);
        Assert.Equal(0f, grads[0][7]);
        Assert.Equal(0f, grads[0][11]);
        Assert.True(float.IsFinite(grads[1][0]));
    }

    [Fact]
    public void Clamp_ValuesOutsideTheBounds_ClampedWithZeroGradient()
    {
        var x = Tensor.Parameter([-5f, -1f, 0.5f, 2f, 100f], 5);
        using var tape = new Tape();

        var y = Ops.Clamp(x, -1f, 1.5f);
        tape.Backward(y, [1f, 1f, 1f, 1f, 1f]);

        Assert.Equal([-1f, -1f, 0.5f, 1.5f, 1.5f], y.Data);
        Assert.Equal([0f, 0f, 1f, 0f, 0f], x.Grad!);
    }

    [Fact]
    public void Clamp_BoundsReversed_Throws() =>
        Assert.Throws<ArgumentException>(() => Ops.Clamp(Tensor.Zeros(2), 1f, -1f));

    [Theory]
    [InlineData(1.0, -0.57721566490153286)]
    [InlineData(0.5, -1.9635100260214235)]
    [InlineData(2.0, 0.42278433509846714)]
    [InlineData(10.0, 2.2517525890667211)]
    [InlineData(0.1, -10.423754940411076)]
    public void Digamma_MatchesKnownValues(double x, double expected) => Assert.Equal(expected, Ops.Digamma(x), 10);

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(3.0, 0.69314718055994531)]
    [InlineData(0.5, 0.57236494292470008)]
    [InlineData(20.5, 40.8315009745308)]
    public void LogGamma_MatchesKnownValues(double x, double expected) => Assert.Equal(expected, Ops.LogGammaOf(x), 9);
}
