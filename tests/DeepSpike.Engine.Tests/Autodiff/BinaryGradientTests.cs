using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

public class BinaryGradientTests
{
    private static readonly string[] OpNames = ["Add", "Sub", "Mul", "Div"];

    /// <summary>Equal shapes, a scalar on either side, trailing dimensions on either side.</summary>
    private static readonly (int[] A, int[] B)[] ShapePairs =
    [
        ([2, 3], [2, 3]),
        ([1], [2, 3]),
        ([2, 3], [1]),
        ([3], [2, 3]),
        ([2, 3], [3]),
        ([2, 3], [4, 2, 3]),
        ([4, 2, 3], [2, 3]),
        ([1, 3], [3]),
        ([3], [1, 3]),
    ];

    public static TheoryData<string, int[], int[]> Cases()
    {
        var data = new TheoryData<string, int[], int[]>();
        foreach (var op in OpNames)
            foreach (var (a, b) in ShapePairs) data.Add(op, a, b);
        return data;
    }

    private static Tensor Apply(string op, Tensor a, Tensor b) => op switch
    {
        "Add" => Ops.Add(a, b),
        "Sub" => Ops.Sub(a, b),
        "Mul" => Ops.Mul(a, b),
        "Div" => Ops.Div(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown op"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BinaryOp_BroadcastForm_GradientMatchesFiniteDifferences(string op, int[] aShape, int[] bShape)
    {
        var rng = new Random(11);
        var a = Rand.Param(rng, aShape, -2f, 2f, "a");
        // Divisors are kept away from 0 so the quotient is smooth within the perturbation.
        var b = op == "Div" ? Rand.SignedParam(rng, bShape, 0.5f, 2f, "b") : Rand.Param(rng, bShape, -2f, 2f, "b");
        GradCheck.Assert(() => Apply(op, a, b), a, b);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BinaryOp_BroadcastForm_MatchesScalarLoop(string op, int[] aShape, int[] bShape)
    {
        var rng = new Random(12);
        var a = Rand.Param(rng, aShape, -2f, 2f);
        var b = Rand.SignedParam(rng, bShape, 0.5f, 2f);
        var y = Apply(op, a, b);
        int n = Math.Max(a.Length, b.Length);
        Assert.Equal(n, y.Length);
        for (int i = 0; i < n; i++)
        {
            // Trailing-dimension broadcasting: the shorter operand repeats with period = its length.
            float av = a.Data[i % a.Length], bv = b.Data[i % b.Length];
            float expected = op switch { "Add" => av + bv, "Sub" => av - bv, "Mul" => av * bv, _ => av / bv };
            Assert.Equal(expected, y.Data[i], 1e-6f);
        }
    }

    [Fact]
    public void Mul_SameTensorBothSides_GradientIsTwiceX()
    {
        var x = Rand.Param(new Random(13), [5], -2f, 2f, "x");
        GradCheck.Assert(() => Ops.Mul(x, x), x);
    }
}
