namespace DeepSpike.Dynamics;

/// <summary>The <c>meta.json</c> of a trial dataset.</summary>
/// <param name="BinSeconds">Width of a time bin in seconds, &gt; 0 (JSON <c>bin_s</c>).</param>
/// <param name="TrialNames">One name per trial (JSON <c>trial_names</c>), or null.</param>
/// <param name="CellNames">One name per cell (JSON <c>cell_names</c>), or null.</param>
/// <param name="Generative">What simulated the data, e.g. <c>lorenz</c> (JSON <c>generative</c>), or null for recordings.</param>
/// <param name="Seed">The simulation seed (JSON <c>seed</c>), or null.</param>
public sealed record TrialMeta(double BinSeconds, IReadOnlyList<string>? TrialNames = null, IReadOnlyList<string>? CellNames = null,
    string? Generative = null, int? Seed = null)
{
    /// <summary>Name of trial <paramref name="trial"/>: its given name, else <c>trial{index}</c>.</summary>
    public string TrialName(int trial) => TrialNames?[trial] ?? $"trial{trial}";

    /// <summary>Name of cell <paramref name="cell"/>: its given name, else <c>cell{index}</c>.</summary>
    public string CellName(int cell) => CellNames?[cell] ?? $"cell{cell}";
}
