using System.IO.Compression;
using System.Text;

namespace DeepSpike.Data;

/// <summary>
/// Reads and writes Spikefinder-style trace CSV files: a header row of trace names, then one row
/// per frame and one comma-separated column per trace. Shorter traces are padded at the end of
/// their column with empty fields or <c>NaN</c>. Numbers use the invariant culture (<c>.</c> as
/// decimal separator). Paths ending in <c>.gz</c> are gzip-compressed.
/// </summary>
/// <remarks>
/// The reader also takes what spreadsheets and other tools write, telling it apart rather than guessing:
/// tab- or <c>;</c>-separated files, decimal commas (with those delimiters, or in quoted fields), quoted numbers,
/// a leading time or index column (dropped, with a note), and, through <see cref="TableLayout"/>, files without a
/// header row or with one trace per row. What cannot be told apart is refused with a message that says why: a first
/// row of numbers taken for a header, or a table with far more columns than rows.
/// </remarks>
public static partial class TraceCsv
{
    private const int ReadBufferSize = 1 << 16;

    /// <summary>A table with more than this many times as many columns as rows is taken for a transposed one.</summary>
    private const int TransposedShapeRatio = 4;

    /// <summary>Fewest columns for the shape check: a handful of short traces is a plausible test file.</summary>
    private const int TransposedShapeMinColumns = 20;

    /// <summary>How many header numbers an error message quotes.</summary>
    private const int NumbersQuoted = 3;

    /// <summary>
    /// Reads a trace CSV (gunzipping it if the path ends in <c>.gz</c>) in the usual layout; see
    /// <see cref="ReadTable(string, double, MissingValuePolicy, TableLayout?)"/>, which also returns the reader's notes.
    /// </summary>
    public static TraceSet Read(string path, double frameRateHz = double.NaN, MissingValuePolicy missingValues = MissingValuePolicy.Error) =>
        ReadTable(path, frameRateHz, missingValues).Traces;

    /// <summary>
    /// Reads trace CSV text from <paramref name="reader"/>; <paramref name="sourceName"/> is used in error messages.
    /// Same format and errors as <see cref="ReadTable(string, double, MissingValuePolicy, TableLayout?)"/>.
    /// </summary>
    public static TraceSet Read(TextReader reader, string sourceName, double frameRateHz = double.NaN, MissingValuePolicy missingValues = MissingValuePolicy.Error) =>
        ReadTable(reader, sourceName, frameRateHz, missingValues).Traces;

    /// <summary>
    /// Reads a trace CSV (gunzipping it if the path ends in <c>.gz</c>).
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="frameRateHz">Frame rate to attach to the result (the CSV does not carry one); NaN if unknown.</param>
    /// <param name="missingValues">What to do with a gap inside a trace; see <see cref="MissingValuePolicy"/>.</param>
    /// <param name="layout">Header and orientation; default <see cref="TableLayout.Default"/>.</param>
    /// <returns>One trace per column (per row when transposed), and notes on what the reader decided. A trace ends
    /// at its last non-missing value: the trailing empty/<c>NaN</c> fields are padding.</returns>
    /// <remarks>
    /// <para>Header names are trimmed and may be double-quoted; an empty name becomes <c>column{k}</c>
    /// (k = 1-based column number) and a repeated name gets <c>_2</c>, <c>_3</c>, … appended.
    /// An unnamed column with no values at all (a trailing comma on every line) is dropped.
    /// A row with fewer fields than the header is padded with missing values; extra fields are an
    /// error unless they are empty (trailing commas).</para>
    /// <para>The delimiter is the first of comma, tab and <c>;</c> that splits the first two lines into the same
    /// number of fields; with tab or <c>;</c>, a comma in the numbers is a decimal comma. Numbers may be quoted.
    /// With <see cref="TraceOrientation.Auto"/>, a first column that is a clock (see <c>ClockColumn</c>: named like
    /// time/index/<c>Unnamed: 0</c> or empty and increasing, or increasing in steady steps whatever its name) is dropped
    /// with a note; <see cref="TraceOrientation.Usual"/> reads every column as written.</para>
    /// </remarks>
    /// <exception cref="DataFormatException">The file is missing, empty, not valid gzip, has a
    /// non-numeric or infinite value, a row longer than the header, an empty trace, or a gap
    /// inside a trace (with <see cref="MissingValuePolicy.Error"/>); a header row of numbers (remedy
    /// <see cref="FormatRemedy.ReadWithoutHeader"/>); with <see cref="TraceOrientation.Auto"/>, far more columns than
    /// rows (remedy <see cref="FormatRemedy.Transpose"/>). The message names the file, the trace, the frame (0-based)
    /// and the row (1-based line number; the header is row 1).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frameRateHz"/> is neither NaN nor finite and &gt; 0.</exception>
    public static TraceTable ReadTable(string path, double frameRateHz = double.NaN, MissingValuePolicy missingValues = MissingValuePolicy.Error,
        TableLayout? layout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckFrameRate(frameRateHz);
        if (Directory.Exists(path))
            throw new DataFormatException(path, "is a folder, expected a CSV file");
        if (!File.Exists(path))
            throw new DataFormatException(path, "file not found");

        try
        {
            using Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ReadBufferSize);
            using Stream input = IsGzipPath(path) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, ReadBufferSize);
            return ReadTable(reader, path, frameRateHz, missingValues, layout);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"not a valid gzip file ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new DataFormatException(path, $"cannot read file ({e.Message})", e);
        }
    }

    /// <summary>
    /// Reads trace CSV text from <paramref name="reader"/>; <paramref name="sourceName"/> is used in error messages.
    /// Same format, result and errors as <see cref="ReadTable(string, double, MissingValuePolicy, TableLayout?)"/>.
    /// </summary>
    public static TraceTable ReadTable(TextReader reader, string sourceName, double frameRateHz = double.NaN,
        MissingValuePolicy missingValues = MissingValuePolicy.Error, TableLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        CheckFrameRate(frameRateHz);
        layout ??= TableLayout.Default;

        string? first = reader.ReadLine();
        if (first is null)
            throw new DataFormatException(sourceName, "file is empty; expected a header row of trace names");
        if (string.IsNullOrWhiteSpace(first))
            throw new DataFormatException(sourceName, "first row is blank; expected a header row of trace names");
        // A binary file (zip, .npy, HDF5) read as text would otherwise yield trace "names" full of control characters.
        int control = IndexOfControl(first);
        if (control >= 0)
            throw new DataFormatException(sourceName, $"is not a text CSV file: the first row has control character U+{(int)first[control]:X4} at position {control + 1} (binary data?)");

        string? second = reader.ReadLine();
        var dialect = CsvDialect.Detect(first, second);
        var notes = new List<string>();
        if (!dialect.IsStandard)
            notes.Add($"read as {dialect.Describe()}");

        var source = new LineSource(first, second, reader);
        var traces = layout.Orientation == TraceOrientation.Transposed
            ? TraceRows.Read(source, dialect, layout.HasHeader, sourceName, missingValues, notes)
            : ReadColumns(source, dialect, layout, sourceName, missingValues, notes);
        return new TraceTable(new TraceSet(traces.Names, traces.Values, frameRateHz), notes);
    }

    private static (List<string> Names, List<float[]> Values) ReadColumns(LineSource source, CsvDialect dialect, TableLayout layout,
        string sourceName, MissingValuePolicy missingValues, List<string> notes)
    {
        var fields = new List<string>();
        var quoted = new List<bool>();
        dialect.Split(source.First, fields, quoted, sourceName, row: 1);
        List<string> rawNames;
        DataFormatException? numericHeader = null;
        if (layout.HasHeader)
        {
            rawNames = [.. fields];
            numericHeader = NumericHeaderError(rawNames, quoted, source.Second?.Contains('"') == true, dialect, sourceName);
            source.SkipFirst();
        }
        else
        {
            rawNames = Enumerable.Repeat("", fields.Count).ToList();
        }
        string[] names = CsvHeader.MakeUnique(rawNames);
        var columns = new ColumnBuilder[names.Length];
        for (int j = 0; j < columns.Length; j++)
            columns[j] = new ColumnBuilder();

        int frame = 0;
        while (source.Next() is { } line)
        {
            ParseRow(line, source.Row, frame, columns, names, dialect, sourceName, missingValues, fields, quoted);
            frame++;
        }
        if (frame == 0)
            throw numericHeader ?? new DataFormatException(sourceName, "has a header row but no data rows");
        // A wide table of numbers is one trace per row without a header: transposing alone reads it.
        if (numericHeader is not null && !LooksTransposed(columns.Length, frame + 1, layout))
            throw numericHeader;

        var keptNames = new List<string>(names.Length);
        var traces = new List<float[]>(names.Length);
        var keptRawNames = new List<string>(names.Length);
        for (int j = 0; j < columns.Length; j++)
        {
            ColumnBuilder column = columns[j];
            if (column.Length == 0)
            {
                if (rawNames[j].Length == 0)
                    continue;
                throw new DataFormatException(sourceName, $"trace '{names[j]}' (column {j + 1}) is empty: it has no values");
            }
            keptNames.Add(names[j]);
            keptRawNames.Add(rawNames[j]);
            traces.Add(column.ToArray());
        }
        if (traces.Count == 0)
            throw new DataFormatException(sourceName, "has no named columns with values");

        if (numericHeader is null && layout.Orientation == TraceOrientation.Auto && ClockColumn.Step(layout.HasHeader ? keptRawNames[0] : "column", traces[0]) is double step)
        {
            string column = keptRawNames[0].Length > 0 && layout.HasHeader ? $"first column '{keptRawNames[0]}'" : "unnamed first column";
            if (traces.Count == 1)
                throw new DataFormatException(sourceName, $"holds only a time or index column (the {column}, increasing in steps of {step:G4}), no traces");
            notes.Add($"dropped the {column}: it increases in steps of {step:G4}, so it is a time or frame index, not a trace");
            keptNames.RemoveAt(0);
            traces.RemoveAt(0);
        }

        int frames = traces.Max(t => t.Length) + (numericHeader is null ? 0 : 1);
        if (LooksTransposed(traces.Count, frames, layout))
        {
            string rows = numericHeader is null ? $"only {frames} rows of values" : $"only {frames} rows, all of numbers";
            throw new DataFormatException(sourceName,
                $"has {traces.Count} columns but {rows}: the traces seem to lie in rows (one row per cell), not in columns; read it transposed",
                remedy: FormatRemedy.Transpose);
        }
        return (keptNames, traces);
    }

    private static bool LooksTransposed(int columns, int rows, TableLayout layout) =>
        layout.Orientation == TraceOrientation.Auto && columns >= TransposedShapeMinColumns && columns > TransposedShapeRatio * rows;

    /// <summary>
    /// The error for a header row of numbers, or null: such a file has no header, and its first frame would be lost
    /// as trace names. ROI numbers (0, 1, 2, … or 1, 2, 3, …, after an optional empty index name) are names, not a frame,
    /// and so is a quoted number when the data rows are not quoted (how <see cref="Write(string, IReadOnlyList{string}, IReadOnlyList{float[]})"/>
    /// writes a name like <c>7</c>).
    /// </summary>
    private static DataFormatException? NumericHeaderError(List<string> names, List<bool> quoted, bool dataQuoted, CsvDialect dialect, string source)
    {
        var numbers = new List<float>(names.Count);
        for (int j = 0; j < names.Count; j++)
        {
            if (names[j].Length == 0) continue;
            if ((quoted[j] && !dataQuoted) || !dialect.TryParse(names[j], quoted[j], out float value)) return null;
            numbers.Add(value);
        }
        if (numbers.Count == 0) return null;
        bool roiNumbers = (numbers[0] == 0 || numbers[0] == 1) && numbers.Select((v, k) => v == numbers[0] + k).All(b => b);
        if (roiNumbers) return null;
        string quotedNumbers = string.Join(", ", names.Where(n => n.Length > 0).Take(NumbersQuoted).Select(n => $"'{n}'"));
        return new DataFormatException(source,
            $"the header row holds numbers ({quotedNumbers}{(numbers.Count > NumbersQuoted ? ", …" : "")}), not trace names: " +
            "the file seems to have no header row, and its first frame would be lost; read it without a header",
            remedy: FormatRemedy.ReadWithoutHeader);
    }

    private static void ParseRow(string line, int row, int frame, ColumnBuilder[] columns, string[] names, CsvDialect dialect,
        string source, MissingValuePolicy missingValues, List<string> fields, List<bool> quoted)
    {
        if (line.Contains('"'))
        {
            dialect.Split(line, fields, quoted, source, row);
            for (int k = 0; k < fields.Count; k++)
                AddFieldAt(k, fields[k], quoted[k], line, row, frame, columns, names, dialect, source, missingValues);
            return;
        }
        // Fast path: no quotes, so the delimiter alone splits the fields.
        ReadOnlySpan<char> rest = line;
        int j = 0;
        while (true)
        {
            int end = rest.IndexOf(dialect.Delimiter);
            ReadOnlySpan<char> field = (end < 0 ? rest : rest[..end]).Trim();
            AddFieldAt(j, field, wasQuoted: false, line, row, frame, columns, names, dialect, source, missingValues);
            j++;
            if (end < 0)
                break;
            rest = rest[(end + 1)..];
        }
        // Short rows are legal in the wild (writers that stop at the last non-empty column); the columns
        // they lack have no value at this frame, which ColumnBuilder treats as missing.
    }

    private static void AddFieldAt(int j, ReadOnlySpan<char> field, bool wasQuoted, string line, int row, int frame, ColumnBuilder[] columns,
        string[] names, CsvDialect dialect, string source, MissingValuePolicy missingValues)
    {
        if (j < columns.Length)
        {
            AddField(field, wasQuoted, columns[j], names[j], frame, row, dialect, source, missingValues, rowNameLikely: j == 0 && columns.Length >= TransposedShapeMinColumns);
            return;
        }
        if (field.IsEmpty)
            return;
        var all = new List<string>();
        dialect.Split(line, all, null, source, row);
        string hint = dialect.Delimiter == ',' && columns.Length == 1
            ? "; if ',' is the decimal separator in this file, quote the numbers or separate the columns with ';' or tabs"
            : "";
        throw new DataFormatException(source, $"row {row} has {all.Count} fields but the header has {columns.Length} {(columns.Length == 1 ? "name" : "names")}{hint}");
    }

    // rowNameLikely: text here would be a name at the start of a row of a wide table, i.e. one named trace per row.
    private static void AddField(ReadOnlySpan<char> field, bool wasQuoted, ColumnBuilder column, string name, int frame, int row,
        CsvDialect dialect, string source, MissingValuePolicy missingValues, bool rowNameLikely = false)
    {
        if (field.IsEmpty)
            return; // missing: the column gets no value at this frame
        if (!dialect.TryParse(field, wasQuoted, out float value))
        {
            string problem = $"trace '{name}' has non-numeric text '{Truncate(field)}' at frame {frame} (row {row})";
            throw rowNameLikely
                ? new DataFormatException(source, $"{problem}; text at the start of a row of a wide table is a trace name when the traces lie in rows (one row per cell); read it transposed",
                    remedy: FormatRemedy.Transpose)
                : new DataFormatException(source, problem);
        }
        if (float.IsNaN(value))
            return;
        if (float.IsInfinity(value))
            throw new DataFormatException(source, $"trace '{name}' has an infinite value '{Truncate(field)}' at frame {frame} (row {row}); values must be finite 32-bit floats");

        int gap = column.Add(frame, value);
        if (gap >= 0 && missingValues == MissingValuePolicy.Error)
        {
            throw new DataFormatException(source,
                $"trace '{name}' has a missing value at frame {gap} (row {row - (frame - gap)}); only the end of a column may be empty or NaN (padding). " +
                "Fill or cut the gap, or read with MissingValuePolicy.KeepNaN");
        }
    }

    // Shown inside a one-line error message, so control characters (binary data) become '?'.
    internal static string Truncate(ReadOnlySpan<char> text)
    {
        const int MaxShown = 40;
        string shown = text.Length <= MaxShown ? text.ToString() : string.Concat(text[..MaxShown], "…");
        return IndexOfControl(shown) < 0 ? shown : string.Create(shown.Length, shown, static (span, source) =>
        {
            for (int i = 0; i < span.Length; i++)
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
    }

    /// <summary>Index of the first control character other than tab, or -1.</summary>
    private static int IndexOfControl(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]) && text[i] != '\t')
                return i;
        }
        return -1;
    }

    // Checked before reading so a bad argument does not cost a full parse of a large file.
    private static void CheckFrameRate(double frameRateHz)
    {
        if (!double.IsNaN(frameRateHz) && !(frameRateHz > 0 && double.IsFinite(frameRateHz)))
            throw new ArgumentOutOfRangeException(nameof(frameRateHz), frameRateHz, $"frame rate must be > 0 (or NaN if unknown), got {frameRateHz}");
    }

    private static bool IsGzipPath(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
}
