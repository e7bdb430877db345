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
    /// The callback must not close the stream before returning.
    /// </summary>
    /// <param name="path">Destination; its directory must exist. An existing file is replaced.</param>
    /// <param name="write">Writes the full content; if it throws, nothing is written.</param>
    /// <exception cref="DirectoryNotFoundException">The destination directory does not exist.</exception>
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
        string tempPath = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        bool moved = false;
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                // Without flushing to disk, a power loss after the rename can leave an empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved)
                File.Delete(tempPath);
        }
    }
}
