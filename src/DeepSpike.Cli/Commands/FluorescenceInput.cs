using System.CommandLine;
using DeepSpike.Data;
using DeepSpike.Preprocessing;

namespace DeepSpike.Cli.Commands;

/// <summary>
/// The options of the verbs that read fluorescence (<c>--data</c>, <c>--frame-rate</c>, <c>--neuropil</c>,
/// <c>--neuropil-factor</c>, <c>--input-kind</c>, <c>--baseline-window-s</c>, <c>--baseline-percentile</c>,
/// <c>--max-gap-s</c>), and what they ask for: <see cref="Recording.Load"/>, then <see cref="Preprocessor.Run"/>
/// with every warning on stderr, and the noise levels of the kept traces next to the verb's output.
/// </summary>
/// <remarks>
/// For inference the preprocessor does not resample (no <see cref="PreprocessingOptions.TargetFrameRateHz"/>):
/// inference already resamples to the model's rate and sums its output back onto the input's frames, so outputs stay
/// at the recording's rate. Training may ask for a rate (<c>train --model-frame-rate</c>). Only the refusal of rates more than <see cref="FrameRateMatch.DefaultMaxRatio"/> apart is
/// checked here, before any trace is processed.
/// </remarks>
internal sealed class FluorescenceInput
{
    /// <summary>Written into the output folder: the CASCADE noise level of each kept trace, in the layout of
    /// <c>probabilities.csv</c> (same header) with one row.</summary>
    public const string NoiseLevelsFileName = "noise_levels.csv";

    /// <summary>The summary line lists at most this many skipped traces by name.</summary>
    private const int MaxSkippedNamesListed = 10;

    /// <summary>At most this many preprocessing warnings are printed one per line; a count stands for the rest, so that
    /// a file of thousands of bad traces does not bury the output.</summary>
    internal const int MaxWarningsShown = 10;

    /// <summary>The flag behind each setting that <see cref="PreprocessingOptions.Validate"/> can reject, by the
    /// parameter name its exception carries.</summary>
    private static readonly Dictionary<string, string> FlagOfSetting = new()
    {
        [nameof(PreprocessingOptions.NeuropilFactor)] = "--neuropil-factor",
        ["factor"] = "--neuropil-factor",
        [nameof(PreprocessingOptions.BaselineWindowSeconds)] = "--baseline-window-s",
        [nameof(PreprocessingOptions.BaselinePercentile)] = "--baseline-percentile",
        [nameof(PreprocessingOptions.MaxGapSeconds)] = "--max-gap-s",
    };

    private readonly Option<string> _data = new("--data")
    {
        Description = "Fluorescence: a dataset folder (calcium.csv[.gz], meta.json), a trace CSV file (.csv or .csv.gz, one column per trace), " +
                      "a .npy file (cells × frames; needs --frame-rate) or a suite2p plane folder (F.npy, Fneu.npy, iscell.npy; frame rate from ops.npy)",
        Required = true,
    };

    private readonly Option<double?> _frameRate = CommonOptions.FrameRate("Frame rate in Hz (overrides meta.json and ops.npy; required for .npy files)");

    private readonly Option<string?> _neuropil = new("--neuropil")
    {
        HelpName = "FILE",
        Description = "Neuropil traces for CSV or .npy input: a CSV with the same trace names, or a .npy with one row per trace in the same order. " +
                      "Subtracted as F − r·F_neu. A suite2p folder brings its own Fneu.npy",
    };

    private readonly Option<bool> _noHeader = new("--no-header")
    {
        Description = "The CSV has no header row: every row is a frame (traces are named column1, column2, …). " +
                      "Without it, a first row of numbers is refused rather than taken for names",
    };

    private readonly Option<bool?> _transpose = new("--transpose")
    {
        HelpName = "true|false",
        Description = "Traces lie the other way round: one row per trace in a CSV (a first field of text is its name), frames × cells in a .npy. " +
                      "Unset, a CSV with far more columns than rows or a .npy with fewer frames than cells is refused; --transpose false reads them as they are",
    };

    private readonly Option<double> _neuropilFactor = new("--neuropil-factor")
    {
        HelpName = "R",
        Description = "Neuropil coefficient r in F − r·F_neu, in [0, 1] (suite2p's default; 0 ignores the neuropil)",
        DefaultValueFactory = _ => NeuropilCorrection.DefaultFactor,
    };

    private readonly Option<string?> _inputKind = new("--input-kind")
    {
        HelpName = "raw|dff",
        Description = "raw: fluorescence, turned into ΔF/F = (F − F₀)/F₀ with a running-percentile baseline F₀ after neuropil subtraction; " +
                      "dff: already ΔF/F or normalised, used as it is (only gap filling and the noise level). " +
                      "Default: raw for suite2p folders, .npy files and with --neuropil; dff for CSV files and dataset folders",
    };

    private readonly Option<double> _baselineWindow = new("--baseline-window-s")
    {
        HelpName = "SECONDS",
        Description = "Window of the running baseline F₀ in seconds (raw input)",
        DefaultValueFactory = _ => PreprocessingOptions.DefaultBaselineWindowSeconds,
    };

    private readonly Option<double> _baselinePercentile = new("--baseline-percentile")
    {
        HelpName = "Q",
        Description = "Percentile of the running baseline F₀, 0–100 (raw input)",
        DefaultValueFactory = _ => PreprocessingOptions.DefaultBaselinePercentile,
    };

    private readonly Option<double> _maxGap = new("--max-gap-s")
    {
        HelpName = "SECONDS",
        Description = "Longest run of missing values (NaN or empty cells) filled by linear interpolation, with a warning; " +
                      "a trace with a longer gap is skipped with a warning",
        DefaultValueFactory = _ => PreprocessingOptions.DefaultMaxGapSeconds,
    };

    /// <summary>The options, in the order help lists them; add them all to the verb.</summary>
    public IEnumerable<Option> Options => [_data, _frameRate, _noHeader, _transpose, _neuropil, _neuropilFactor, _inputKind, _baselineWindow, _baselinePercentile, _maxGap];

    /// <summary>The table layout that <c>--no-header</c> and <c>--transpose</c> ask for.</summary>
    public TableLayout Layout(ParseResult r) => new()
    {
        HasHeader = !r.GetValue(_noHeader),
        Orientation = r.GetValue(_transpose) switch
        {
            true => TraceOrientation.Transposed,
            false => TraceOrientation.Usual,
            null => TraceOrientation.Auto,
        },
    };

    /// <summary>The <c>--neuropil</c> path, or null.</summary>
    public string? NeuropilPath(ParseResult r) => r.GetValue(_neuropil);

    /// <summary>The <c>--frame-rate</c> override, or null.</summary>
    public double? FrameRate(ParseResult r) => r.GetValue(_frameRate);

    /// <summary>The <c>--data</c> path as given.</summary>
    public string DataPath(ParseResult r) => r.GetValue(_data)!;

    /// <summary>
    /// Reads <c>--data</c> (with <c>--neuropil</c>), refuses a frame rate more than 8× from <paramref name="modelFrameRateHz"/>
    /// when one is given, preprocesses, and writes every preprocessing warning to stderr, one line each, then one line
    /// summing up the skipped traces. Nothing is written to disk.
    /// </summary>
    /// <param name="r">The parsed command line.</param>
    /// <param name="modelFrameRateHz">The rate the traces will be resampled to by inference, or null when the verb
    /// works at any rate.</param>
    /// <returns>The kept ΔF/F traces (at least one) at the recording's frame rate, and the per-trace reports.</returns>
    /// <exception cref="ArgumentException">A preprocessing flag is out of range (the message names the flag), or
    /// neuropil is given for ΔF/F input.</exception>
    /// <exception cref="DataFormatException">The input cannot be read, its frame rate is too far from the model's, or
    /// every trace was skipped; the message names <c>--data</c>'s path.</exception>
    public PreprocessingResult Load(ParseResult r, double? modelFrameRateHz = null) => Load(r, DataPath(r), r.GetValue(_neuropil), modelFrameRateHz);

    /// <summary>
    /// As <see cref="Load(ParseResult, double?)"/>, for another input than <c>--data</c> (e.g. <c>train --validation</c>)
    /// with the same preprocessing flags; <paramref name="resampleToHz"/>, when given, resamples the kept traces to that rate.
    /// </summary>
    public PreprocessingResult Load(ParseResult r, string dataPath, string? neuropilPath, double? modelFrameRateHz, double? resampleToHz = null)
    {
        InputKind kind = ResolveInputKind(r.GetValue(_inputKind), dataPath, neuropilPath is not null);
        if (kind == InputKind.DeltaFOverF && neuropilPath is not null)
            throw new ArgumentException("--neuropil is subtracted from raw fluorescence only, but --input-kind is dff; drop one of them");
        var options = new PreprocessingOptions
        {
            Input = kind,
            NeuropilFactor = r.GetValue(_neuropilFactor),
            BaselineWindowSeconds = r.GetValue(_baselineWindow),
            BaselinePercentile = r.GetValue(_baselinePercentile),
            MaxGapSeconds = r.GetValue(_maxGap),
            TargetFrameRateHz = resampleToHz,
        };
        ValidateNamingFlags(options);

        Recording recording = Recording.Load(dataPath, r.GetValue(_frameRate), neuropilPath, Layout(r));
        if (kind == InputKind.DeltaFOverF && recording.Neuropil is not null)
            throw new ArgumentException($"{dataPath}: the suite2p folder's {Suite2pFolder.NeuropilFileName} is subtracted from raw fluorescence only, but --input-kind is dff; use --input-kind raw");
        Console.WriteLine($"read {recording.Description}; input is {Describe(kind)}");
        foreach (string note in recording.Notes)
            Console.Error.WriteLine($"note: {note}");
        if (modelFrameRateHz is double modelRate)
        {
            try { FrameRateMatch.Plan(recording.FrameRateHz, modelRate); }
            catch (ArgumentException farApart)
            {
                throw new DataFormatException(dataPath, $"the model runs at {modelRate:G6} Hz: {CliRunner.Flatten(farApart)}", farApart);
            }
        }

        PreprocessingResult result = Preprocessor.Run(recording, options);
        WriteCapped(result.Warnings.ToList());
        var skipped = result.Skipped.ToList();
        if (skipped.Count == result.Reports.Count)
        {
            string reasons = string.Join(", ", skipped.GroupBy(s => s.Outcome).Select(g => $"{g.Count()} {Describe(g.Key)}"));
            throw new DataFormatException(dataPath, $"every trace was skipped ({reasons}; the warnings above say why), so there is nothing to process");
        }
        if (skipped.Count > 0)
        {
            string names = string.Join(", ", skipped.Take(MaxSkippedNamesListed).Select(s => $"'{s.Name}'")) +
                           (skipped.Count > MaxSkippedNamesListed ? $" and {skipped.Count - MaxSkippedNamesListed} more" : "");
            Console.Error.WriteLine($"warning: skipped {skipped.Count} of {result.Reports.Count} traces ({names}); they are left out of the output");
        }
        return result;
    }

    /// <summary>Writes the first <see cref="MaxWarningsShown"/> warnings to stderr, one line each, then one line counting the rest.</summary>
    internal static void WriteCapped(IReadOnlyList<string> warnings)
    {
        foreach (string warning in warnings.Take(MaxWarningsShown))
            Console.Error.WriteLine($"warning: {warning}");
        if (warnings.Count > MaxWarningsShown)
            Console.Error.WriteLine($"warning: … and {warnings.Count - MaxWarningsShown} more warnings like these ({warnings.Count} in all; the summary below counts the skipped traces)");
    }

    /// <summary>
    /// Writes <see cref="NoiseLevelsFileName"/> into <paramref name="folder"/> (the kept traces' CASCADE noise levels ν,
    /// % · Hz^(−1/2)) and prints their median and range.
    /// </summary>
    public static void WriteNoiseLevels(string folder, PreprocessingResult result)
    {
        var kept = result.Reports.Where(report => report.Kept).ToList();
        string path = Path.Combine(folder, NoiseLevelsFileName);
        TraceCsv.Write(path, kept.Select(report => report.Name).ToList(), kept.Select(report => new[] { (float)report.NoiseLevel }).ToList());
        double[] levels = kept.Select(report => report.NoiseLevel).Where(double.IsFinite).Order().ToArray();
        if (levels.Length == 0) return;
        double median = levels.Length % 2 == 1 ? levels[levels.Length / 2] : (levels[levels.Length / 2 - 1] + levels[levels.Length / 2]) / 2;
        Console.WriteLine($"noise level ν (CASCADE, % per √Hz): median {median:F2}, range {levels[0]:F2}–{levels[^1]:F2} over {levels.Length} traces; per trace in {path}");
    }

    /// <summary>
    /// The input kind <c>--input-kind</c> names, or the default for <paramref name="dataPath"/>: raw for what pipelines
    /// write before any normalisation (a suite2p folder's F, a bare .npy array) and whenever neuropil is given; ΔF/F for
    /// CSV files and dataset folders, the Spikefinder layout, which holds ΔF/F.
    /// </summary>
    internal static InputKind ResolveInputKind(string? given, string dataPath, bool neuropilGiven) => given switch
    {
        null => neuropilGiven || IsRawByDefault(dataPath) ? InputKind.RawFluorescence : InputKind.DeltaFOverF,
        "raw" => InputKind.RawFluorescence,
        "dff" => InputKind.DeltaFOverF,
        _ => throw new ArgumentException($"--input-kind must be raw or dff, got '{given}'"),
    };

    private static bool IsRawByDefault(string dataPath) =>
        Directory.Exists(dataPath) ? Suite2pFolder.IsPlaneFolder(dataPath) : dataPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);

    private static void ValidateNamingFlags(PreprocessingOptions options)
    {
        try { options.Validate(); }
        catch (ArgumentOutOfRangeException bad) when (bad.ParamName is string name && FlagOfSetting.ContainsKey(name))
        {
            throw new ArgumentException($"{FlagOfSetting[name]}: {CliRunner.Flatten(bad)}", bad);
        }
    }

    private static string Describe(InputKind kind) => kind == InputKind.RawFluorescence
        ? "raw fluorescence (ΔF/F computed)"
        : "ΔF/F (used as it is)";

    private static string Describe(TraceOutcome outcome) => outcome switch
    {
        TraceOutcome.SkippedMissingData => "for missing data",
        TraceOutcome.SkippedConstant => "constant",
        TraceOutcome.SkippedBaseline => "for a baseline near zero",
        _ => outcome.ToString(),
    };
}
