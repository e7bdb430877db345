namespace DeepSpike.Data;

/// <summary>
/// Input data (a trace CSV, a <c>meta.json</c>, a dataset folder) is missing, malformed or
/// inconsistent. The message always starts with the offending file and says what is wrong and
/// where (trace, frame, row), so a command-line tool can print it as a one-line error.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="filePath"/>; the message is prefixed with the path.</summary>
    /// <param name="filePath">The file (or folder) the problem is in, as the user named it.</param>
    /// <param name="problem">What is wrong, e.g. <c>trace 'cell3' is empty</c>.</param>
    /// <param name="inner">The underlying error, if any (I/O, JSON, gzip).</param>
    /// <param name="remedy">What the user can do when the file is probably fine but was read with the wrong assumption.</param>
    public DataFormatException(string filePath, string problem, Exception? inner = null, FormatRemedy remedy = FormatRemedy.None)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
        Remedy = remedy;
    }

    /// <summary>The file (or folder) the problem is in, as the user named it.</summary>
    public string FilePath { get; }

    /// <summary>The problem without the file prefix.</summary>
    public string Problem { get; }

    /// <summary>What the user can do about it when the file was probably read with the wrong assumption
    /// (no header, transposed, frame rate not stored); <see cref="FormatRemedy.None"/> otherwise.</summary>
    public FormatRemedy Remedy { get; }
}
