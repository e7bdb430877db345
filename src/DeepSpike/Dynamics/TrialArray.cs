namespace DeepSpike.Dynamics;

/// <summary>
/// Values over repeated trials: <see cref="Trials"/> × <see cref="Bins"/> × <see cref="Channels"/> (cells, or latent
/// dimensions), row-major, as <c>fluorescence.npy</c> and its siblings store them.
/// </summary>
public sealed class TrialArray
{
    /// <summary>Wraps <paramref name="data"/> (not copied).</summary>
    /// <exception cref="ArgumentException">A dimension is not positive, or the data's length is not their product.</exception>
    public TrialArray(int trials, int bins, int channels, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (trials <= 0 || bins <= 0 || channels <= 0)
            throw new ArgumentException($"trial array dimensions must be > 0, got {trials} × {bins} × {channels}");
        if ((long)trials * bins * channels != data.Length)
            throw new ArgumentException($"{trials} × {bins} × {channels} needs {(long)trials * bins * channels} values, got {data.Length}", nameof(data));
        Trials = trials;
        Bins = bins;
        Channels = channels;
        Data = data;
    }

    /// <summary>An array of zeros.</summary>
    public static TrialArray Zeros(int trials, int bins, int channels) => new(trials, bins, channels, new float[checked(trials * bins * channels)]);

    /// <summary>Number of trials.</summary>
    public int Trials { get; }

    /// <summary>Time bins per trial.</summary>
    public int Bins { get; }

    /// <summary>Cells or latent dimensions.</summary>
    public int Channels { get; }

    /// <summary>The values, trial-major: <c>[trial, bin, channel]</c> at <c>(trial · Bins + bin) · Channels + channel</c>.</summary>
    public float[] Data { get; }

    /// <summary>The value of <paramref name="channel"/> at <paramref name="bin"/> of <paramref name="trial"/>.</summary>
    public float this[int trial, int bin, int channel]
    {
        get => Data[Index(trial, bin, channel)];
        set => Data[Index(trial, bin, channel)] = value;
    }

    /// <summary>One trial's bins × channels block.</summary>
    public Span<float> Trial(int trial) => Data.AsSpan(trial * Bins * Channels, Bins * Channels);

    /// <summary>The shape as NumPy prints it, e.g. <c>(1040, 100, 30)</c>.</summary>
    public string ShapeText => $"({Trials}, {Bins}, {Channels})";

    /// <summary>The trials <paramref name="trials"/> of this array, in that order (a copy).</summary>
    public TrialArray Select(ReadOnlySpan<int> trials)
    {
        int size = Bins * Channels;
        var data = new float[trials.Length * size];
        for (int i = 0; i < trials.Length; i++) Trial(trials[i]).CopyTo(data.AsSpan(i * size, size));
        return new TrialArray(trials.Length, Bins, Channels, data);
    }

    /// <summary>Writes the array as a float32 <c>.npy</c> of shape (trials, bins, channels), atomically.</summary>
    public void Write(string path) => DeepSpike.Data.NpyWriter.Write(path, [Trials, Bins, Channels], Data);

    private int Index(int trial, int bin, int channel)
    {
        if ((uint)trial >= (uint)Trials || (uint)bin >= (uint)Bins || (uint)channel >= (uint)Channels)
            throw new IndexOutOfRangeException($"[{trial}, {bin}, {channel}] is outside {ShapeText}");
        return (trial * Bins + bin) * Channels + channel;
    }
}
