namespace DeepSpike.Data;

/// <summary>Which axis of a table or array holds the traces.</summary>
public enum TraceOrientation
{
    /// <summary>Traces in columns (CSV) or rows (<c>.npy</c>, cells × frames), the usual layouts, but refuse a
    /// shape that says otherwise: a CSV with far more columns than rows, or a <c>.npy</c> with fewer frames than
    /// cells, is almost always the transpose of what the user meant.</summary>
    Auto,

    /// <summary>The usual layout, trusted whatever the shape and read exactly as written (no time column dropped): one column
    /// per trace in a CSV, cells × frames in a <c>.npy</c>. What <see cref="TraceCsv.Write(string, TraceSet)"/> writes reads back identically this way.</summary>
    Usual,

    /// <summary>The transpose of the usual layout: one row per trace in a CSV (names, if any, in the first field), frames × cells in a <c>.npy</c>.</summary>
    Transposed,
}

/// <summary>How a trace table is laid out, where the file cannot say so itself.</summary>
public sealed record TableLayout
{
    /// <summary>The usual layout: a header row of trace names, traces in columns (or rows of a <c>.npy</c>), the shape checked.</summary>
    public static TableLayout Default { get; } = new();

    /// <summary>Whether a CSV's first row names the traces (default true). A first row of numbers that are not
    /// ROI numbers (0, 1, 2, … or 1, 2, 3, …) is refused as a header, with <see cref="FormatRemedy.ReadWithoutHeader"/>.
    /// Without a header, traces are named <c>column1</c>, <c>column2</c>, … (<c>row1</c>, … when transposed).</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>Which axis holds the traces (default <see cref="TraceOrientation.Auto"/>).</summary>
    public TraceOrientation Orientation { get; init; } = TraceOrientation.Auto;
}
