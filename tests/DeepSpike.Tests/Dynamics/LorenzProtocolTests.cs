using DeepSpike.Dynamics;

namespace DeepSpike.Tests.Dynamics;

/// <summary>The Lorenz benchmark against hand-computed steps and the statistics its definition implies.</summary>
public sealed class LorenzProtocolTests
{
    private static readonly Lazy<TrialSplit> Paper = new(() => LorenzProtocol.Paper.Simulate(seed: 11));

    [Fact]
    public void Step_FromOneOneOne_MatchesHandComputedEulerStep()
    {
        double[] state = [1, 1, 1];

        LorenzProtocol.Paper.Step(state);

        // dx = σ(y − x) = 0, dy = x(ρ − z) − y = 26, dz = xy − βz = 1 − 8/3; times dt = 0.015.
        Assert.Equal(1.0, state[0], 12);
        Assert.Equal(1 + 0.015 * 26, state[1], 12);
        Assert.Equal(1 + 0.015 * (1 - 8.0 / 3.0), state[2], 12);
    }

    [Fact]
    public void Simulate_Paper_HasTheSpecShapesNamesAndBinWidth()
    {
        var (training, validation) = (Paper.Value.Training, Paper.Value.Validation);

        Assert.Equal((1040, 100, 30), (training.Trials, training.Bins, training.Cells));
        Assert.Equal((260, 100, 30), (validation.Trials, validation.Bins, validation.Cells));
        foreach (var set in new[] { training, validation })
        {
            Assert.Equal(0.1, set.Meta.BinSeconds, 12);
            Assert.Equal((set.Trials, set.Bins, 3), (set.Latents!.Trials, set.Latents.Bins, set.Latents.Channels));
            Assert.Equal(set.Trials, set.Meta.TrialNames!.Count);
            Assert.Equal("lorenz", set.Meta.Generative);
            Assert.Equal(11, set.Meta.Seed);
        }
        Assert.Equal("c00_r00", training.Meta.TrialName(0));
        Assert.Equal("c00_r16", validation.Meta.TrialName(0));
        Assert.Equal("c01_r00", training.Meta.TrialName(16));
    }

    [Fact]
    public void Simulate_Latents_CentredAndScaledIntoUnitRange()
    {
        var latents = Paper.Value.Training.Latents!;
        for (int d = 0; d < 3; d++)
        {
            double sum = 0;
            for (int trial = 0; trial < latents.Trials; trial++)
                for (int b = 0; b < latents.Bins; b++) sum += latents[trial, b, d];
            // Every condition appears 16 times, so the training mean is the all-condition mean: zero up to rounding.
            Assert.InRange(sum / (latents.Trials * latents.Bins), -1e-5, 1e-5);
        }
        Assert.InRange(latents.Data.Max(Math.Abs), 0.5f, 1f);
    }

    [Fact]
    public void Simulate_Rates_AreExpOfReadoutWithinTheWeightBounds()
    {
        var set = Paper.Value.Training;
        // |z| ≤ 1 in each of 3 dimensions and |w| < 2: |log rate| < 6. Pair means of exp stay inside too.
        Assert.All(set.Rates!.Data, r => Assert.InRange(r, MathF.Exp(-6), MathF.Exp(6)));
        // log rate is linear in the latents (up to the pair averaging): a cell's log rate spans a wide range.
        float[] cell0 = Enumerable.Range(0, set.Bins).Select(b => set.Rates[0, b, 0]).ToArray();
        Assert.True(cell0.Max() / cell0.Min() > 2, "the rate of cell 0 barely moves over trial 0");
    }

    [Fact]
    public void Simulate_RepeatsOfACondition_ShareLatentsAndRatesButNotSpikes()
    {
        var set = Paper.Value.Training;

        Assert.Equal(set.Rates!.Trial(0).ToArray(), set.Rates.Trial(15).ToArray());
        Assert.Equal(set.Latents!.Trial(0).ToArray(), set.Latents.Trial(15).ToArray());
        Assert.NotEqual(set.Spikes!.Trial(0).ToArray(), set.Spikes.Trial(15).ToArray());
        Assert.NotEqual(set.Rates.Trial(0).ToArray(), set.Rates.Trial(16).ToArray());
    }

    [Fact]
    public void Simulate_Spikes_ArePoissonWithTheRateTimesTheBin()
    {
        var set = Paper.Value.Training;
        double expected = 0, observed = 0, squaredDeviation = 0;
        for (int i = 0; i < set.Spikes!.Data.Length; i++)
        {
            double mean = set.Rates!.Data[i] * 0.1;
            expected += mean;
            observed += set.Spikes.Data[i];
            squaredDeviation += (set.Spikes.Data[i] - mean) * (set.Spikes.Data[i] - mean);
            Assert.Equal(MathF.Round(set.Spikes.Data[i]), set.Spikes.Data[i]);
        }
        // Sum of Poisson counts: variance = mean, so 4 SD is a failure rate of 6e-5.
        Assert.InRange(observed, expected - 4 * Math.Sqrt(expected), expected + 4 * Math.Sqrt(expected));
        // Dispersion: Σ (s − λ)² ≈ Σ λ for Poisson (the pair's rates differ a little, which only lowers it).
        Assert.InRange(squaredDeviation / expected, 0.95, 1.05);
    }

    [Fact]
    public void Simulate_CalciumAndFluorescence_FollowTheAr1KernelAndTheNoiseLevel()
    {
        var set = Paper.Value.Validation;
        double noiseSum = 0, noiseSquares = 0;
        for (int trial = 0; trial < set.Trials; trial++)
            for (int n = 0; n < set.Cells; n++)
            {
                float previous = 0;
                for (int b = 0; b < set.Bins; b++)
                {
                    float expected = 0.75f * previous + set.Spikes![trial, b, n];
                    Assert.Equal(expected, set.Calcium![trial, b, n], 1e-4f);
                    previous = set.Calcium[trial, b, n];
                    double noise = set.Fluorescence[trial, b, n] - set.Calcium[trial, b, n];
                    noiseSum += noise;
                    noiseSquares += noise * noise;
                }
            }
        int count = set.Trials * set.Cells * set.Bins;
        double noiseMean = noiseSum / count, noiseSd = Math.Sqrt(noiseSquares / count - noiseMean * noiseMean);
        Assert.InRange(noiseMean, -4 * 0.2 / Math.Sqrt(count), 4 * 0.2 / Math.Sqrt(count));
        Assert.InRange(noiseSd, 0.2 * 0.99, 0.2 * 1.01);
    }

    [Fact]
    public void Simulate_SameSeed_Identical_OtherSeed_EveryDrawDiffers()
    {
        var protocol = LorenzProtocol.Paper with { Conditions = 3, Cells = 4 };
        var a = protocol.Simulate(5);
        var b = protocol.Simulate(5);
        var c = protocol.Simulate(6);

        Assert.Equal(a.Training.Fluorescence.Data, b.Training.Fluorescence.Data);
        Assert.Equal(a.Validation.Spikes!.Data, b.Validation.Spikes!.Data);
        Assert.NotEqual(a.Training.Latents!.Data, c.Training.Latents!.Data);
        Assert.NotEqual(a.Training.Rates!.Data, c.Training.Rates!.Data);
        Assert.NotEqual(a.Training.Fluorescence.Data, c.Training.Fluorescence.Data);
    }

    [Theory]
    [InlineData(nameof(LorenzProtocol.KeptSteps), 199)]
    [InlineData(nameof(LorenzProtocol.TrainingRepeats), 20)]
    [InlineData(nameof(LorenzProtocol.TrainingRepeats), 0)]
    [InlineData(nameof(LorenzProtocol.StepSeconds), double.NaN)]
    [InlineData(nameof(LorenzProtocol.CalciumDecay), 1.0)]
    public void Validate_BadSetting_ThrowsNamingIt(string setting, double value)
    {
        var protocol = setting switch
        {
            nameof(LorenzProtocol.KeptSteps) => LorenzProtocol.Paper with { KeptSteps = (int)value },
            nameof(LorenzProtocol.TrainingRepeats) => LorenzProtocol.Paper with { TrainingRepeats = (int)value },
            nameof(LorenzProtocol.StepSeconds) => LorenzProtocol.Paper with { StepSeconds = value },
            _ => LorenzProtocol.Paper with { CalciumDecay = value },
        };

        Assert.Equal(setting, Assert.Throws<ArgumentOutOfRangeException>(protocol.Validate).ParamName);
    }
}
