namespace DeepSpike.Preprocessing;

/// <summary>What the values of the input traces are.</summary>
public enum InputKind
{
    /// <summary>Raw fluorescence (arbitrary units, e.g. suite2p's <c>F.npy</c>): neuropil is subtracted when
    /// given, a running-percentile baseline F₀ is estimated and ΔF/F = (F − F₀)/F₀ computed. The default.</summary>
    RawFluorescence = 0,

    /// <summary>Already ΔF/F (as in the Spikefinder files): used as it is, with no neuropil subtraction,
    /// baseline or ΔF/F step; gaps, constant traces, noise level and resampling are handled as for raw input.</summary>
    DeltaFOverF = 1,
}
