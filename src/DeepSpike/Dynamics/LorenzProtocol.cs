using DeepSpike.Generative;

namespace DeepSpike.Dynamics;

/// <summary>Training and validation trials of one simulated population.</summary>
/// <param name="Training">The training trials.</param>
/// <param name="Validation">The validation trials (same conditions, other repeats).</param>
public sealed record TrialSplit(TrialDataset Training, TrialDataset Validation);

/// <summary>
/// The Lorenz benchmark of Ladder LFADS (Prince &amp; Richards 2019, after Zhao &amp; Park 2017): a 3-D Lorenz system drives
/// the log firing rates of a population through a random readout; Poisson spikes fill calcium through an AR(1) kernel;
/// fluorescence is calcium plus white noise. Every default is the SPEC's protocol.
/// </summary>
/// <remarks>
/// Per initial condition (drawn N(0, I₃)): <see cref="BurnInSteps"/> Euler steps of dt = <see cref="StepSeconds"/> are
/// dropped and <see cref="KeptSteps"/> kept; each latent dimension is centred over all conditions and steps and the whole
/// is divided by its largest absolute value, so z ∈ [−1, 1]. Rates are <c>exp(z W)</c> Hz with W 3 × cells, |w| uniform in
/// [1, 2) with a random sign. Each kept step is a spike bin of <see cref="SpikeBinSeconds"/>: counts ~ Poisson(rate · bin),
/// summed in pairs into bins of 2 · <see cref="SpikeBinSeconds"/>; rates and latents are the pair's means. Calcium
/// <c>c_t = γ c_{t−1} + s_t</c> from c = 0, fluorescence <c>c + N(0, σ²)</c>. All repeats of a condition share latents
/// and rates; spikes and noise are drawn per repeat. The first <see cref="TrainingRepeats"/> repeats of every condition
/// are the training trials, the rest validation, both condition-major.
/// </remarks>
public sealed record LorenzProtocol
{
    /// <summary>The SPEC's benchmark: 65 conditions × 20 repeats (16 training, 4 validation), 100 bins of 0.1 s, 30 cells.</summary>
    public static LorenzProtocol Paper { get; } = new();

    /// <summary>Lorenz σ.</summary>
    public double Sigma { get; init; } = 10;

    /// <summary>Lorenz ρ.</summary>
    public double Rho { get; init; } = 28;

    /// <summary>Lorenz β.</summary>
    public double Beta { get; init; } = 8.0 / 3.0;

    /// <summary>Euler step of the Lorenz system (dimensionless time).</summary>
    public double StepSeconds { get; init; } = 0.015;

    /// <summary>Steps integrated and dropped before the kept ones.</summary>
    public int BurnInSteps { get; init; } = 300;

    /// <summary>Steps kept per condition; an even number, one spike bin each.</summary>
    public int KeptSteps { get; init; } = 200;

    /// <summary>Width of the spike bins that the kept steps stand for, in seconds; pairs make the output bins.</summary>
    public double SpikeBinSeconds { get; init; } = 0.05;

    /// <summary>Initial conditions.</summary>
    public int Conditions { get; init; } = 65;

    /// <summary>Trials per condition.</summary>
    public int Repeats { get; init; } = 20;

    /// <summary>Repeats per condition that go to the training set; the rest go to validation.</summary>
    public int TrainingRepeats { get; init; } = 16;

    /// <summary>Cells.</summary>
    public int Cells { get; init; } = 30;

    /// <summary>Calcium decay per output bin γ (≈ e^(−0.1 s / 0.4 s)).</summary>
    public double CalciumDecay { get; init; } = 0.75;

    /// <summary>Standard deviation of the fluorescence noise.</summary>
    public double NoiseSigma { get; init; } = 0.2;

    /// <summary>Output bin width in seconds: two spike bins.</summary>
    public double BinSeconds => 2 * SpikeBinSeconds;

    /// <summary>Output bins per trial.</summary>
    public int Bins => KeptSteps / 2;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        static void Positive(double value, string name)
        {
            if (!(value > 0 && double.IsFinite(value))) throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0, got {value}");
        }
        Positive(StepSeconds, nameof(StepSeconds));
        Positive(SpikeBinSeconds, nameof(SpikeBinSeconds));
        if (BurnInSteps < 0) throw new ArgumentOutOfRangeException(nameof(BurnInSteps), BurnInSteps, "must be ≥ 0");
        if (KeptSteps < 2 || KeptSteps % 2 != 0) throw new ArgumentOutOfRangeException(nameof(KeptSteps), KeptSteps, $"must be even and ≥ 2, got {KeptSteps}");
        if (Conditions < 1 || Cells < 1) throw new ArgumentOutOfRangeException(nameof(Conditions), $"conditions and cells must be ≥ 1, got {Conditions} and {Cells}");
        if (!(TrainingRepeats >= 1 && TrainingRepeats < Repeats))
            throw new ArgumentOutOfRangeException(nameof(TrainingRepeats), TrainingRepeats, $"must be in [1, {Repeats}) so both sets get trials");
        if (!(CalciumDecay >= 0 && CalciumDecay < 1)) throw new ArgumentOutOfRangeException(nameof(CalciumDecay), CalciumDecay, "must be in [0, 1)");
        if (!(NoiseSigma >= 0 && double.IsFinite(NoiseSigma))) throw new ArgumentOutOfRangeException(nameof(NoiseSigma), NoiseSigma, "must be ≥ 0");
    }

    /// <summary>One Euler step of the Lorenz system from <paramref name="state"/> (x, y, z), in place.</summary>
    public void Step(Span<double> state)
    {
        double x = state[0], y = state[1], z = state[2];
        state[0] = x + StepSeconds * Sigma * (y - x);
        state[1] = y + StepSeconds * (x * (Rho - z) - y);
        state[2] = z + StepSeconds * (x * y - Beta * z);
    }

    /// <summary>Simulates the benchmark; <paramref name="seed"/> fixes every random draw.</summary>
    public TrialSplit Simulate(int seed)
    {
        Validate();
        var rng = new Random(seed);
        double[,,] latent = Latents(rng);
        var weights = new double[3, Cells];
        for (int d = 0; d < 3; d++)
            for (int n = 0; n < Cells; n++)
                weights[d, n] = (1 + rng.NextDouble()) * (rng.NextDouble() < 0.5 ? -1 : 1);

        int bins = Bins, trials = Conditions * Repeats;
        var fineRates = new double[Conditions, KeptSteps, Cells];
        for (int c = 0; c < Conditions; c++)
            for (int t = 0; t < KeptSteps; t++)
                for (int n = 0; n < Cells; n++)
                    fineRates[c, t, n] = Math.Exp(latent[c, t, 0] * weights[0, n] + latent[c, t, 1] * weights[1, n] + latent[c, t, 2] * weights[2, n]);

        var all = new (TrialArray Fluorescence, TrialArray Spikes, TrialArray Rates, TrialArray Calcium, TrialArray Latents)[2];
        var names = new List<string>[2];
        for (int s = 0; s < 2; s++)
        {
            int count = Conditions * (s == 0 ? TrainingRepeats : Repeats - TrainingRepeats);
            all[s] = (TrialArray.Zeros(count, bins, Cells), TrialArray.Zeros(count, bins, Cells), TrialArray.Zeros(count, bins, Cells),
                TrialArray.Zeros(count, bins, Cells), TrialArray.Zeros(count, bins, 3));
            names[s] = new List<string>(count);
        }
        int[] next = new int[2];
        for (int c = 0; c < Conditions; c++)
        {
            for (int r = 0; r < Repeats; r++)
            {
                int set = r < TrainingRepeats ? 0 : 1, trial = next[set]++;
                var (fluorescence, spikes, rates, calcium, latents) = all[set];
                names[set].Add($"c{c:D2}_r{r:D2}");
                for (int n = 0; n < Cells; n++)
                {
                    double level = 0;
                    for (int b = 0; b < bins; b++)
                    {
                        double r0 = fineRates[c, 2 * b, n], r1 = fineRates[c, 2 * b + 1, n];
                        int count = rng.NextPoisson(r0 * SpikeBinSeconds) + rng.NextPoisson(r1 * SpikeBinSeconds);
                        level = CalciumDecay * level + count;
                        spikes[trial, b, n] = count;
                        rates[trial, b, n] = (float)(0.5 * (r0 + r1));
                        calcium[trial, b, n] = (float)level;
                        fluorescence[trial, b, n] = (float)(level + NoiseSigma * rng.NextGaussian());
                    }
                }
                for (int b = 0; b < bins; b++)
                    for (int d = 0; d < 3; d++)
                        latents[trial, b, d] = (float)(0.5 * (latent[c, 2 * b, d] + latent[c, 2 * b + 1, d]));
            }
        }

        var cellNames = Enumerable.Range(0, Cells).Select(n => $"cell{n}").ToList();
        TrialDataset Dataset(int s) => new(all[s].Fluorescence, new TrialMeta(BinSeconds, names[s], cellNames, "lorenz", seed),
            all[s].Spikes, all[s].Rates, all[s].Calcium, all[s].Latents);
        return new TrialSplit(Dataset(0), Dataset(1));
    }

    /// <summary>The kept, centred and scaled latent trajectories, conditions × steps × 3.</summary>
    private double[,,] Latents(Random rng)
    {
        var latent = new double[Conditions, KeptSteps, 3];
        Span<double> state = stackalloc double[3];
        for (int c = 0; c < Conditions; c++)
        {
            for (int d = 0; d < 3; d++) state[d] = rng.NextGaussian();
            for (int t = 0; t < BurnInSteps; t++) Step(state);
            for (int t = 0; t < KeptSteps; t++)
            {
                Step(state);
                for (int d = 0; d < 3; d++) latent[c, t, d] = state[d];
            }
        }
        double largest = 0;
        for (int d = 0; d < 3; d++)
        {
            double mean = 0;
            for (int c = 0; c < Conditions; c++)
                for (int t = 0; t < KeptSteps; t++) mean += latent[c, t, d];
            mean /= Conditions * KeptSteps;
            for (int c = 0; c < Conditions; c++)
                for (int t = 0; t < KeptSteps; t++)
                {
                    latent[c, t, d] -= mean;
                    largest = Math.Max(largest, Math.Abs(latent[c, t, d]));
                }
        }
        if (largest > 0)
            for (int c = 0; c < Conditions; c++)
                for (int t = 0; t < KeptSteps; t++)
                    for (int d = 0; d < 3; d++) latent[c, t, d] /= largest;
        return latent;
    }
}
