namespace DeepSpike.Engine.Tests.Autodiff;

public class TapeTests
{
    private const int ChainLength = 20_000;

    [Fact]
    public void Backward_ChainOf20000Ops_OnSmallStack_MatchesScalarChainRule()
    {
        // A recursive backward would need one stack frame per op; 256 KiB cannot hold 20000 of them.
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { RunChain(); }
            catch (Exception e) { failure = e; }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        if (failure is not null) throw new Xunit.Sdk.XunitException($"chain failed: {failure}");
    }

    private static void RunChain()
    {
        var x = Tensor.Parameter([0.7f, -1.3f], 2);
        using var tape = new Tape();
        var h = x;
        for (int i = 0; i < ChainLength / 2; i++) h = Ops.AddScalar(Ops.Tanh(h), 0.5f);
        Assert.Equal(ChainLength, tape.Count);
        tape.Backward(h);

        for (int e = 0; e < 2; e++)
        {
            // Reference: h_{k+1} = tanh(h_k) + 0.5, dh_{k+1}/dh_k = 1 − tanh²(h_k), in double.
            double v = x.Data[e], d = 1;
            for (int i = 0; i < ChainLength / 2; i++)
            {
                double t = Math.Tanh(v);
                d *= 1 - t * t;
                v = t + 0.5;
            }
            Assert.Equal(v, h.Data[e], 1e-5);
            Assert.Equal(d, x.Grad![e], Math.Max(1e-6 * Math.Abs(d), 1e-30));
        }
    }

    [Fact]
    public void Backward_SeedVector_GivesVectorJacobianProduct()
    {
        var x = Tensor.Parameter([1f, 2f, 3f], 3);
        using var tape = new Tape();
        var y = Ops.Square(x);
        tape.Backward(y, [1f, -1f, 0.5f]);
        Assert.Equal([2f, -4f, 3f], x.Grad!);
    }

    [Fact]
    public void Backward_SeedOfWrongLength_ThrowsNamingBothLengths()
    {
        var x = Tensor.Parameter([1f, 2f, 3f], 3);
        using var tape = new Tape();
        var y = Ops.Square(x);
        var e = Assert.Throws<ArgumentException>(() => tape.Backward(y, [1f, 2f]));
        Assert.Contains("2 values", e.Message);
        Assert.Contains("[3]", e.Message);
    }

    [Fact]
    public void Record_NoTape_RecordsNothingAndOutputNeedsNoGradient()
    {
        var x = Tensor.Parameter([1f, 2f], 2);
        var y = Ops.Exp(x);
        Assert.False(y.RequiresGrad);
        Assert.Null(Tape.Current);
    }

    [Fact]
    public void Record_ConstantInputsOnly_RecordsNothing()
    {
        using var tape = new Tape();
        var y = Ops.Exp(new Tensor([1f, 2f], 2));
        Assert.False(y.RequiresGrad);
        Assert.Equal(0, tape.Count);
    }
}
