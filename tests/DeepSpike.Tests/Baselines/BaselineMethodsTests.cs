using DeepSpike.Baselines;

namespace DeepSpike.Tests.Baselines;

public sealed class BaselineMethodsTests
{
    [Theory]
    [InlineData("oasis-ar1", "fluorescence units")]
    [InlineData("oasis-ar2", "fluorescence units")]
    [InlineData("mcmc", "spike probability")]
    [InlineData("mlspike", "spike probability")]
    public void Create_KnownName_HasThatNameAndSaysItsUnit(string name, string unit)
    {
        var method = BaselineMethods.Create(name);
        Assert.Equal(name, method.Name);
        Assert.Contains(unit, method.OutputUnit);
        Assert.Contains(name, BaselineMethods.Names);
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => BaselineMethods.Create("cascade"));
        Assert.Contains("'cascade'", e.Message);
        Assert.Contains("oasis-ar1, oasis-ar2, mcmc, mlspike", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void OasisMethod_Infer_IsTheDeconvolvedSpikes(int order)
    {
        var y = OasisDeconvolveTests.Simulate(order, 2000, 1).Calcium.Traces[0];
        var method = new OasisMethod(new OasisOptions(ArOrder: order));
        Assert.Equal(Oasis.Deconvolve(y, method.Options).Spikes, method.Infer(y, 60, seed: 123));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    public void Infer_BadFrameRate_Throws(double rate)
    {
        var y = OasisDeconvolveTests.Simulate(1, 200, 1).Calcium.Traces[0];
        foreach (var name in BaselineMethods.Names)
            Assert.Contains("frame rate", Assert.Throws<ArgumentOutOfRangeException>(() => BaselineMethods.Create(name).Infer(y, rate, 0)).Message);
    }

    [Fact]
    public void McmcMethod_Infer_ProbabilitiesInUnitInterval()
    {
        var y = OasisDeconvolveTests.Simulate(1, 1000, 2).Calcium.Traces[0];
        var p = new McmcMethod(new McmcOptions(Sweeps: 20, BurnIn: 5)).Infer(y, 60, 1);
        Assert.Equal(y.Length, p.Length);
        Assert.All(p, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void MlSpikeMethod_Infer_IsTheExpectedSpikeCount()
    {
        var y = OasisDeconvolveTests.Simulate(1, 1000, 2).Calcium.Traces[0];
        var expected = MlSpike.Infer(y, 60).ExpectedSpikes;
        var output = new MlSpikeMethod().Infer(y, 60, seed: 9);
        Assert.Equal(expected, output);
        Assert.All(output, v => Assert.InRange(v, 0f, MlSpikeResolution.Default.MaxSpikesPerFrame));
    }
}
