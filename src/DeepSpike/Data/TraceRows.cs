namespace DeepSpike.Data;

/// <summary>
/// Reads a table with one trace per row (the transpose of the Spikefinder layout, as <c>df.T.to_csv()</c> or a MATLAB
/// <c>writematrix</c> of a cells × frames matrix writes it). A row's first field is its name when it is not a number.
/// A first row that is not a trace — text (frame labels) or an increasing frame index or time axis — is a header and
/// skipped; so is a first field that counts rows (0, 1, 2, …: an index column).
/// </summary>
internal static class TraceRows
{
    public static (List<string> Names, List<float[]> Values) Read(LineSource source, CsvDialect dialect, bool mayHaveHeader,
        string sourceName, MissingValuePolicy missingValues, List<string> notes)
    {
        var fields = new List<string>();
        var quoted = new List<bool>();
        var rawNames = new List<string>();
        var traces = new List<float[]>();
        var firstValues = new List<float>();
        bool? namedRows = null;
        bool firstLine = true;
        while (source.Next() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            dialect.Split(line, fields, quoted, sourceName, source.Row);
            if (firstLine && mayHaveHeader && IsHeader(fields, quoted, dialect))
            {
                firstLine = false;
                notes.Add($"skipped row {source.Row}: frame labels, not a trace");
                continue;
            }
            firstLine = false;
            namedRows ??= fields[0].Length > 0 && !dialect.TryParse(fields[0], quoted[0], out _);
            int start = namedRows.Value ? 1 : 0;
            string name = namedRows.Value ? fields[0] : "";
            var values = new ColumnBuilder();
            for (int k = start; k < fields.Count; k++)
            {
                int frame = k - start;
                if (fields[k].Length == 0) continue; // missing: no value at this frame
                if (!dialect.TryParse(fields[k], quoted[k], out float value))
                    throw new DataFormatException(sourceName, $"row {source.Row} has non-numeric text '{TraceCsv.Truncate(fields[k])}' at frame {frame} (field {k + 1})");
                if (float.IsInfinity(value))
                    throw new DataFormatException(sourceName, $"row {source.Row} has an infinite value '{TraceCsv.Truncate(fields[k])}' at frame {frame}; values must be finite 32-bit floats");
                if (float.IsNaN(value)) continue;
                int gap = values.Add(frame, value);
                if (gap >= 0 && missingValues == MissingValuePolicy.Error)
                    throw new DataFormatException(sourceName, $"row {source.Row} has a missing value at frame {gap}; only the end of a row may be empty or NaN (padding)");
            }
            float[] trace = values.ToArray();
            if (trace.Length == 0)
                throw new DataFormatException(sourceName, $"row {source.Row}{(name.Length > 0 ? $" ('{name}')" : "")} has no values");
            rawNames.Add(name);
            traces.Add(trace);
            firstValues.Add(trace[0]);
        }
        if (traces.Count == 0)
            throw new DataFormatException(sourceName, "has no rows with values");

        if (namedRows == false && traces.Count > 1 && traces.All(t => t.Length > 1) && ClockColumn.Step("index", firstValues.ToArray()) is double step && step == 1)
        {
            notes.Add("dropped the first field of every row: it counts the rows (an index), it is not a frame");
            for (int i = 0; i < traces.Count; i++) traces[i] = traces[i][1..];
        }
        List<string> names = namedRows == true
            ? [.. CsvHeader.MakeUnique(rawNames)]
            : Enumerable.Range(1, traces.Count).Select(i => $"row{i}").ToList();
        return (names, traces);
    }

    /// <summary>A first row is a header when, past an optional name field, it holds text or an increasing clock.</summary>
    private static bool IsHeader(List<string> fields, List<bool> quoted, CsvDialect dialect)
    {
        var numbers = new List<float>(fields.Count);
        for (int k = 1; k < fields.Count; k++)
        {
            if (fields[k].Length == 0) continue;
            if (!dialect.TryParse(fields[k], quoted[k], out float value)) return true;
            numbers.Add(value);
        }
        if (fields[0].Length > 0 && dialect.TryParse(fields[0], quoted[0], out float first))
            numbers.Insert(0, first);
        return numbers.Count >= 2 && ClockColumn.Step("frame", numbers.ToArray()) is not null;
    }
}
