namespace DeepSpike.Data;

/// <summary>Traces read from a table, with what the reader decided on the user's behalf.</summary>
/// <param name="Traces">The traces, one per column (or per row when transposed).</param>
/// <param name="Notes">One line each, for the user: the dialect when not plain comma-separated, a dropped time or
/// index column, and the like. Empty when the file was read exactly as written.</param>
public sealed record TraceTable(TraceSet Traces, IReadOnlyList<string> Notes);
