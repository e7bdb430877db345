namespace DeepSpike.Data;

/// <summary>
/// A dataset as laid out on disk (Spikefinder convention): fluorescence traces, optionally the
/// true spike counts per frame, and metadata.
/// </summary>
/// <param name="Calcium">Fluorescence traces (<c>calcium.csv</c>), with the dataset's frame rate.</param>
/// <param name="Spikes">Spike counts per frame (<c>spikes.csv</c>), same names and lengths as
/// <paramref name="Calcium"/>; null when the dataset has no ground truth.</param>
/// <param name="Meta">Metadata; its <see cref="DatasetMeta.FrameRateHz"/> is the rate in effect
/// (the override if one was given).</param>
public sealed record Dataset(TraceSet Calcium, TraceSet? Spikes, DatasetMeta Meta)
{
    /// <summary>Name of the fluorescence file in a dataset folder (optionally with <c>.gz</c>).</summary>
    public const string CalciumFileName = "calcium.csv";

    /// <summary>Name of the ground-truth spike file in a dataset folder (optionally with <c>.gz</c>).</summary>
    public const string SpikesFileName = "spikes.csv";

    /// <summary>Name of the metadata file in a dataset folder.</summary>
    public const string MetaFileName = "meta.json";

    /// <summary>The frame rate in Hz shared by all traces.</summary>
    public double FrameRateHz => Meta.FrameRateHz;

    /// <summary>What the readers decided on the user's behalf (a dialect, a dropped time column) and what they
    /// ignored in <c>meta.json</c>, one line each; see <see cref="TraceTable.Notes"/>.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>
    /// Loads a dataset folder or a single trace CSV.
    /// </summary>
    /// <param name="path">
    /// A folder holding <c>calcium.csv</c> or <c>calcium.csv.gz</c>, optionally
    /// <c>spikes.csv[.gz]</c> and <c>meta.json</c>; or one CSV file (<c>.csv</c> or <c>.csv.gz</c>),
    /// in which case only fluorescence is loaded and a <c>meta.json</c> beside it is used if present.
    /// </param>
    /// <param name="frameRateHzOverride">Frame rate in Hz; when given it wins over <c>meta.json</c>.</param>
    /// <param name="includeSpikes">Whether to read <c>spikes.csv</c> from a folder. Callers that use only
    /// fluorescence (unsupervised training, inference) pass false, so that a missing, stale or malformed
    /// ground-truth file cannot stop them; <see cref="Spikes"/> is then null.</param>
    /// <param name="missingValues">What to do with a gap inside a fluorescence trace (default: error).
    /// Callers that fill gaps themselves, like <see cref="Preprocessing.Preprocessor"/>, pass
    /// <see cref="MissingValuePolicy.KeepNaN"/>. Spike counts never have gaps.</param>
    /// <param name="layout">Header and orientation of the CSV files (fluorescence and spikes alike); default
    /// <see cref="TableLayout.Default"/>.</param>
    /// <exception cref="DataFormatException">The path does not exist, a file is malformed (see
    /// <see cref="TraceCsv.Read(string, double, MissingValuePolicy)"/>), the frame rate is unknown
    /// or not &gt; 0, or spikes do not match the fluorescence traces in names or lengths.</exception>
    public static Dataset Load(string path, double? frameRateHzOverride = null, bool includeSpikes = true,
        MissingValuePolicy missingValues = MissingValuePolicy.Error, TableLayout? layout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (frameRateHzOverride is double given && !(given > 0 && double.IsFinite(given)))
            throw new DataFormatException(path, $"frame rate must be > 0, got {given}");

        layout ??= TableLayout.Default;
        if (Directory.Exists(path))
            return LoadFolder(path, frameRateHzOverride, includeSpikes, missingValues, layout);
        if (File.Exists(path))
            return LoadSingleFile(path, frameRateHzOverride, missingValues, layout);
        throw new DataFormatException(path, "file not found");
    }

    private static Dataset LoadFolder(string folder, double? frameRateHzOverride, bool includeSpikes, MissingValuePolicy missingValues, TableLayout layout)
    {
        string calciumPath = FindTraceFile(folder, CalciumFileName)
            ?? throw new DataFormatException(folder, $"no {CalciumFileName} or {CalciumFileName}.gz in this folder");
        string? spikesPath = includeSpikes ? FindTraceFile(folder, SpikesFileName) : null;
        DatasetMeta meta = ResolveMeta(folder, Path.Combine(folder, MetaFileName), frameRateHzOverride);

        TraceTable calcium = TraceCsv.ReadTable(calciumPath, meta.FrameRateHz, missingValues, layout);
        TraceSet? spikes = spikesPath is null ? null : TraceCsv.ReadTable(spikesPath, meta.FrameRateHz, layout: layout).Traces;
        if (spikes is not null)
            CheckSpikesMatch(calcium.Traces, calciumPath, spikes, spikesPath!);
        return new Dataset(calcium.Traces, spikes, meta) { Notes = NotesOf(calciumPath, calcium, meta) };
    }

    private static Dataset LoadSingleFile(string file, double? frameRateHzOverride, MissingValuePolicy missingValues, TableLayout layout)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        DatasetMeta meta = ResolveMeta(file, Path.Combine(folder, MetaFileName), frameRateHzOverride);
        TraceTable calcium = TraceCsv.ReadTable(file, meta.FrameRateHz, missingValues, layout);
        return new Dataset(calcium.Traces, Spikes: null, meta) { Notes = NotesOf(file, calcium, meta) };
    }

    private static List<string> NotesOf(string csvPath, TraceTable table, DatasetMeta meta) =>
        [.. table.Notes.Select(note => $"{csvPath}: {note}"), .. meta.Warnings];

    private static DatasetMeta ResolveMeta(string source, string metaPath, double? frameRateHzOverride)
    {
        DatasetMeta? meta = File.Exists(metaPath) ? DatasetMeta.Read(metaPath) : null;
        return (meta, frameRateHzOverride) switch
        {
            (not null, double rate) => meta with { FrameRateHz = rate },
            (not null, null) => meta,
            (null, double rate) => new DatasetMeta(rate),
            (null, null) => throw new DataFormatException(source, $"frame rate unknown: there is no {MetaFileName} with frame_rate_hz beside it",
                remedy: FormatRemedy.GiveFrameRate),
        };
    }

    /// <summary>
    /// This dataset at another frame rate: fluorescence linearly interpolated, spike counts summed into the new
    /// frames (<see cref="Preprocessing.Resampling"/>), so the spike total is kept. Returns this dataset itself
    /// when the rates already agree within <see cref="Inference.SpikeInference.FrameRateTolerance"/>.
    /// </summary>
    public Dataset ResampledTo(double frameRateHz)
    {
        if (!(frameRateHz > 0 && double.IsFinite(frameRateHz))) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        double from = FrameRateHz;
        if (Math.Abs(frameRateHz / from - 1) <= Inference.SpikeInference.FrameRateTolerance) return this;
        var calcium = Calcium.Traces.Select(x => Preprocessing.Resampling.Linear(x, from, frameRateHz)).ToList();
        var spikes = Spikes?.Traces.Select((x, i) => Preprocessing.Resampling.SumCounts(x, from, frameRateHz, calcium[i].Length)).ToList();
        return new Dataset(new TraceSet(Calcium.Names, calcium, frameRateHz), spikes is null ? null : new TraceSet(Spikes!.Names, spikes, frameRateHz),
            Meta with { FrameRateHz = frameRateHz });
    }

    // Both the plain and the gzipped file present is ambiguous: which one is current?
    private static string? FindTraceFile(string folder, string fileName)
    {
        string plain = Path.Combine(folder, fileName);
        string gzipped = plain + ".gz";
        bool hasPlain = File.Exists(plain), hasGzipped = File.Exists(gzipped);
        if (hasPlain && hasGzipped)
            throw new DataFormatException(folder, $"has both {fileName} and {fileName}.gz; keep one");
        return hasPlain ? plain : hasGzipped ? gzipped : null;
    }

    private static void CheckSpikesMatch(TraceSet calcium, string calciumPath, TraceSet spikes, string spikesPath)
    {
        if (spikes.Count != calcium.Count)
            throw new DataFormatException(spikesPath, $"has {spikes.Count} traces but {Path.GetFileName(calciumPath)} has {calcium.Count}");
        for (int j = 0; j < calcium.Count; j++)
        {
            if (spikes.Names[j] != calcium.Names[j])
                throw new DataFormatException(spikesPath, $"column {j + 1} is '{spikes.Names[j]}' but in {Path.GetFileName(calciumPath)} it is '{calcium.Names[j]}'");
            if (spikes.Traces[j].Length != calcium.Traces[j].Length)
                throw new DataFormatException(spikesPath,
                    $"trace '{spikes.Names[j]}' has {spikes.Traces[j].Length} frames but {Path.GetFileName(calciumPath)} has {calcium.Traces[j].Length}");
        }
    }
}
