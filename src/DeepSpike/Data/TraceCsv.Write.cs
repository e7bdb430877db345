using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace DeepSpike.Data;

public static partial class TraceCsv
{
    // "-3.4028235E+38" is the longest shortest-round-trip float (14 chars); leave headroom.
    private const int MaxCharsPerFloat = 32;

    /// <summary>Writes <paramref name="traces"/> to <paramref name="path"/>; see <see cref="Write(string, IReadOnlyList{string}, IReadOnlyList{float[]})"/>.</summary>
    public static void Write(string path, TraceSet traces)
    {
        ArgumentNullException.ThrowIfNull(traces);
        Write(path, traces.Names, traces.Traces);
    }

    /// <summary>
    /// Atomically writes traces as a Spikefinder-style CSV (gzip-compressed if the path ends in
    /// <c>.gz</c>): header of names, one row per frame up to the longest trace, shorter columns
    /// padded with empty fields, lines ending in <c>\n</c>.
    /// </summary>
    /// <remarks>
    /// Each value is written in the shortest invariant-culture form that parses back to the same
    /// float, so <see cref="Read(string, double, MissingValuePolicy)"/> returns identical bits.
    /// A <see cref="float.NaN"/> is written as an empty field (a missing value), so NaNs at the
    /// end of a trace read back as padding. Names containing a comma, quote or surrounding white
    /// space are double-quoted, and so are names that read as numbers (<c>"7"</c>), which the reader
    /// would otherwise take for a first frame. The output appears only once complete (<see cref="AtomicFile"/>):
    /// if writing fails, no partial file is left.
    /// </remarks>
    /// <exception cref="ArgumentException">No traces, counts differ, a name is empty or repeated,
    /// contains a line break or another control character (tab excepted) or an unpaired surrogate, a trace is empty, or a value is infinite (the message names trace and frame).</exception>
    public static void Write(string path, IReadOnlyList<string> names, IReadOnlyList<float[]> traces)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // TraceSet checks counts, nulls and uniqueness, so a written file always reads back.
        var set = new TraceSet(names, traces);
        if (set.Count == 0)
            throw new ArgumentException("at least one trace is needed to write a CSV", nameof(traces));
        for (int j = 0; j < set.Count; j++)
        {
            if (set.Names[j].Length == 0)
                throw new ArgumentException($"trace name {j} is empty", nameof(names));
            // The reader is line based, so a name must fit on the header line.
            if (set.Names[j].AsSpan().IndexOfAny('\r', '\n') >= 0)
                throw new ArgumentException($"trace name {j} ('{set.Names[j]}') contains a line break", nameof(names));
            // The reader refuses a header with control characters (binary data), and UTF-8 cannot carry a lone surrogate.
            int control = IndexOfControl(set.Names[j]);
            if (control >= 0)
                throw new ArgumentException($"trace name {j} has control character U+{(int)set.Names[j][control]:X4} at position {control + 1}", nameof(names));
            if (!IsValidUtf16(set.Names[j]))
                throw new ArgumentException($"trace name {j} has an unpaired UTF-16 surrogate, which UTF-8 cannot encode", nameof(names));
            float[] trace = set.Traces[j];
            if (trace.Length == 0)
                throw new ArgumentException($"trace '{set.Names[j]}' is empty; a CSV column cannot hold an empty trace", nameof(traces));
            int bad = trace.AsSpan().IndexOfAny(float.PositiveInfinity, float.NegativeInfinity);
            if (bad >= 0)
                throw new ArgumentException($"trace '{set.Names[j]}' has an infinite value at frame {bad}", nameof(traces));
        }

        AtomicFile.Write(path, stream =>
        {
            // AtomicFile owns the file stream; only the gzip layer (if any) is ours to close.
            using GZipStream? gzip = IsGzipPath(path) ? new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true) : null;
            using var writer = new StreamWriter(gzip ?? stream, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
            WriteCsv(writer, set);
        });
    }

    private static void WriteCsv(TextWriter writer, TraceSet set)
    {
        for (int j = 0; j < set.Count; j++)
        {
            if (j > 0)
                writer.Write(',');
            writer.Write(QuoteIfNeeded(set.Names[j]));
        }
        writer.Write('\n');

        // One reusable row buffer: formatting straight into it avoids a string per value.
        var rowBuffer = new char[set.Count * (MaxCharsPerFloat + 1) + 1];
        int frames = set.MaxLength;
        for (int t = 0; t < frames; t++)
        {
            int used = 0;
            for (int j = 0; j < set.Count; j++)
            {
                if (j > 0)
                    rowBuffer[used++] = ',';
                float[] trace = set.Traces[j];
                if (t < trace.Length && !float.IsNaN(trace[t]))
                {
                    bool ok = trace[t].TryFormat(rowBuffer.AsSpan(used), out int written, default, CultureInfo.InvariantCulture);
                    System.Diagnostics.Debug.Assert(ok);
                    used += written;
                }
            }
            rowBuffer[used++] = '\n';
            writer.Write(rowBuffer, 0, used);
        }
    }

    private static bool IsValidUtf16(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
                continue;
            if (!char.IsSurrogatePair(text, i))
                return false;
            i++;
        }
        return true;
    }

    // A leading U+FEFF at the start of the file would be read as a byte order mark and dropped, so it is quoted.
    // A name that reads as a number is quoted too: the reader takes a header of bare numbers for a first frame.
    private static string QuoteIfNeeded(string name)
    {
        bool needsQuotes = name.AsSpan().IndexOfAny(',', '"') >= 0 || name.Trim().Length != name.Length || name.StartsWith('\uFEFF')
                           || CsvDialect.Standard.TryParse(name.Trim(), wasQuoted: false, out _);
        return needsQuotes ? $"\"{name.Replace("\"", "\"\"")}\"" : name;
    }
}
