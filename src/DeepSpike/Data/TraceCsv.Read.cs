using System.IO.Compression;
using System.Text;

namespace DeepSpike.Data;

/// <summary>
/// Reads and writes Spikefinder-style trace CSV files: a header row of trace names, then one row
/// per frame and one comma-separated column per trace. Shorter traces are padded at the end of
/// their column with empty fields or <c>NaN</c>. Numbers use the invariant culture (<c>.</c> as
/// decimal separator). Paths ending in <c>.gz</c> are gzip-compressed.
/// </summary>
public static partial class TraceCsv
{
    private const int ReadBufferSize = 1 << 16;

    /// <summary>
    /// Reads a trace CSV (gunzipping it if the path ends in <c>.gz</c>).
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="frameRateHz">Frame rate to attach to the result (the CSV does not carry one); NaN if unknown.</param>
    /// <param name="missingValues">What to do with a gap inside a trace; see <see cref="MissingValuePolicy"/>.</param>
    /// <returns>One trace per column. A trace ends at its last non-missing value: the trailing
    /// empty/<c>NaN</c> fields are padding.</returns>
    /// <remarks>
    /// Header names are trimmed and may be double-quoted; an empty name becomes <c>column{k}</c>
    /// (k = 1-based column number) and a repeated name gets <c>_2</c>, <c>_3</c>, … appended.
    /// An unnamed column with no values at all (a trailing comma on every line) is dropped.
    /// A row with fewer fields than the header is padded with missing values; extra fields are an
    /// error unless they are empty (trailing commas).
    /// </remarks>
    /// <exception cref="DataFormatException">The file is missing, empty, not valid gzip, has a
    /// non-numeric or infinite value, a row longer than the header, an empty trace, or a gap
    /// inside a trace (with <see cref="MissingValuePolicy.Error"/>). The message names the file,
    /// the trace, the frame (0-based) and the row (1-based line number; the header is row 1).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frameRateHz"/> is neither NaN nor finite and &gt; 0.</exception>
    public static TraceSet Read(string path, double frameRateHz = double.NaN, MissingValuePolicy missingValues = MissingValuePolicy.Error)
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
            return Read(reader, path, frameRateHz, missingValues);
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
    /// Reads trace CSV text from <paramref name="reader"/>; <paramref name="sourceName"/> is used
    /// in error messages. Same format and errors as <see cref="Read(string, double, MissingValuePolicy)"/>.
    /// </summary>
    public static TraceSet Read(TextReader reader, string sourceName, double frameRateHz = double.NaN, MissingValuePolicy missingValues = MissingValuePolicy.Error)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        CheckFrameRate(frameRateHz);

        string? headerLine = reader.ReadLine();
        if (headerLine is null)
            throw new DataFormatException(sourceName, "file is empty; expected a header row of trace names");
        if (string.IsNullOrWhiteSpace(headerLine))
            throw new DataFormatException(sourceName, "first row is blank; expected a header row of trace names");

        // A binary file (zip, .npy, HDF5) read as text would otherwise yield trace "names" full of control characters.
        int control = IndexOfControl(headerLine);
        if (control >= 0)
            throw new DataFormatException(sourceName, $"is not a text CSV file: the header row has control character U+{(int)headerLine[control]:X4} at position {control + 1} (binary data?)");

        List<string> rawNames = CsvHeader.Split(headerLine, sourceName);
        string[] names = CsvHeader.MakeUnique(rawNames);
        var columns = new ColumnBuilder[names.Length];
        for (int j = 0; j < columns.Length; j++)
            columns[j] = new ColumnBuilder();

        int row = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            row++;
            ParseRow(line, row, columns, names, sourceName, missingValues);
        }
        if (row == 1)
            throw new DataFormatException(sourceName, "has a header row but no data rows");

        var keptNames = new List<string>(names.Length);
        var traces = new List<float[]>(names.Length);
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
            traces.Add(column.ToArray());
        }
        if (traces.Count == 0)
            throw new DataFormatException(sourceName, "has no named columns with values");

        return new TraceSet(keptNames, traces, frameRateHz);
    }

    private static void ParseRow(string line, int row, ColumnBuilder[] columns, string[] names, string source, MissingValuePolicy missingValues)
    {
        int frame = row - 2;
        ReadOnlySpan<char> rest = line;
        int j = 0;
        while (true)
        {
            int comma = rest.IndexOf(',');
            ReadOnlySpan<char> field = (comma < 0 ? rest : rest[..comma]).Trim();
            if (j < columns.Length)
            {
                AddField(field, columns[j], names[j], frame, row, source, missingValues);
            }
            else if (!field.IsEmpty)
            {
                int fieldCount = line.AsSpan().Count(',') + 1;
                throw new DataFormatException(source, $"row {row} has {fieldCount} fields but the header has {columns.Length} names");
            }
            j++;
            if (comma < 0)
                break;
            rest = rest[(comma + 1)..];
        }
        // Short rows are legal in the wild (writers that stop at the last non-empty column); the columns
        // they lack have no value at this frame, which ColumnBuilder treats as missing.
    }

    private static void AddField(ReadOnlySpan<char> field, ColumnBuilder column, string name, int frame, int row, string source, MissingValuePolicy missingValues)
    {
        if (field.IsEmpty)
            return; // missing: the column gets no value at this frame
        if (!FastFloatParser.TryParse(field, out float value))
        {
            if (IsInfinityText(field))
                value = float.PositiveInfinity;
            else
                throw new DataFormatException(source, $"trace '{name}' has non-numeric text '{Truncate(field)}' at frame {frame} (row {row})");
        }
        if (float.IsNaN(value))
            return;
        if (float.IsInfinity(value))
            throw new DataFormatException(source, $"trace '{name}' has an infinite value '{Truncate(field)}' at frame {frame} (row {row}); values must be finite 32-bit floats");

        int gap = column.Add(frame, value);
        if (gap >= 0 && missingValues == MissingValuePolicy.Error)
        {
            throw new DataFormatException(source,
                $"trace '{name}' has a missing value at frame {gap} (row {gap + 2}); only the end of a column may be empty or NaN (padding). " +
                "Fill or cut the gap, or read with MissingValuePolicy.KeepNaN");
        }
    }

    // float.TryParse accepts "Infinity" but not the "inf" that NumPy and R write.
    private static bool IsInfinityText(ReadOnlySpan<char> field)
    {
        if (field[0] is '+' or '-')
            field = field[1..];
        return field.Equals("inf", StringComparison.OrdinalIgnoreCase);
    }

    // Shown inside a one-line error message, so control characters (binary data) become '?'.
    private static string Truncate(ReadOnlySpan<char> text)
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
