namespace DeepSpike.Data;

/// <summary>
/// What the user can do about a <see cref="DataFormatException"/> when the file is probably fine but was read with
/// the wrong assumption. A front end turns it into its own words (a command-line tool names its flag); the library's
/// message says it in plain terms.
/// </summary>
public enum FormatRemedy
{
    /// <summary>Nothing to suggest beyond the message: the file itself must change.</summary>
    None,

    /// <summary>Give the frame rate (it is not stored in the file).</summary>
    GiveFrameRate,

    /// <summary>Read the table as having no header row (<see cref="TableLayout.HasHeader"/> = false).</summary>
    ReadWithoutHeader,

    /// <summary>Read the table the other way round (<see cref="TableLayout.Orientation"/>: traces in rows, or
    /// in a <c>.npy</c> file frames × cells).</summary>
    Transpose,
}
