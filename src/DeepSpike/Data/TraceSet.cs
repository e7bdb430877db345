namespace DeepSpike.Data;

/// <summary>
/// A named collection of 1-D traces sampled at a common frame rate: fluorescence, spike counts
/// or predicted spike probabilities, one entry per recording (cell × trial).
/// </summary>
/// <remarks>
/// Traces may differ in length (ragged), as in Spikefinder CSV files where shorter columns are
/// padded. Names are unique so that predictions can be matched to ground truth by name.
/// The arrays are shared, not copied: callers must not mutate them after construction.
/// </remarks>
public sealed class TraceSet
{
    private Dictionary<string, int>? _indexByName;

    /// <summary>Creates a trace set.</summary>
    /// <param name="names">One unique, non-null name per trace.</param>
    /// <param name="traces">One array per trace, each with its own length.</param>
    /// <param name="frameRateHz">Sampling rate in Hz, &gt; 0, or <see cref="double.NaN"/> if unknown.</param>
    /// <exception cref="ArgumentException">Counts differ, a name is null or repeated, a trace is null,
    /// or the frame rate is neither NaN nor a finite positive number.</exception>
    public TraceSet(IReadOnlyList<string> names, IReadOnlyList<float[]> traces, double frameRateHz = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(traces);
        if (names.Count != traces.Count)
            throw new ArgumentException($"{names.Count} names but {traces.Count} traces; need one name per trace", nameof(names));
        if (!double.IsNaN(frameRateHz) && !(frameRateHz > 0 && double.IsFinite(frameRateHz)))
            throw new ArgumentOutOfRangeException(nameof(frameRateHz), frameRateHz, $"frame rate must be > 0 (or NaN if unknown), got {frameRateHz}");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            string name = names[i] ?? throw new ArgumentException($"trace name {i} is null", nameof(names));
            if (!seen.Add(name))
                throw new ArgumentException($"trace name '{name}' appears more than once; names must be unique", nameof(names));
            if (traces[i] is null)
                throw new ArgumentException($"trace '{name}' is null", nameof(traces));
        }

        Names = names;
        Traces = traces;
        FrameRateHz = frameRateHz;
    }

    /// <summary>Trace names, unique, in file order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The traces, parallel to <see cref="Names"/>; lengths may differ.</summary>
    public IReadOnlyList<float[]> Traces { get; }

    /// <summary>Sampling rate in Hz (&gt; 0), or <see cref="double.NaN"/> if unknown.</summary>
    public double FrameRateHz { get; }

    /// <summary>Number of traces.</summary>
    public int Count => Traces.Count;

    /// <summary>Length of the longest trace in frames; 0 for an empty set.</summary>
    public int MaxLength
    {
        get
        {
            int max = 0;
            foreach (float[] trace in Traces)
                max = Math.Max(max, trace.Length);
            return max;
        }
    }

    /// <summary>The trace called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No trace has that name.</exception>
    public float[] this[string name] =>
        TryGetTrace(name, out float[]? trace) ? trace : throw new KeyNotFoundException($"no trace named '{name}'");

    /// <summary>Index of the trace called <paramref name="name"/>, or -1 if there is none.</summary>
    public int IndexOf(string name)
    {
        // Built on first lookup: evaluation matches hundreds of names, a linear scan each would be quadratic.
        _indexByName ??= BuildIndex();
        return _indexByName.TryGetValue(name, out int index) ? index : -1;
    }

    /// <summary>Looks up a trace by name.</summary>
    public bool TryGetTrace(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out float[]? trace)
    {
        int index = IndexOf(name);
        trace = index >= 0 ? Traces[index] : null;
        return trace is not null;
    }

    /// <summary>The same traces (shared, not copied) with a different frame rate.</summary>
    public TraceSet WithFrameRate(double frameRateHz) => new(Names, Traces, frameRateHz);

    /// <summary>The traces at <paramref name="indices"/>, in that order, with their names and this set's frame rate.</summary>
    public TraceSet Subset(IEnumerable<int> indices)
    {
        var chosen = indices.ToList();
        return new TraceSet(chosen.Select(i => Names[i]).ToList(), chosen.Select(i => Traces[i]).ToList(), FrameRateHz);
    }

    private Dictionary<string, int> BuildIndex()
    {
        var index = new Dictionary<string, int>(Names.Count, StringComparer.Ordinal);
        for (int i = 0; i < Names.Count; i++)
            index[Names[i]] = i;
        return index;
    }
}
