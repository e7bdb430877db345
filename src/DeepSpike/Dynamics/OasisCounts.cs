using DeepSpike.Baselines;

namespace DeepSpike.Dynamics;

/// <summary>
/// The OASIS+LFADS baseline's first stage (Prince &amp; Richards 2019): each cell's fluorescence, its trials laid end to end,
/// is deconvolved by OASIS AR(1) with a fixed decay γ and minimum spike size s_min (noise σ estimated, λ noise-constrained),
/// and the deconvolved activity — in units of one spike's fluorescence jump — is rounded to whole counts per bin.
/// </summary>
public static class OasisCounts
{
    /// <summary>The SPEC's decay per bin, slightly above the simulator's 0.75 as OASIS's would be estimated.</summary>
    public const double DefaultDecay = 0.78;

    /// <summary>The SPEC's minimum spike size (fluorescence units).</summary>
    public const double DefaultMinSpikeSize = 0.5;

    /// <summary>Rounded spike counts, trials × bins × cells, from <paramref name="fluorescence"/>.</summary>
    /// <exception cref="ArgumentException">A cell's fluorescence is constant, or a setting is out of range.</exception>
    public static TrialArray FromFluorescence(TrialArray fluorescence, double decay = DefaultDecay, double minSpikeSize = DefaultMinSpikeSize)
    {
        ArgumentNullException.ThrowIfNull(fluorescence);
        var counts = TrialArray.Zeros(fluorescence.Trials, fluorescence.Bins, fluorescence.Channels);
        var options = new OasisOptions(ArOrder: 1, Ar: [decay], MinSpikeSize: minSpikeSize);
        int length = fluorescence.Trials * fluorescence.Bins;
        Parallel.For(0, fluorescence.Channels, Engine.Parallelism.Options, cell =>
        {
            var trace = new float[length];
            for (int i = 0; i < length; i++) trace[i] = fluorescence.Data[i * fluorescence.Channels + cell];
            var spikes = Oasis.Deconvolve(trace, options).Spikes;
            for (int i = 0; i < length; i++) counts.Data[i * fluorescence.Channels + cell] = MathF.Round(spikes[i]);
        });
        return counts;
    }
}
