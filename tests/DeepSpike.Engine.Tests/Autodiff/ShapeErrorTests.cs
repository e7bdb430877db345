namespace DeepSpike.Engine.Tests.Autodiff;

public class ShapeErrorTests
{
    private static string Format(int[] shape) => $"[{string.Join(", ", shape)}]";

    private static Tensor Make(int[] shape) => Tensor.Zeros(shape);

    [Theory]
    [InlineData("Add", new[] { 2, 3 }, new[] { 3, 2 })]
    [InlineData("Sub", new[] { 2, 3 }, new[] { 2 })]
    [InlineData("Mul", new[] { 4 }, new[] { 2, 3 })]
    [InlineData("Div", new[] { 2, 3 }, new[] { 4, 3 })]
    [InlineData("Add", new[] { 3 }, new[] { 3, 1 })]
    [InlineData("MatMul", new[] { 2, 3 }, new[] { 2, 3 })]
    [InlineData("MatMul", new[] { 6 }, new[] { 6, 1 })]
    [InlineData("Conv1d", new[] { 1, 2, 10 }, new[] { 3, 4, 5 })]
    [InlineData("Conv1d", new[] { 2, 10 }, new[] { 3, 2, 5 })]
    [InlineData("ConcatLast", new[] { 2, 3 }, new[] { 3, 3 })]
    [InlineData("BernoulliLogProb", new[] { 3 }, new[] { 2, 4 })]
    [InlineData("Pow", new[] { 2, 3 }, new[] { 4 })]
    [InlineData("ArFilter", new[] { 2, 3, 8 }, new[] { 4 })]
    [InlineData("ConvBias", new[] { 3, 2, 3 }, new[] { 4 })]
    public void Op_IncompatibleShapes_ThrowsArgumentExceptionNamingBothShapes(string op, int[] a, int[] b)
    {
        Action call = op switch
        {
            "Add" => () => Ops.Add(Make(a), Make(b)),
            "Sub" => () => Ops.Sub(Make(a), Make(b)),
            "Mul" => () => Ops.Mul(Make(a), Make(b)),
            "Div" => () => Ops.Div(Make(a), Make(b)),
            "MatMul" => () => Ops.MatMul(Make(a), Make(b)),
            "Conv1d" => () => Ops.Conv1d(Make(a), Make(b), null),
            "ConvBias" => () => Ops.Conv1d(Make([1, a[1], 10]), Make(a), Make(b)),
            "ConcatLast" => () => Ops.ConcatLast([Make(a), Make(b)]),
            "BernoulliLogProb" => () => Ops.BernoulliLogProb(Make(a), Make(b)),
            "Pow" => () => Ops.Pow(Make(a), Make(b)),
            "ArFilter" => () => Ops.ArFilter(Make(a), Tensor.Scalar(0.5f), Make(b)),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown op"),
        };
        var e = Assert.Throws<ArgumentException>(call);
        Assert.Contains(Format(a), e.Message);
        Assert.Contains(Format(b), e.Message);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 4, 2 })]
    [InlineData(new[] { 6 }, new[] { 5 })]
    public void Reshape_DifferentElementCount_ThrowsNamingTheShape(int[] from, int[] to)
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Reshape(Make(from), to));
        Assert.Contains(Format(to), e.Message);
        Assert.Contains(Format(from), e.Message);
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(3, 0)]
    [InlineData(3, -2)]
    public void Conv1d_EvenKernelOrBadDilation_Throws(int kernel, int dilation)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Ops.Conv1d(Make([1, 2, 10]), Make([3, 2, kernel]), null, dilation));
        Assert.Contains("got", e.Message);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(3, 4)]
    [InlineData(0, -1)]
    public void SliceLast_OutOfRange_ThrowsNamingTheWindow(int start, int length)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.SliceLast(Make([2, 5]), start, length));
        Assert.Contains("size 5", e.Message);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-4)]
    public void SumAxis_OutOfRange_ThrowsNamingAxisAndShape(int axis)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Sum(Make([2, 3, 4]), axis));
        Assert.Contains("[2, 3, 4]", e.Message);
        Assert.Contains(axis.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }
}
