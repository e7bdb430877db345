namespace DeepSpike.Data;

/// <summary>Normalises the names of a trace CSV (split by <see cref="CsvDialect.Split"/>).</summary>
internal static class CsvHeader
{
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
