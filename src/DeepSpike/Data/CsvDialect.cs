namespace DeepSpike.Data;

/// <summary>
/// The field delimiter and decimal separator of a trace table, told apart from its first two lines: comma-separated
/// with decimal points (the default and what every pipeline here writes), tab-separated (TSV), or <c>;</c>-separated
/// (what spreadsheets write where the decimal separator is a comma), each with decimal points or decimal commas.
/// </summary>
/// <param name="Delimiter">The field delimiter: <c>,</c>, tab or <c>;</c>.</param>
/// <param name="DecimalComma">Whether numbers use <c>,</c> as the decimal separator (only with a tab or <c>;</c> delimiter).</param>
internal readonly record struct CsvDialect(char Delimiter, bool DecimalComma)
{
    /// <summary>Comma-separated, decimal points.</summary>
    public static CsvDialect Standard => new(',', false);

    private static readonly char[] Candidates = [',', '\t', ';'];

    /// <summary>True for the standard dialect, which needs no note to the user.</summary>
    public bool IsStandard => Delimiter == ',' && !DecimalComma;

    /// <summary>
    /// The first delimiter (in the order comma, tab, semicolon) that splits both lines into the same number of
    /// fields, more than one; else the comma (a single column, or ragged rows, which are legal). Decimal commas are
    /// assumed when the delimiter is not the comma and the second line holds a comma outside quotes.
    /// </summary>
    public static CsvDialect Detect(string first, string? second)
    {
        if (second is null) return Standard;
        foreach (char delimiter in Candidates)
        {
            int fields = CountFields(first, delimiter);
            if (fields > 1 && fields == CountFields(second, delimiter))
                return new CsvDialect(delimiter, delimiter != ',' && CountFields(second, ',') > 1);
        }
        return Standard;
    }

    /// <summary>How the dialect reads, for a note, e.g. <c>';'-separated values with decimal commas</c>.</summary>
    public string Describe() => (Delimiter == '\t' ? "tab-separated values" : $"'{Delimiter}'-separated values") +
                                (DecimalComma ? " with decimal commas" : "");

    /// <summary>
    /// Splits a line into fields at the delimiter, honouring RFC 4180 double quotes (<c>"a,b"</c>, <c>""</c> for a
    /// literal quote); fields are trimmed and unquoted. <paramref name="quoted"/>[k] says whether field k was quoted.
    /// </summary>
    /// <exception cref="DataFormatException">A quoted field is not closed on this line.</exception>
    public void Split(string line, List<string> fields, List<bool>? quoted, string source, int row)
    {
        fields.Clear();
        quoted?.Clear();
        var field = new System.Text.StringBuilder();
        int i = 0;
        while (true)
        {
            while (i < line.Length && (line[i] == ' ' || (line[i] == '\t' && Delimiter != '\t')))
                i++;
            if (i < line.Length && line[i] == '"')
            {
                field.Clear();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw new DataFormatException(source, $"row {row} has an unclosed double quote");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.Append(line[i++]);
                }
                while (i < line.Length && line[i] != Delimiter)
                    i++;
                fields.Add(field.ToString());
                quoted?.Add(true);
            }
            else
            {
                int end = line.IndexOf(Delimiter, i);
                if (end < 0) end = line.Length;
                fields.Add(line.AsSpan(i, end - i).Trim().ToString());
                quoted?.Add(false);
                i = end;
            }
            if (i >= line.Length)
                return;
            i++; // the delimiter; a trailing one yields a final empty field
        }
    }

    /// <summary>
    /// Parses one trimmed, unquoted number: invariant culture, with a decimal comma when the dialect has them or the
    /// field was quoted (a quoted <c>"0,5"</c> in a comma-separated file can only be a decimal comma). NaN for
    /// <c>NaN</c>/<c>nan</c>; ±∞ for <c>inf</c>, <c>Infinity</c> and their signed forms.
    /// </summary>
    public bool TryParse(ReadOnlySpan<char> field, bool wasQuoted, out float value)
    {
        if (FastFloatParser.TryParse(field, out value))
            return true;
        if (IsInfinityText(field, out bool negative))
        {
            value = negative ? float.NegativeInfinity : float.PositiveInfinity;
            return true;
        }
        if ((DecimalComma || wasQuoted) && field.Count(',') == 1 && !field.Contains('.') && field.Length <= 64)
        {
            Span<char> copy = stackalloc char[field.Length];
            field.CopyTo(copy);
            copy[copy.IndexOf(',')] = '.';
            return FastFloatParser.TryParse(copy, out value);
        }
        return false;
    }

    // float.TryParse accepts "Infinity" but not the "inf" that NumPy and R write.
    private static bool IsInfinityText(ReadOnlySpan<char> field, out bool negative)
    {
        negative = field.Length > 0 && field[0] == '-';
        if (field.Length > 0 && field[0] is '+' or '-')
            field = field[1..];
        return field.Equals("inf", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Fields of <paramref name="line"/> split at <paramref name="delimiter"/> outside double quotes.</summary>
    private static int CountFields(string line, char delimiter)
    {
        int fields = 1;
        bool inQuotes = false;
        foreach (char c in line)
        {
            if (c == '"') inQuotes = !inQuotes;
            else if (c == delimiter && !inQuotes) fields++;
        }
        return fields;
    }
}
