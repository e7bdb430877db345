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
        Dataset? pooled = null;
        foreach (string folder in folders)
        {
            var data = Dataset.Load(folder, includeSpikes: true);
            if (data.Spikes is null) throw new DataFormatException(folder, $"labeled recordings need {Dataset.SpikesFileName} (ground truth)");
            pooled = Append(pooled, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), data, frameRateHz);
        }
        return pooled ?? throw new ArgumentException("no labeled dataset folders given");
    }

    /// <summary>
    /// <paramref name="pooled"/> (null for none) followed by the labeled recordings of <paramref name="data"/>, resampled
    /// to <paramref name="frameRateHz"/> and named <c>&lt;<paramref name="prefix"/>&gt;/&lt;trace&gt;</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has no spikes, or <paramref name="pooled"/> is at another rate.</exception>
    public static Dataset Append(Dataset? pooled, string prefix, Dataset data, double frameRateHz)
    {
        if (data.Spikes is null) throw new ArgumentException($"{prefix}: labeled recordings need spikes", nameof(data));
        if (pooled is not null && pooled.FrameRateHz != frameRateHz)
            throw new ArgumentException($"pooled recordings are at {pooled.FrameRateHz:G6} Hz, not {frameRateHz:G6} Hz", nameof(pooled));
        var resampled = data.ResampledTo(frameRateHz);
        var names = resampled.Calcium.Names.Select(n => $"{prefix}/{n}").ToList();
        if (pooled is null)
            return new Dataset(new TraceSet(names, resampled.Calcium.Traces, frameRateHz),
                new TraceSet(names, resampled.Spikes!.Traces, frameRateHz), new DatasetMeta(frameRateHz));
        var allNames = pooled.Calcium.Names.Concat(names).ToList();
        return new Dataset(new TraceSet(allNames, pooled.Calcium.Traces.Concat(resampled.Calcium.Traces).ToList(), frameRateHz),
            new TraceSet(allNames, pooled.Spikes!.Traces.Concat(resampled.Spikes!.Traces).ToList(), frameRateHz), pooled.Meta);
    }
}
