using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

public class IndicatorBindingTests
{
    /// <summary>
    /// <c>d_t = d_{t−1} + κ_on c_t^η ([D] − d_{t−1}) − κ_off d_{t−1}</c> per row in double, written straight from
    /// eq. 3 of Speiser et al. (2017), with <c>c^η = 0</c> for c ≤ 0.
    /// </summary>
    private static double[] NaiveBinding(float[] c, double kOn, double kOff, double hill, double total, float[]? initial, int rows, int frames)
    {
        var d = new double[rows * frames];
        for (int r = 0; r < rows; r++)
        {
            double previous = initial is null ? 0 : initial[initial.Length == 1 ? 0 : r];
            for (int t = 0; t < frames; t++)
            {
                double ct = c[r * frames + t];
                double power = ct > 0 ? Math.Pow(ct, hill) : 0;
                previous = previous + kOn * power * (total - previous) - kOff * previous;
                d[r * frames + t] = previous;
            }
        }
        return d;
    }

    private static Tensor Scalar(float v, string name) => new([v], 1) { RequiresGrad = true, Name = name };

    [Theory]
    [InlineData(1.4f, "none")]
    [InlineData(1.4f, "shared")]
    [InlineData(1.4f, "per-row")]
    [InlineData(0.7f, "per-row")]
    [InlineData(2.5f, "none")]
    public void IndicatorBinding_HillAndInitialState_GradientMatchesFiniteDifferences(float hill, string initialKind)
    {
        var rng = new Random(71);
        // κ_on c^η + κ_off stays below 1 for c ≤ 1.5: the stable, non-oscillating regime.
        var calcium = Rand.Param(rng, [2, 3, 15], 0.05f, 1.5f, name: "calcium");
        var kOn = Scalar(0.25f, "kOn");
        var kOff = Scalar(0.15f, "kOff");
        var eta = Scalar(hill, "hill");
        var total = Scalar(1.6f, "dyeTotal");
        var initial = initialKind switch
        {
            "shared" => Rand.Param(rng, [1], 0.1f, 1f, name: "initial"),
            "per-row" => Rand.Param(rng, [2, 3], 0.1f, 1f, name: "initial"),
            _ => null,
        };
        Tensor[] inputs = initial is null ? [calcium, kOn, kOff, eta, total] : [calcium, kOn, kOff, eta, total, initial];
        GradCheck.Assert(() => Ops.IndicatorBinding(calcium, kOn, kOff, eta, total, initial), inputs,
            new GradCheckOptions(RelativeStep: 2e-3));
    }

    [Fact]
    public void IndicatorBinding_ZeroCalcium_ZeroGradientThereAndOthersMatchFiniteDifferences()
    {
        var rng = new Random(73);
        var calcium = Rand.Param(rng, [2, 20], 0.1f, 1.2f, name: "calcium");
        for (int i = 0; i < calcium.Length; i += 3) calcium.Data[i] = 0f;
        var kOn = Scalar(0.3f, "kOn");
        var kOff = Scalar(0.1f, "kOff");
        var eta = Scalar(1.8f, "hill");
        var total = Scalar(1f, "dyeTotal");
        Tensor[] inputs = [calcium, kOn, kOff, eta, total];
        // c = 0 is the kink of c^η (one-sided derivatives 0 and, for η < 1, ∞): not finite-differenced.
        var result = GradCheck.Run(() => Ops.IndicatorBinding(calcium, kOn, kOff, eta, total), inputs,
            new GradCheckOptions(RelativeStep: 2e-3), skip: (input, j) => input == 0 && calcium.Data[j] == 0f);
        Assert.True(result.Failures.Count == 0, result.Describe());
        for (int i = 0; i < calcium.Length; i += 3) Assert.Equal(0f, result.Analytic[0][i]);
        Assert.All(result.Analytic.SelectMany(g => g), g => Assert.True(float.IsFinite(g)));
    }

    [Theory]
    [InlineData(1f, false)]
    [InlineData(2.3f, false)]
    [InlineData(0.6f, true)]
    [InlineData(2.3f, true)]
    public void IndicatorBinding_Forward_MatchesScalarLoop(float hill, bool withInitial)
    {
        var rng = new Random(79);
        const int rows = 4, frames = 200;
        var calcium = new float[rows * frames];
        // Spiky calcium with exact zeros, including saturating bursts up to c = 4.
        for (int i = 0; i < calcium.Length; i++) calcium[i] = rng.NextDouble() < 0.3 ? 0f : 4f * (float)rng.NextDouble();
        float[]? initial = withInitial ? Rand.Uniform(rng, rows, 0f, 0.5f) : null;
        const float kOn = 0.1f, kOff = 0.05f, total = 0.8f;
        var expected = NaiveBinding(calcium, kOn, kOff, hill, total, initial, rows, frames);
        var d = Ops.IndicatorBinding(new Tensor(calcium, rows, frames), new Tensor([kOn], 1), new Tensor([kOff], 1),
            new Tensor([hill], 1), new Tensor([total], 1), initial is null ? null : new Tensor(initial, rows));
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], d.Data[i], 1e-5);
    }

    [Fact]
    public void IndicatorBinding_ConstantCalcium_ApproachesHillSteadyState()
    {
        // d* = [D] κ_on c^η / (κ_on c^η + κ_off).
        const float c = 1.5f, kOn = 0.2f, kOff = 0.1f, hill = 2f, total = 3f;
        var x = new float[400];
        Array.Fill(x, c);
        var d = Ops.IndicatorBinding(new Tensor(x, 1, 400), new Tensor([kOn], 1), new Tensor([kOff], 1), new Tensor([hill], 1), new Tensor([total], 1));
        double a = kOn * Math.Pow(c, hill);
        Assert.Equal(total * a / (a + kOff), d.Data[^1], 1e-5);
    }

    [Fact]
    public void IndicatorBinding_NaNCalcium_PropagatesFromThatFrameOn()
    {
        var x = new float[] { 0.5f, 0.5f, float.NaN, 0.5f, 0f };
        var d = Ops.IndicatorBinding(new Tensor(x, 1, 5), new Tensor([0.2f], 1), new Tensor([0.1f], 1), new Tensor([1f], 1), new Tensor([1f], 1));
        Assert.True(float.IsFinite(d.Data[1]));
        Assert.All(d.Data[2..], v => Assert.True(float.IsNaN(v)));
    }

    [Theory]
    [InlineData("kOn", -0.1f)]
    [InlineData("kOff", -0.1f)]
    [InlineData("hill", 0f)]
    [InlineData("hill", -1f)]
    [InlineData("dyeTotal", -2f)]
    public void IndicatorBinding_NegativeParameter_ThrowsNamingValue(string name, float value)
    {
        float Pick(string n, float normal) => n == name ? value : normal;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IndicatorBinding(new Tensor([0.5f, 1f], 1, 2),
            new Tensor([Pick("kOn", 0.2f)], 1), new Tensor([Pick("kOff", 0.1f)], 1), new Tensor([Pick("hill", 1f)], 1), new Tensor([Pick("dyeTotal", 1f)], 1)));
        Assert.Equal(name, e.ParamName);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.CurrentCulture), e.Message);
    }

    [Fact]
    public void IndicatorBinding_WrongShapes_Throw()
    {
        var c = new Tensor([0.5f, 1f, 0.2f, 0.1f], 2, 2);
        var one = new Tensor([0.2f], 1);
        Assert.Throws<ArgumentException>(() => Ops.IndicatorBinding(c, new Tensor([0.2f, 0.3f], 2), one, one, one));
        Assert.Throws<ArgumentException>(() => Ops.IndicatorBinding(c, one, one, one, one, new Tensor([0f, 0f, 0f], 3)));
    }
}
