using DeepSpike.Engine.Tests.Reference;
using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

public class RecurrenceGradientTests
{
    /// <summary>Stable AR coefficients: AR(1) decay 0.9; AR(2) with roots 0.8 and 0.5.</summary>
    private static float[] Gamma(int p) => p == 1 ? [0.9f] : [1.3f, -0.4f];

    [Theory]
    [InlineData(1, "none")]
    [InlineData(1, "shared")]
    [InlineData(1, "per-row")]
    [InlineData(2, "none")]
    [InlineData(2, "shared")]
    [InlineData(2, "per-row")]
    public void ArFilter_OrderAndInitialState_GradientMatchesFiniteDifferences(int p, string initialKind)
    {
        var rng = new Random(51 + p);
        var x = Rand.Param(rng, [2, 3, 12], name: "x");
        var gamma = Tensor.Parameter(Gamma(p), p);
        var initial = initialKind switch
        {
            "shared" => Rand.Param(rng, [1], name: "initial"),
            "per-row" => Rand.Param(rng, [2, 3], name: "initial"),
            _ => null,
        };
        Tensor[] inputs = initial is null ? [x, gamma] : [x, gamma, initial];
        // Small step: γ enters as a power up to γ^12, so its third derivative is large.
        GradCheck.Assert(() => Ops.ArFilter(x, gamma, initial), inputs, new GradCheckOptions(RelativeStep: 2e-3));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public void ArFilter_Forward_MatchesScalarLoop(int p, bool withInitial)
    {
        var rng = new Random(53);
        const int rows = 4, frames = 40;
        var x = Rand.Param(rng, [rows, frames]);
        float[] gamma = p switch { 1 => [0.95f], 2 => [1.3f, -0.4f], _ => [0.5f, 0.2f, 0.1f] };
        var initial = withInitial ? Rand.Param(rng, [rows]) : null;
        var expected = Naive.ArFilter(x.Data, gamma, initial?.Data, rows, frames);
        var y = Ops.ArFilter(x, new Tensor(gamma, p), initial);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y.Data[i], 1e-4);
    }

    [Fact]
    public void ArFilter_OneFrameOrderTwo_InitialGradientCountsBothLags()
    {
        // c_0 = x_0 + (γ1 + γ2) h, so ∂c_0/∂h = γ1 + γ2 even though only one frame exists.
        var x = Tensor.Parameter([0.5f], 1, 1);
        var gamma = Tensor.Parameter([1.3f, -0.4f], 2);
        var h = Tensor.Parameter([2f], 1);
        GradCheck.Assert(() => Ops.ArFilter(x, gamma, h), x, gamma, h);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("shared")]
    [InlineData("per-row")]
    public void Relaxation_InitialState_GradientMatchesFiniteDifferences(string initialKind)
    {
        var rng = new Random(57);
        var target = Rand.Param(rng, [2, 3, 12], name: "target");
        var retention = Rand.Param(rng, [2, 3, 12], 0.05f, 0.95f, name: "retention");
        for (int i = 0; i < retention.Length; i++) retention.Data[i] = MathF.Abs(retention.Data[i]);
        var initial = initialKind switch
        {
            "shared" => Rand.Param(rng, [1], name: "initial"),
            "per-row" => Rand.Param(rng, [2, 3], name: "initial"),
            _ => null,
        };
        Tensor[] inputs = initial is null ? [target, retention] : [target, retention, initial];
        GradCheck.Assert(() => Ops.Relaxation(target, retention, initial), inputs);
    }

    [Fact]
    public void Relaxation_Forward_MatchesScalarLoop()
    {
        var rng = new Random(59);
        const int rows = 3, frames = 30;
        var target = Rand.Param(rng, [rows, frames]);
        var retention = new Tensor(Rand.Uniform(rng, rows * frames, 0f, 1f), rows, frames);
        var initial = Rand.Param(rng, [rows]);
        var y = Ops.Relaxation(target, retention, initial);
        for (int r = 0; r < rows; r++)
        {
            double previous = initial.Data[r];
            for (int t = 0; t < frames; t++)
            {
                int i = r * frames + t;
                previous = retention.Data[i] * previous + (1 - retention.Data[i]) * target.Data[i];
                Assert.Equal(previous, y.Data[i], 1e-5);
            }
        }
    }

    [Fact]
    public void Relaxation_AnyRetentionInUnitInterval_StaysBetweenStartAndTargets()
    {
        // A convex combination per step: even a fast rate (retention near 0) lands on the target, never past it.
        var retention = new Tensor([0.5f, 1e-6f, 0f, 0.99f, 1f], 1, 5);
        var target = new Tensor([10f, 10f, 10f, 10f, 10f], 1, 5);
        var y = Ops.Relaxation(target, retention, new Tensor([2f], 1));
        float[] expected = [6f, 10f, 10f, 10f, 10f];
        for (int t = 0; t < expected.Length; t++) Assert.Equal(expected[t], y.Data[t], 1e-4);
    }

    [Fact]
    public void Relaxation_ShapeMismatch_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Relaxation(Tensor.Zeros(2, 5), Tensor.Zeros(2, 4)));
        Assert.Contains("same shape", e.Message);
    }
}

