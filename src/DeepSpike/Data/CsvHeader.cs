using System.Text;

namespace DeepSpike.Data;

/// <summary>Splits and normalises the name row of a trace CSV.</summary>
internal static class CsvHeader
{
    /// <summary>
    /// Splits one CSV line into fields, honouring RFC 4180 double quotes (<c>"a,b"</c>, <c>""</c>
    /// for a literal quote) because trace names, unlike numbers, may contain commas.
    /// Unquoted fields are trimmed of surrounding white space.
    /// </summary>
    /// <exception cref="DataFormatException">A quoted field is not closed on this line.</exception>
    public static List<string> Split(string line, string source)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int i = 0;
        while (true)
        {
            field.Clear();
            while (i < line.Length && line[i] is ' ' or '\t')
                i++;
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw new DataFormatException(source, "header row (row 1) has an unclosed double quote");
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
                while (i < line.Length && line[i] != ',')
                    i++;
                fields.Add(field.ToString());
            }
            else
            {
                int comma = line.IndexOf(',', i);
                int end = comma < 0 ? line.Length : comma;
                fields.Add(line.AsSpan(i, end - i).Trim().ToString());
                i = end;
            }

            if (i >= line.Length)
                return fields;
            i++; // skip the comma; a trailing comma yields a final empty field, as in CSV
        }
    }

    /// <summary>
    /// Makes names usable as keys: an empty name becomes <c>column{k}</c> (k = 1-based column
    /// number) and a repeated name gets <c>_2</c>, <c>_3</c>, … appended, so every trace can be
    /// addressed by name and the same file always yields the same names.
    /// </summary>
    public static string[] MakeUnique(IReadOnlyList<string> rawNames)
    {
        var names = new string[rawNames.Count];
        var used = new HashSet<string>(rawNames.Where(n => n.Length > 0), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Where each name's suffix search resumes: the suffixes below are taken for good, and restarting at _2 makes n copies of a name quadratic.
        var nextSuffix = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < rawNames.Count; j++)
        {
            string raw = rawNames[j];
            string name = raw.Length == 0 ? $"column{j + 1}" : raw;
            if (raw.Length > 0 && seen.Add(raw))
            {
                names[j] = raw;
                continue;
            }
            // Empty or duplicate: find a suffix no other column uses, now or later in the row.
            string candidate = name;
            int k = nextSuffix.GetValueOrDefault(name, 2);
            for (; used.Contains(candidate) || seen.Contains(candidate); k++)
                candidate = $"{name}_{k}";
            nextSuffix[name] = k;
            seen.Add(candidate);
            used.Add(candidate);
            names[j] = candidate;
        }
        return names;
    }
}
