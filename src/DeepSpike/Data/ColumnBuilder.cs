namespace DeepSpike.Data;

/// <summary>
/// Accumulates one CSV column frame by frame. Missing frames are not stored as they come: they are
/// the frames no value was given for, materialised as NaN only when a later value shows they lie inside
/// the trace. So trailing padding costs nothing, and a short row costs nothing in the columns it lacks
/// (a wide header over many short rows would otherwise cost columns × rows).
/// </summary>
internal sealed class ColumnBuilder
{
    // Small and allocated on the first value: a header of 10^5 empty names must not cost 10^5 large buffers.
    private const int InitialCapacity = 16;

    private float[] _values = [];

    /// <summary>Trace length so far: frames up to and including the last non-missing value.</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Sets the value at <paramref name="frame"/> (frames arrive in increasing order); frames since the last
    /// value become NaN. Returns the first frame of that gap (missing frames that turned out to be inside the
    /// trace), or -1 if none.
    /// </summary>
    public int Add(int frame, float value)
    {
        System.Diagnostics.Debug.Assert(frame >= Length);
        int gap = frame > Length ? Length : -1;
        if (frame >= _values.Length)
            Array.Resize(ref _values, Math.Max(InitialCapacity, Math.Max(frame + 1, (int)Math.Min(Array.MaxLength, 2L * _values.Length))));
        _values.AsSpan(Length, frame - Length).Fill(float.NaN);
        _values[frame] = value;
        Length = frame + 1;
        return gap;
    }

    /// <summary>The trace without trailing padding.</summary>
    public float[] ToArray() => _values.AsSpan(0, Length).ToArray();
}
