using DeepSpike.Engine.Optim;

namespace DeepSpike.Engine.Tests.Optim;

public class AdamTests
{
    private static Tensor WithGradient(float[] values, float[] gradient)
    {
        var t = Tensor.Parameter(values, values.Length);
        gradient.CopyTo(t.GradSpan());
        return t;
    }

    [Theory]
    // w = 1, g = 0.5, α = 0.1: m̂ = g, v̂ = g², step = α · 0.5 / (0.5 + ε)
    [InlineData(1e-8f, 0.9)]
    [InlineData(0.1f, 0.9166666666666666)]
    public void Step_FirstStep_MatchesHandComputedUpdate(float epsilon, double expected)
    {
        var w = WithGradient([1f], [0.5f]);
        var adam = new Adam([w], new AdamOptions(LearningRate: 0.1f, Epsilon: epsilon));
        adam.Step();
        Assert.Equal(expected, w.Data[0], 1e-6);
        Assert.Equal(1, adam.Steps);
        Assert.Equal(0.05f, adam.FirstMoments[0][0], 1e-7f);
        Assert.Equal(0.00025f, adam.SecondMoments[0][0], 1e-8f); // 1 − 0.999f carries float rounding (1.3e-5 relative)
    }

    [Fact]
    public void Step_ThreeSteps_MatchesDoubleReference()
    {
        var rng = new Random(81);
        var options = new AdamOptions(LearningRate: 0.05f, Beta1: 0.8f, Beta2: 0.99f, Epsilon: 1e-3f);
        var w = Tensor.Parameter([0.3f, -1.2f, 2f], 3);
        var adam = new Adam([w], options);
        double[] rw = [0.3, -1.2, 2], m = new double[3], v = new double[3];
        for (int step = 1; step <= 3; step++)
        {
            for (int i = 0; i < 3; i++)
            {
                float g = (float)(rng.NextDouble() * 2 - 1);
                w.GradSpan()[i] = g;
                m[i] = 0.8 * m[i] + 0.2 * g;
                v[i] = 0.99 * v[i] + 0.01 * g * g;
                double mHat = m[i] / (1 - Math.Pow(0.8, step)), vHat = v[i] / (1 - Math.Pow(0.99, step));
                rw[i] -= 0.05 * mHat / (Math.Sqrt(vHat) + 1e-3);
            }
            adam.Step();
            for (int i = 0; i < 3; i++) Assert.Equal(rw[i], w.Data[i], 1e-5);
        }
    }

    [Fact]
    public void Step_ParameterWithoutGradient_IsLeftUnchanged()
    {
        var touched = WithGradient([1f], [1f]);
        var untouched = Tensor.Parameter([2f], 1);
        var adam = new Adam([touched, untouched], new AdamOptions());
        adam.Step();
        Assert.Equal(2f, untouched.Data[0]);
        Assert.Equal(0f, adam.FirstMoments[1][0]);
        Assert.NotEqual(1f, touched.Data[0]);
    }

    public static TheoryData<AdamOptions> InvalidOptions() =>
    [
        new AdamOptions(LearningRate: 0f),
        new AdamOptions(LearningRate: -1e-3f),
        new AdamOptions(LearningRate: float.NaN),
        new AdamOptions(Beta1: -0.1f),
        new AdamOptions(Beta1: 1f),
        new AdamOptions(Beta1: float.NaN),
        new AdamOptions(Beta2: 1f),
        new AdamOptions(Beta2: float.NaN),
        new AdamOptions(Epsilon: 0f),
        new AdamOptions(Epsilon: float.NaN),
    ];

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_OutOfRangeOrNaN_ThrowsNamingTheValue(AdamOptions options)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());
        Assert.Contains("got", e.Message);
    }

    [Fact]
    public void Options_SetInvalid_Throws()
    {
        var adam = new Adam([Tensor.Parameter([1f], 1)], new AdamOptions());
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.Options = new AdamOptions(Beta2: float.NaN));
    }
}
