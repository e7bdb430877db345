using DeepSpike.Data;

namespace DeepSpike.Dynamics;

/// <summary>
/// A population recorded over repeated trials, as a folder: <c>fluorescence.npy</c> (float32, trials × bins × cells),
/// <c>meta.json</c> (<c>bin_s</c>, optional <c>trial_names</c> and <c>cell_names</c>) and, when known, the ground truth
/// <c>spikes.npy</c>, <c>rates.npy</c> (Hz) and <c>calcium.npy</c> (same shape) and <c>latents.npy</c> (trials × bins × k).
/// </summary>
/// <param name="Fluorescence">ΔF/F (or any fluorescence), trials × bins × cells.</param>
/// <param name="Meta">Bin width and names.</param>
/// <param name="Spikes">True spike counts per bin, or null.</param>
/// <param name="Rates">True firing rates in Hz, or null.</param>
/// <param name="Calcium">True noiseless calcium, or null.</param>
/// <param name="Latents">True latent state, trials × bins × k, or null.</param>
public sealed record TrialDataset(TrialArray Fluorescence, TrialMeta Meta, TrialArray? Spikes = null, TrialArray? Rates = null,
    TrialArray? Calcium = null, TrialArray? Latents = null)
{
    /// <summary>File names in a trial dataset folder.</summary>
    public const string FluorescenceFileName = "fluorescence.npy", SpikesFileName = "spikes.npy", RatesFileName = "rates.npy",
        CalciumFileName = "calcium.npy", LatentsFileName = "latents.npy", MetaFileName = "meta.json";

    /// <summary>Trials.</summary>
    public int Trials => Fluorescence.Trials;

    /// <summary>Bins per trial.</summary>
    public int Bins => Fluorescence.Bins;

    /// <summary>Cells.</summary>
    public int Cells => Fluorescence.Channels;

    /// <summary>
    /// Loads a trial dataset folder. Unsupervised training reads only what it needs: pass <paramref name="truth"/> false
    /// and the ground-truth files are not opened at all.
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="truth">Whether to read the ground-truth files that exist.</param>
    /// <param name="primary">The file that must exist and sets the shape: <see cref="FluorescenceFileName"/>, or
    /// <see cref="SpikesFileName"/> for models fitted to spikes (its values then also stand in for the fluorescence).</param>
    /// <exception cref="DataFormatException">The folder or a file is missing or malformed: not 3-D, a shape that disagrees with
    /// the primary file, a NaN or infinite value, a negative spike count or rate, <c>bin_s</c> ≤ 0, names that do not match
    /// the shape. The message names the file.</exception>
    public static TrialDataset Load(string folder, bool truth = true, string primary = FluorescenceFileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new DataFormatException(folder, File.Exists(folder) ? "is a file; a trial dataset is a folder with fluorescence.npy and meta.json" : "folder not found");
        string primaryPath = Path.Combine(folder, primary);
        if (!File.Exists(primaryPath))
            throw new DataFormatException(folder, $"has no {primary}");
        TrialArray main = ReadArray(primaryPath, null, nonNegative: primary == SpikesFileName);
        TrialMeta meta = TrialMetaJson.Read(Path.Combine(folder, MetaFileName), main.Trials, main.Channels);

        TrialArray? Optional(string name, bool sameChannels = true, bool nonNegative = false)
        {
            string path = Path.Combine(folder, name);
            if (!truth || name == primary || !File.Exists(path)) return null;
            return ReadArray(path, (main.Trials, main.Bins, sameChannels ? main.Channels : null), nonNegative);
        }

        TrialArray? spikes = primary == SpikesFileName ? main : Optional(SpikesFileName, nonNegative: true);
        TrialArray fluorescence = primary == FluorescenceFileName ? main : (truth ? Optional(FluorescenceFileName) : null) ?? main;
        return new TrialDataset(fluorescence, meta, spikes, Optional(RatesFileName, nonNegative: true), Optional(CalciumFileName),
            Optional(LatentsFileName, sameChannels: false));
    }

    /// <summary>Writes the folder (created if needed): every array that is not null, and <c>meta.json</c>; each file atomically.</summary>
    public void Write(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        void Save(string name, TrialArray? array)
        {
            array?.Write(Path.Combine(folder, name));
        }
        Save(FluorescenceFileName, Fluorescence);
        Save(SpikesFileName, Spikes);
        Save(RatesFileName, Rates);
        Save(CalciumFileName, Calcium);
        Save(LatentsFileName, Latents);
        TrialMetaJson.Write(Path.Combine(folder, MetaFileName), Meta);
    }

    /// <param name="path">The file.</param>
    /// <param name="expected">Trials, bins and (when not null) channels the file must have, or null for the primary file.</param>
    /// <param name="nonNegative">Whether negative values are an error (counts, rates).</param>
    private static TrialArray ReadArray(string path, (int Trials, int Bins, int? Channels)? expected, bool nonNegative)
    {
        NpyArray array = NpyReader.ReadArray(path);
        if (array.Shape.Length != 3)
            throw new DataFormatException(path, $"holds an array of shape {array.ShapeText}; expected 3 dimensions (trials × bins × cells)");
        int trials = array.Shape[0], bins = array.Shape[1], channels = array.Shape[2];
        if (trials == 0 || bins == 0 || channels == 0)
            throw new DataFormatException(path, $"holds an empty array of shape {array.ShapeText}");
        if (expected is var (t, b, c) && (trials != t || bins != b || (c is int cells && channels != cells)))
        {
            string want = c is int n ? $"({t}, {b}, {n})" : $"({t}, {b}, k)";
            throw new DataFormatException(path, $"has shape {array.ShapeText} but the dataset's other files are {want}");
        }
        for (int i = 0; i < array.Data.Length; i++)
        {
            float v = array.Data[i];
            if (!float.IsFinite(v))
                throw new DataFormatException(path, $"has a non-finite value ({v}) at [{i / (bins * channels)}, {i / channels % bins}, {i % channels}]");
            if (nonNegative && v < 0)
                throw new DataFormatException(path, $"has a negative value ({v}) at [{i / (bins * channels)}, {i / channels % bins}, {i % channels}]; counts and rates are ≥ 0");
        }
        return new TrialArray(trials, bins, channels, array.Data);
    }
}
