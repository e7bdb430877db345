using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Autodiff;

public class ShapeGradientTests
{
    [Fact]
    public void Reshape_ToOtherShape_GradientMatchesFiniteDifferences()
    {
        var x = Rand.Param(new Random(31), [2, 6], name: "x");
        GradCheck.Assert(() => Ops.Exp(Ops.Reshape(x, 3, 4)), x);
    }

    [Theory]
    [InlineData(0, 6)]
    [InlineData(1, 3)]
    [InlineData(5, 1)]
    [InlineData(2, 0)]
    public void SliceLast_Window_GradientMatchesFiniteDifferences(int start, int length)
    {
        var x = Rand.Param(new Random(32), [2, 3, 6], name: "x");
        if (length == 0)
        {
            Assert.Equal([2, 3, 0], Ops.SliceLast(x, start, length).Shape);
            return;
        }
        GradCheck.Assert(() => Ops.SliceLast(x, start, length), x);
    }

    [Fact]
    public void SliceLast_Window_CopiesTheFrames()
    {
        var x = new Tensor([0, 1, 2, 3, 4, 10, 11, 12, 13, 14], 2, 5);
        var y = Ops.SliceLast(x, 1, 3);
        Assert.Equal([2, 3], y.Shape);
        Assert.Equal([1f, 2, 3, 11, 12, 13], y.Data);
    }

    [Fact]
    public void ConcatLast_ThreeParts_GradientMatchesFiniteDifferences()
    {
        var rng = new Random(33);
        var a = Rand.Param(rng, [2, 3], name: "a");
        var b = Rand.Param(rng, [2, 1], name: "b");
        var c = Rand.Param(rng, [2, 4], name: "c");
        GradCheck.Assert(() => Ops.ConcatLast([a, b, c]), a, b, c);
    }

    [Fact]
    public void ConcatLast_ConstantPart_OnlyTrainablePartsGetGradients()
    {
        var rng = new Random(34);
        var a = Rand.Param(rng, [2, 3], name: "a");
        var constant = new Tensor(Rand.Uniform(rng, 4), 2, 2);
        var y = Ops.ConcatLast([constant, a]);
        Assert.Equal([2, 5], y.Shape);
        Assert.Equal(constant.Data[0..2], y.Data[0..2]);
        Assert.Equal(a.Data[0..3], y.Data[2..5]);
        GradCheck.Assert(() => Ops.ConcatLast([constant, a]), a);
        Assert.Null(constant.Grad);
    }

    [Fact]
    public void SwapLastTwo_MovesEveryElementAndGradientMatchesFiniteDifferences()
    {
        var x = Rand.Param(new Random(4), [2, 3, 4], -1f, 1f, "x");

        var y = Ops.SwapLastTwo(x);

        Assert.Equal([2, 4, 3], y.Shape);
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    Assert.Equal(x.Data[(b * 3 + i) * 4 + j], y.Data[(b * 4 + j) * 3 + i]);
        GradCheck.Assert(() => Ops.SwapLastTwo(x), x);
    }
}
