namespace DeepSpike.Data;

/// <summary>
/// Reads a suite2p plane folder (<c>…/suite2p/plane0</c>): <c>F.npy</c> (ROIs × frames, float32),
/// <c>Fneu.npy</c> (the same shape), <c>iscell.npy</c> (ROIs × 2: is-cell flag, classifier probability)
/// and <c>ops.npy</c> (a pickled dict whose <c>fs</c> is the plane's frame rate in Hz).
/// </summary>
/// <remarks>Layout: <see href="https://suite2p.readthedocs.io/en/latest/outputs.html"/>.</remarks>
public static class Suite2pFolder
{
    /// <summary>Fluorescence per ROI and frame.</summary>
    public const string FluorescenceFileName = "F.npy";

    /// <summary>Neuropil fluorescence per ROI and frame.</summary>
    public const string NeuropilFileName = "Fneu.npy";

    /// <summary>Per ROI: is-cell flag (0 or 1) and classifier probability.</summary>
    public const string IsCellFileName = "iscell.npy";

    /// <summary>Pickled run options; key <c>fs</c> holds the frame rate per plane.</summary>
    public const string OpsFileName = "ops.npy";

    /// <summary>The key of the frame rate (Hz) in <c>ops.npy</c>.</summary>
    public const string FrameRateKey = "fs";

    /// <summary>Whether <paramref name="folder"/> looks like a suite2p plane folder (holds <c>F.npy</c>).</summary>
    public static bool IsPlaneFolder(string folder) => File.Exists(Path.Combine(folder, FluorescenceFileName));

    /// <summary>
    /// Loads the ROIs that suite2p classified as cells (<c>iscell[:, 0] == 1</c>), named <c>roi{i}</c> with
    /// i the ROI's row in <c>F.npy</c> (suite2p's own numbering), with their neuropil traces.
    /// </summary>
    /// <param name="folder">The plane folder holding <c>F.npy</c> and <c>iscell.npy</c>.</param>
    /// <param name="frameRateHz">Frame rate in Hz; when given it wins over <c>ops.npy</c>. When null, <c>fs</c> is
    /// read from <c>ops.npy</c> (see <see cref="NpyReader.ReadPickledNumber"/>).</param>
    /// <returns>The cells' fluorescence and, when <c>Fneu.npy</c> exists, their neuropil traces.</returns>
    /// <exception cref="DataFormatException">The folder or <c>F.npy</c>/<c>iscell.npy</c> is missing or malformed;
    /// shapes disagree; no ROI is a cell; or the frame rate was not given and <c>ops.npy</c> has no readable
    /// positive <c>fs</c>. The message names the folder or file.</exception>
    public static Recording Load(string folder, double? frameRateHz = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (frameRateHz is double given && !(given > 0 && double.IsFinite(given)))
            throw new DataFormatException(folder, $"frame rate must be > 0, got {given}");
        if (!Directory.Exists(folder))
            throw new DataFormatException(folder, "folder not found");
        if (!IsPlaneFolder(folder))
        {
            string hint = Directory.Exists(Path.Combine(folder, "plane0")) ? $"; pass a plane folder such as {Path.Combine(folder, "plane0")}" : "";
            throw new DataFormatException(folder, $"no {FluorescenceFileName} in this folder, so it is not a suite2p plane folder{hint}");
        }

        (double rate, string rateOrigin) = ResolveFrameRate(folder, frameRateHz);
        string fPath = Path.Combine(folder, FluorescenceFileName);
        float[][] f = NpyReader.ReadRows(fPath);
        CheckTwoDimensional(fPath, f);
        bool[] isCell = ReadIsCell(Path.Combine(folder, IsCellFileName), f.Length);

        string neuropilPath = Path.Combine(folder, NeuropilFileName);
        float[][]? fneu = null;
        if (File.Exists(neuropilPath))
        {
            fneu = NpyReader.ReadRows(neuropilPath);
            if (fneu.Length != f.Length || fneu.Length > 0 && fneu[0].Length != f[0].Length)
                throw new DataFormatException(neuropilPath, $"has shape ({fneu.Length}, {(fneu.Length > 0 ? fneu[0].Length : 0)}) but {FluorescenceFileName} has ({f.Length}, {f[0].Length})");
        }

        var names = new List<string>();
        var cells = new List<float[]>();
        var neuropil = fneu is null ? null : new List<float[]>();
        for (int roi = 0; roi < f.Length; roi++)
        {
            if (!isCell[roi]) continue;
            names.Add(NpyReader.RoiName(roi));
            cells.Add(f[roi]);
            neuropil?.Add(fneu![roi]);
        }
        if (cells.Count == 0)
            throw new DataFormatException(Path.Combine(folder, IsCellFileName), $"marks none of the {f.Length} ROIs as a cell");

        string description = $"suite2p folder '{folder}': {cells.Count} of {f.Length} ROIs are cells ({IsCellFileName}), " +
            $"{(fneu is null ? $"no {NeuropilFileName}" : $"neuropil from {NeuropilFileName}")}, {rate:G6} Hz {rateOrigin}";
        return new Recording(
            new TraceSet(names, cells, rate),
            neuropil is null ? null : new TraceSet(names, neuropil, rate),
            description);
    }

    /// <summary>The frame rate stored in <c>ops.npy</c> (key <c>fs</c>), or null when there is no such file or no
    /// readable positive number under that key.</summary>
    /// <exception cref="DataFormatException"><c>ops.npy</c> exists but is not a <c>.npy</c> file.</exception>
    public static double? ReadFrameRate(string folder)
    {
        string opsPath = Path.Combine(folder, OpsFileName);
        if (!File.Exists(opsPath)) return null;
        double? fs = NpyReader.ReadPickledNumber(opsPath, FrameRateKey);
        return fs is double rate && rate > 0 && double.IsFinite(rate) ? rate : null;
    }

    private static (double Rate, string Origin) ResolveFrameRate(string folder, double? given)
    {
        if (given is double rate) return (rate, "(given)");
        string opsPath = Path.Combine(folder, OpsFileName);
        if (!File.Exists(opsPath))
            throw new DataFormatException(folder, $"frame rate unknown: there is no {OpsFileName} to read '{FrameRateKey}' from", remedy: FormatRemedy.GiveFrameRate);
        double? fromOps;
        try { fromOps = ReadFrameRate(folder); }
        catch (DataFormatException bad)
        {
            throw new DataFormatException(folder, $"frame rate unknown: {OpsFileName} cannot be read ({bad.Problem})", bad, FormatRemedy.GiveFrameRate);
        }
        return fromOps is double fs
            ? (fs, $"(from {OpsFileName})")
            : throw new DataFormatException(folder, $"frame rate unknown: {OpsFileName} has no readable number under '{FrameRateKey}'", remedy: FormatRemedy.GiveFrameRate);
    }

    private static void CheckTwoDimensional(string path, float[][] f)
    {
        NpyHeader header = NpyReader.ReadHeader(path);
        if (header.Shape.Count != 2)
            throw new DataFormatException(path, $"has shape {header.ShapeText}; suite2p writes ROIs × frames (2 dimensions)");
        if (f.Length == 0 || f[0].Length == 0)
            throw new DataFormatException(path, $"has shape {header.ShapeText}: no ROIs or no frames");
    }

    // iscell.npy is (ROIs, 2) float64: column 0 the 0/1 decision, column 1 the probability. A 1-D flag array is accepted too.
    private static bool[] ReadIsCell(string path, int roiCount)
    {
        if (!File.Exists(path))
            throw new DataFormatException(path, $"file not found; suite2p writes it beside {FluorescenceFileName}, and it says which ROIs are cells");
        NpyHeader header = NpyReader.ReadHeader(path);
        float[][] rows = NpyReader.ReadRows(path);
        bool oneDimensional = header.Shape.Count == 1;
        int count = oneDimensional ? rows[0].Length : rows.Length;
        if (count != roiCount || !oneDimensional && rows.Length > 0 && rows[0].Length == 0)
            throw new DataFormatException(path, $"has shape {header.ShapeText} but {FluorescenceFileName} has {roiCount} ROIs; expected ({roiCount}, 2)");
        var isCell = new bool[roiCount];
        for (int roi = 0; roi < roiCount; roi++)
            isCell[roi] = (oneDimensional ? rows[0][roi] : rows[roi][0]) == 1f;
        return isCell;
    }
}
