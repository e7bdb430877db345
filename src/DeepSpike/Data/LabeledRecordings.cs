namespace DeepSpike.Data;

/// <summary>Recordings with known spikes from several dataset folders, pooled at one frame rate (semi-supervised training).</summary>
public static class LabeledRecordings
{
    /// <summary>
    /// Loads every folder with its <c>spikes.csv</c>, resamples each to <paramref name="frameRateHz"/>
    /// (<see cref="Dataset.ResampledTo"/>: spike totals kept) and pools them; trace names become
    /// <c>&lt;folder name&gt;/&lt;trace&gt;</c>, so equal names from different folders stay apart.
    /// </summary>
    /// <exception cref="ArgumentException">No folder is given.</exception>
    /// <exception cref="DataFormatException">A folder cannot be read or has no <c>spikes.csv</c>.</exception>
    public static Dataset Load(IEnumerable<string> folders, double frameRateHz)
    {
        var names = new List<string>();
        var calcium = new List<float[]>();
        var spikes = new List<float[]>();
        foreach (string folder in folders)
        {
            var data = Dataset.Load(folder, includeSpikes: true);
            if (data.Spikes is null) throw new DataFormatException(folder, $"labeled recordings need {Dataset.SpikesFileName} (ground truth)");
            var resampled = data.ResampledTo(frameRateHz);
            string prefix = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
            names.AddRange(resampled.Calcium.Names.Select(n => $"{prefix}/{n}"));
            calcium.AddRange(resampled.Calcium.Traces);
            spikes.AddRange(resampled.Spikes!.Traces);
        }
        if (names.Count == 0) throw new ArgumentException("no labeled dataset folders given");
        return new Dataset(new TraceSet(names, calcium, frameRateHz), new TraceSet(names, spikes, frameRateHz), new DatasetMeta(frameRateHz));
    }
}
