using System.Text;

namespace DeepSpike.Data;

/// <summary>
/// Writes files so that an interrupted run never leaves a truncated output behind: the content
/// goes to a temporary file in the same directory, is flushed to disk, and is then renamed over
/// the destination. Readers see either the old file or the complete new one.
/// </summary>
/// <remarks>
/// The temporary file lives beside the destination because a rename is only atomic within one
/// file system. If writing throws, the temporary file is deleted and the destination is left
/// untouched; the exception propagates.
/// </remarks>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Atomically writes <paramref name="contents"/> as UTF-8 (no byte-order mark).</summary>
    public static void WriteAllText(string path, string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, Utf8NoBom, bufferSize: 1 << 16, leaveOpen: true);
            writer.Write(contents);
        });
    }

    /// <summary>Atomically writes <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Atomically writes whatever <paramref name="write"/> puts into the stream it is given.
    /// The callback must not close the stream before returning. Inside an <see cref="AtomicFileGroup"/>
    /// (<see cref="BeginGroup"/>) the rename waits for the group's <see cref="AtomicFileGroup.Commit"/>.
    /// </summary>
    /// <param name="path">Destination; its directory must exist. An existing file is replaced.</param>
    /// <param name="write">Writes the full content; if it throws, nothing is written.</param>
    /// <exception cref="DirectoryNotFoundException">The destination directory does not exist.</exception>
    /// <exception cref="IOException">Writing failed (e.g. the disk is full); the message names <paramref name="path"/>, not the temporary file.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);

        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"{path}: is a root directory, not a file path", nameof(path));
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{path}: directory '{directory}' does not exist");

        // Hidden, unique and recognisable, so a crash leftover is obviously ours and never collides.
        string tempPath = TempPathFor(fullPath);
        bool done = false;
        try
        {
            try
            {
                using var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
                write(stream);
                // Without flushing to disk, a power loss after the rename can leave an empty file.
                stream.Flush(flushToDisk: true);
            }
            catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException))
            {
                // "No space left on device : '/out/.probabilities.csv.4f…tmp'" would name a file the user never asked for.
                throw new IOException($"{path}: could not write the file ({WithoutPath(e.Message)}); nothing was written", e);
            }
            if (AtomicFileGroup.Current is { } group) group.Stage(tempPath, fullPath);
            else File.Move(tempPath, fullPath, overwrite: true);
            done = true;
        }
        finally
        {
            if (!done)
                File.Delete(tempPath);
        }
    }

    /// <summary>
    /// Starts a group of files that appear together: until <see cref="AtomicFileGroup.Commit"/>, every <see cref="Write"/> on
    /// this thread (and tasks it starts) only writes its temporary file; disposing the group without committing deletes them.
    /// </summary>
    /// <exception cref="InvalidOperationException">A group is already open here.</exception>
    public static AtomicFileGroup BeginGroup() => AtomicFileGroup.Begin();

    internal static string TempPathFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}{TempSuffix}");

    /// <summary>The ending of every temporary file name.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>An IO message without the " : '/path'" that .NET appends.</summary>
    private static string WithoutPath(string message)
    {
        int at = message.IndexOf(" : '", StringComparison.Ordinal);
        return (at >= 0 ? message[..at] : message).ReplaceLineEndings(" ").Trim();
    }
}

/// <summary>
/// Files written by <see cref="AtomicFile"/> that become visible together: each is complete in its temporary file before any is
/// renamed, so a full disk or a crash while writing the second leaves the first's old content (or no file) rather than a new first
/// file beside an old second one. The renames themselves follow one another in microseconds; a kill between two of them is the
/// only way to see a mixture.
/// </summary>
public sealed class AtomicFileGroup : IDisposable
{
    private static readonly AsyncLocal<AtomicFileGroup?> Ambient = new();
    private readonly List<(string Temp, string Destination)> staged = [];
    private bool closed;

    private AtomicFileGroup() { }

    internal static AtomicFileGroup? Current => Ambient.Value is { closed: false } group ? group : null;

    internal static AtomicFileGroup Begin()
    {
        if (Current is not null) throw new InvalidOperationException("an atomic file group is already open; commit or dispose it first");
        var group = new AtomicFileGroup();
        Ambient.Value = group;
        return group;
    }

    internal void Stage(string tempPath, string destination)
    {
        lock (staged)
        {
            if (closed) throw new InvalidOperationException($"{destination}: the atomic file group was already committed or disposed");
            staged.Add((tempPath, destination));
        }
    }

    /// <summary>Renames every staged file onto its destination, in the order they were written.</summary>
    public void Commit()
    {
        lock (staged)
        {
            if (closed) throw new InvalidOperationException("the atomic file group was already committed or disposed");
            closed = true;
            int moved = 0;
            try
            {
                for (; moved < staged.Count; moved++) File.Move(staged[moved].Temp, staged[moved].Destination, overwrite: true);
            }
            finally
            {
                // A failed rename leaves its file and the later ones unwritten, not as temporary files.
                for (int j = moved; j < staged.Count; j++) File.Delete(staged[j].Temp);
                staged.Clear();
            }
        }
    }

    /// <summary>Deletes the temporary files of a group that was not committed.</summary>
    public void Dispose()
    {
        lock (staged)
        {
            closed = true;
            foreach (var (temp, _) in staged) File.Delete(temp);
            staged.Clear();
        }
        if (ReferenceEquals(Ambient.Value, this)) Ambient.Value = null;
    }
}
