namespace DeepSpike.Data;

/// <summary>
/// Fluorescence traces as a recording pipeline wrote them, with the matching neuropil traces when
/// there are any: the input of <see cref="Preprocessing.Preprocessor"/>.
/// </summary>
public sealed record Recording
{
    /// <summary>Creates a recording.</summary>
    /// <param name="fluorescence">Raw fluorescence (or ΔF/F) traces with a known frame rate.</param>
    /// <param name="neuropil">Neuropil traces with the same names, order and lengths, or null.</param>
    /// <param name="description">One line saying where the traces came from, for logs.</param>
    /// <exception cref="ArgumentException">The frame rate is unknown, or the neuropil traces do not
    /// match the fluorescence traces in names, order, lengths or frame rate.</exception>
    public Recording(TraceSet fluorescence, TraceSet? neuropil, string description)
    {
        ArgumentNullException.ThrowIfNull(fluorescence);
        ArgumentNullException.ThrowIfNull(description);
        if (!(fluorescence.FrameRateHz > 0))
            throw new ArgumentException("the frame rate of the fluorescence traces is unknown; a recording needs one", nameof(fluorescence));
        if (neuropil is not null)
            CheckNeuropilMatches(fluorescence, neuropil);
        Fluorescence = fluorescence;
        Neuropil = neuropil;
        Description = description;
    }

    /// <summary>Raw fluorescence (or ΔF/F) traces; the frame rate is known (&gt; 0).</summary>
    public TraceSet Fluorescence { get; }

    /// <summary>Neuropil traces parallel to <see cref="Fluorescence"/> (same names and lengths), or null.</summary>
    public TraceSet? Neuropil { get; }

    /// <summary>Where the traces came from, e.g. <c>suite2p folder 'x/plane0': 812 of 1040 ROIs are cells …</c>.</summary>
    public string Description { get; }

    /// <summary>What the readers decided on the user's behalf or ignored (a CSV dialect, a dropped time column,
    /// foreign fields of <c>meta.json</c>), one line each, each naming its file.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The frame rate in Hz shared by all traces.</summary>
    public double FrameRateHz => Fluorescence.FrameRateHz;

    /// <summary>
    /// Loads traces in any format the library reads, choosing by what <paramref name="path"/> is:
    /// <list type="bullet">
    /// <item>a folder with <c>F.npy</c>: a suite2p plane folder (<see cref="Suite2pFolder.Load"/>; neuropil from <c>Fneu.npy</c>);</item>
    /// <item>another folder: a dataset folder with <c>calcium.csv[.gz]</c> (<see cref="Dataset.Load"/>; ground truth is not read);</item>
    /// <item>a <c>.npy</c> file: cells × frames (<see cref="NpyReader.ReadTraces"/>), the frame rate must be given;</item>
    /// <item>any other file: a Spikefinder-style CSV, <c>.csv</c> or <c>.csv.gz</c> (frame rate from the argument or a <c>meta.json</c> beside it).</item>
    /// </list>
    /// Gaps (empty or NaN cells) inside CSV traces are kept as NaN for the preprocessor's gap policy.
    /// </summary>
    /// <param name="path">The folder or file.</param>
    /// <param name="frameRateHz">Frame rate in Hz; when given it wins over <c>meta.json</c> and <c>ops.npy</c>.</param>
    /// <param name="neuropilPath">Neuropil traces for CSV or <c>.npy</c> input: a CSV with the same trace names,
    /// or a <c>.npy</c> file whose rows match the fluorescence traces in order. Not allowed with a suite2p
    /// folder, which brings its own <c>Fneu.npy</c>.</param>
    /// <param name="layout">Header and orientation of CSV and <c>.npy</c> input (and of a neuropil file); default
    /// <see cref="TableLayout.Default"/>. A suite2p folder has a fixed layout and ignores it.</param>
    /// <exception cref="DataFormatException">A file is missing or malformed, the frame rate is unknown, or the
    /// neuropil file does not match the fluorescence (count, names or lengths); the message names the file.</exception>
    public static Recording Load(string path, double? frameRateHz = null, string? neuropilPath = null, TableLayout? layout = null)
    {
        layout ??= TableLayout.Default;
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (frameRateHz is double given && !(given > 0 && double.IsFinite(given)))
            throw new DataFormatException(path, $"frame rate must be > 0, got {given}");

        if (Directory.Exists(path) && Suite2pFolder.IsPlaneFolder(path))
        {
            if (neuropilPath is not null)
                throw new DataFormatException(neuropilPath, $"a suite2p folder brings its own {Suite2pFolder.NeuropilFileName}; drop the separate neuropil file");
            return Suite2pFolder.Load(path, frameRateHz);
        }

        TraceSet fluorescence;
        string description;
        IReadOnlyList<string> notes = [];
        if (IsNpy(path) && File.Exists(path))
        {
            double rate = frameRateHz ?? throw new DataFormatException(path, "frame rate unknown: a .npy file does not store one", remedy: FormatRemedy.GiveFrameRate);
            fluorescence = NpyReader.ReadTraces(path, rate, layout.Orientation);
            string axis = layout.Orientation == TraceOrientation.Transposed ? "columns" : "rows";
            description = $"'{path}': {fluorescence.Count} traces ({axis} of a .npy array) at {rate:G6} Hz";
        }
        else
        {
            Dataset data = Dataset.Load(path, frameRateHz, includeSpikes: false, MissingValuePolicy.KeepNaN, layout);
            fluorescence = data.Calcium;
            notes = data.Notes;
            description = $"'{path}': {fluorescence.Count} traces at {data.FrameRateHz:G6} Hz";
        }

        TraceSet? neuropil = neuropilPath is null ? null : LoadNeuropil(neuropilPath, fluorescence, layout);
        if (neuropil is not null) description += $", neuropil from '{neuropilPath}'";
        return new Recording(fluorescence, neuropil, description) { Notes = notes };
    }

    // A neuropil file is matched to the fluorescence by name (CSV) or by row (.npy) and renamed to match.
    private static TraceSet LoadNeuropil(string path, TraceSet fluorescence, TableLayout layout)
    {
        TraceSet raw = IsNpy(path)
            ? NpyReader.ReadTraces(path, orientation: layout.Orientation)
            : TraceCsv.ReadTable(path, missingValues: MissingValuePolicy.KeepNaN, layout: layout).Traces;
        if (raw.Count != fluorescence.Count)
            throw new DataFormatException(path, $"has {raw.Count} neuropil traces but there are {fluorescence.Count} fluorescence traces");
        var traces = new float[fluorescence.Count][];
        for (int i = 0; i < traces.Length; i++)
        {
            string name = fluorescence.Names[i];
            int index = IsNpy(path) ? i : raw.IndexOf(name);
            if (index < 0)
                throw new DataFormatException(path, $"has no neuropil trace named '{name}'");
            traces[i] = raw.Traces[index];
            if (traces[i].Length != fluorescence.Traces[i].Length)
                throw new DataFormatException(path, $"neuropil for trace '{name}' has {traces[i].Length} frames but the fluorescence has {fluorescence.Traces[i].Length}");
        }
        return new TraceSet(fluorescence.Names, traces, fluorescence.FrameRateHz);
    }

    private static void CheckNeuropilMatches(TraceSet fluorescence, TraceSet neuropil)
    {
        if (neuropil.Count != fluorescence.Count)
            throw new ArgumentException($"{neuropil.Count} neuropil traces for {fluorescence.Count} fluorescence traces; need one each", nameof(neuropil));
        if (neuropil.FrameRateHz != fluorescence.FrameRateHz && !double.IsNaN(neuropil.FrameRateHz))
            throw new ArgumentException($"neuropil at {neuropil.FrameRateHz} Hz but fluorescence at {fluorescence.FrameRateHz} Hz", nameof(neuropil));
        for (int i = 0; i < fluorescence.Count; i++)
        {
            if (neuropil.Names[i] != fluorescence.Names[i])
                throw new ArgumentException($"neuropil trace {i} is '{neuropil.Names[i]}' but fluorescence trace {i} is '{fluorescence.Names[i]}'", nameof(neuropil));
            if (neuropil.Traces[i].Length != fluorescence.Traces[i].Length)
                throw new ArgumentException($"trace '{fluorescence.Names[i]}': neuropil has {neuropil.Traces[i].Length} frames, fluorescence {fluorescence.Traces[i].Length}", nameof(neuropil));
        }
    }

    private static bool IsNpy(string path) => path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);
}
