namespace DeepSpike.Data;

/// <summary>
/// The lines of a table after its first two were read ahead (to tell the dialect), handed out in order with their
/// 1-based line number, so that the readers need not care what was peeked.
/// </summary>
internal sealed class LineSource(string first, string? second, TextReader rest)
{
    private int _next = 1;

    /// <summary>The first line of the file.</summary>
    public string First { get; } = first;

    /// <summary>The second line of the file, or null.</summary>
    public string? Second { get; } = second;

    /// <summary>The 1-based line number of the line last returned by <see cref="Next"/>.</summary>
    public int Row { get; private set; }

    /// <summary>Skips the first line (a header) if <see cref="Next"/> has not returned it yet.</summary>
    public void SkipFirst()
    {
        if (_next == 1) _next = 2;
        Row = Math.Max(Row, 1);
    }

    /// <summary>The next line, or null at the end.</summary>
    public string? Next()
    {
        string? line = _next switch
        {
            1 => First,
            2 => Second,
            _ => rest.ReadLine(),
        };
        if (line is null) return null;
        _next++;
        Row++;
        return line;
    }
}
