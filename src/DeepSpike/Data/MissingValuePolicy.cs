namespace DeepSpike.Data;

/// <summary>
/// What a trace reader does with a missing value (empty field or <c>NaN</c>) that lies inside a
/// trace, i.e. before that trace's last value. Missing values after the last value are always
/// padding and are dropped.
/// </summary>
public enum MissingValuePolicy
{
    /// <summary>Throw <see cref="DataFormatException"/> naming the trace and frame (the default):
    /// a gap silently entering inference or training would corrupt every frame after it.</summary>
    Error = 0,

    /// <summary>Keep the gap as <see cref="float.NaN"/> in the trace, for callers that fill or cut gaps themselves.</summary>
    KeepNaN = 1,
}
