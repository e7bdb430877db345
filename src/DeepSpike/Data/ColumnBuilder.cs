namespace DeepSpike.Data;

/// <summary>
/// Accumulates one CSV column frame by frame, remembering where its last value is, so trailing
/// padding can be dropped and a gap before a later value can be reported.
/// </summary>
internal sealed class ColumnBuilder
{
    // Small and allocated on the first value: a header of 10^5 empty names must not cost 10^5 large buffers.
    private const int InitialCapacity = 16;

    private float[] _values = [];
    private int _count;
    private int _firstPendingGap = -1;

    /// <summary>Trace length so far: frames up to and including the last non-missing value.</summary>
    public int Length { get; private set; }

    /// <summary>Appends a missing value at <paramref name="frame"/> (frames arrive in order).</summary>
    public void AddMissing(int frame)
    {
        System.Diagnostics.Debug.Assert(frame == _count);
        if (_firstPendingGap < 0)
            _firstPendingGap = frame;
        Append(float.NaN);
    }

    /// <summary>
    /// Appends a value at <paramref name="frame"/>. Returns the first frame of a gap that this
    /// value closes (missing frames that turned out to be inside the trace), or -1 if none.
    /// </summary>
    public int Add(int frame, float value)
    {
        System.Diagnostics.Debug.Assert(frame == _count);
        int gap = _firstPendingGap;
        _firstPendingGap = -1;
        Append(value);
        Length = _count;
        return gap;
    }

    /// <summary>The trace without trailing padding.</summary>
    public float[] ToArray() => _values.AsSpan(0, Length).ToArray();

    private void Append(float value)
    {
        if (_count == _values.Length)
            Array.Resize(ref _values, Math.Max(InitialCapacity, _values.Length * 2));
        _values[_count++] = value;
    }
}
