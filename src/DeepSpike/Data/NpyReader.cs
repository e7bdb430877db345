using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DeepSpike.Data;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0): 1-D and 2-D numeric arrays
/// in C or Fortran order, either byte order, as suite2p writes <c>F.npy</c>, <c>Fneu.npy</c> and
/// <c>iscell.npy</c>; and, without unpickling anything, a number stored under a key in a pickled
/// dict such as suite2p's <c>ops.npy</c>.
/// </summary>
/// <remarks>Format: <see href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html"/>.
/// Every error is a <see cref="DataFormatException"/> naming the file.</remarks>
public static class NpyReader
{
    /// <summary>The 6 bytes every <c>.npy</c> file starts with: <c>\x93NUMPY</c>.</summary>
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>NumPy itself refuses headers over 10 000 bytes by default; a bit of slack for hand-written files.</summary>
    private const int MaxHeaderBytes = 1 << 16;

    /// <summary>Prefix of the trace names <see cref="ReadTraces"/> gives, followed by the row index.</summary>
    public const string RoiNamePrefix = "roi";

    /// <summary>Reads and checks the header of <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">The file is missing, does not start with the <c>.npy</c> magic,
    /// has an unknown format version, or its header is malformed (missing <c>descr</c>, <c>fortran_order</c>
    /// or <c>shape</c>, negative dimensions).</exception>
    public static NpyHeader ReadHeader(string path)
    {
        using FileStream file = Open(path);
        return ReadHeader(file, path);
    }

    /// <summary>
    /// Reads a 1-D or 2-D numeric array as rows: a 2-D array of shape (rows, columns) gives
    /// <c>rows</c> arrays of <c>columns</c> values (for suite2p's <c>F.npy</c>: one array per ROI,
    /// one value per frame); a 1-D array gives one row.
    /// </summary>
    /// <remarks>Values are converted to <see cref="float"/> (float64 and 64-bit integers are rounded to the
    /// nearest float; bool gives 0 or 1). NaN and ±∞ are kept as they are: deciding what a gap means is the
    /// preprocessor's job. Bytes after the array are ignored, as NumPy does.</remarks>
    /// <exception cref="DataFormatException">As <see cref="ReadHeader(string)"/>, and: the dtype is not numeric
    /// (object arrays such as <c>ops.npy</c>, strings, complex, records), the array is 0-d or has more than 2
    /// dimensions, its rows have no values (last dimension 0), or the file holds fewer data bytes than the header promises.</exception>
    public static float[][] ReadRows(string path)
    {
        using FileStream file = Open(path);
        NpyHeader header = ReadHeader(file, path);
        var type = NpyElementType.Parse(header.DataType, path);
        (int rows, int columns) = MatrixShape(header, path);
        long expected = (long)rows * columns * type.Size;
        long available = file.Length - header.DataOffset;
        if (available < expected)
        {
            throw new DataFormatException(path,
                $"is truncated: the header promises shape {header.ShapeText} of {type.Size}-byte values ({expected} bytes) but only {available} bytes of data follow");
        }

        var result = new float[rows][];
        // Stored lines are contiguous runs: rows in C order, columns in Fortran order.
        bool byColumn = header.FortranOrder && header.Shape.Count == 2;
        int lineCount = byColumn ? columns : rows, lineLength = byColumn ? rows : columns;
        for (int i = 0; i < rows; i++) result[i] = new float[columns];
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, lineLength * type.Size));
        float[]? column = byColumn ? new float[rows] : null;
        try
        {
            file.Position = header.DataOffset;
            for (int line = 0; line < lineCount; line++)
            {
                Span<byte> bytes = buffer.AsSpan(0, lineLength * type.Size);
                ReadExactly(file, bytes, path);
                if (column is null)
                {
                    type.Decode(bytes, result[line]);
                    continue;
                }
                type.Decode(bytes, column);
                for (int i = 0; i < rows; i++) result[i][line] = column[i];
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return result;
    }

    /// <summary>
    /// Reads a numeric array of any rank (at most <see cref="MaxRank"/> dimensions) as floats in C order, whatever its stored
    /// order and byte order, e.g. a trials × bins × cells array of a trial dataset.
    /// </summary>
    /// <exception cref="DataFormatException">As <see cref="ReadRows"/>, for any rank up to <see cref="MaxRank"/>; also when the
    /// array has more values than one .NET array holds.</exception>
    public static NpyArray ReadArray(string path)
    {
        using FileStream file = Open(path);
        NpyHeader header = ReadHeader(file, path);
        var type = NpyElementType.Parse(header.DataType, path);
        if (header.Shape.Count > MaxRank)
            throw new DataFormatException(path, $"holds an array of shape {header.ShapeText} ({header.Shape.Count} dimensions); at most {MaxRank} are read");
        long count;
        try { count = header.ElementCount; }
        catch (OverflowException) { count = long.MaxValue; }
        if (count > Array.MaxLength || header.Shape.Any(n => n > int.MaxValue))
            throw new DataFormatException(path, $"holds an array of shape {header.ShapeText}, too large to load");
        long expected = count * type.Size, available = file.Length - header.DataOffset;
        if (available < expected)
            throw new DataFormatException(path,
                $"is truncated: the header promises shape {header.ShapeText} of {type.Size}-byte values ({expected} bytes) but only {available} bytes of data follow");

        int[] shape = header.Shape.Select(n => (int)n).ToArray();
        var stored = new float[count];
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)Math.Min(expected, 1 << 20)));
        try
        {
            file.Position = header.DataOffset;
            int perChunk = Math.Max(1, buffer.Length / type.Size);
            for (long done = 0; done < count;)
            {
                int n = (int)Math.Min(perChunk, count - done);
                Span<byte> bytes = buffer.AsSpan(0, n * type.Size);
                ReadExactly(file, bytes, path);
                type.Decode(bytes, stored.AsSpan((int)done, n));
                done += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return new NpyArray(shape, header.FortranOrder && shape.Length > 1 ? FortranToC(stored, shape) : stored);
    }

    /// <summary>The most dimensions <see cref="ReadArray"/> reads.</summary>
    public const int MaxRank = 8;

    // Fortran order: the first index runs fastest. Walk the C-order destination and find each value's Fortran offset.
    private static float[] FortranToC(float[] fortran, int[] shape)
    {
        var c = new float[fortran.Length];
        var index = new int[shape.Length];
        var strides = new long[shape.Length];
        long stride = 1;
        for (int d = 0; d < shape.Length; d++) { strides[d] = stride; stride *= shape[d]; }
        for (int i = 0; i < c.Length; i++)
        {
            long offset = 0;
            for (int d = 0; d < shape.Length; d++) offset += index[d] * strides[d];
            c[i] = fortran[offset];
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        return c;
    }

    /// <summary>
    /// Reads a cells × frames array (or a single 1-D trace) as a <see cref="TraceSet"/> whose trace i is
    /// named <c>roi{i}</c> (i = row index, 0-based, as suite2p numbers ROIs).
    /// </summary>
    /// <param name="path">The <c>.npy</c> file, e.g. suite2p's <c>F.npy</c>.</param>
    /// <param name="frameRateHz">Frame rate to attach (a <c>.npy</c> file does not store one); NaN if unknown.</param>
    /// <param name="orientation">Which axis holds the cells: <see cref="TraceOrientation.Auto"/> (the default) reads
    /// cells × frames but refuses a 2-D array with fewer frames than cells, the telltale of a frames × cells array;
    /// <see cref="TraceOrientation.Usual"/> reads cells × frames whatever the shape; <see cref="TraceOrientation.Transposed"/>
    /// reads frames × cells.</param>
    /// <exception cref="DataFormatException">See <see cref="ReadRows"/>; also when the array has no rows, and with
    /// <see cref="TraceOrientation.Auto"/> when its second axis is shorter than its first (remedy <see cref="FormatRemedy.Transpose"/>).</exception>
    public static TraceSet ReadTraces(string path, double frameRateHz = double.NaN, TraceOrientation orientation = TraceOrientation.Auto)
    {
        NpyHeader header = ReadHeader(path);
        bool matrix = header.Shape.Count == 2;
        if (orientation == TraceOrientation.Auto)
        {
            if (matrix && header.Shape[1] < header.Shape[0])
            {
                throw new DataFormatException(path,
                    $"holds an array of shape {header.ShapeText}, read as {header.Shape[0]} cells × {header.Shape[1]} frames: fewer frames than cells, " +
                    "so it is probably frames × cells; read it transposed", remedy: FormatRemedy.Transpose);
            }
        }
        float[][] rows = ReadRows(path);
        // A 1-D array is one trace either way; only a matrix turns.
        if (orientation == TraceOrientation.Transposed && matrix)
            rows = Transpose(rows);
        if (rows.Length == 0)
            throw new DataFormatException(path, "holds no traces (the array has 0 rows)");
        var names = new string[rows.Length];
        for (int i = 0; i < names.Length; i++) names[i] = RoiName(i);
        return new TraceSet(names, rows, frameRateHz);
    }

    private static float[][] Transpose(float[][] rows)
    {
        int frames = rows.Length, cells = frames == 0 ? 0 : rows[0].Length;
        var traces = new float[cells][];
        for (int c = 0; c < cells; c++)
        {
            var trace = new float[frames];
            for (int t = 0; t < frames; t++) trace[t] = rows[t][c];
            traces[c] = trace;
        }
        return traces;
    }

    /// <summary>The trace name for row <paramref name="index"/>: <c>roi{index}</c>.</summary>
    public static string RoiName(int index) => RoiNamePrefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The number stored under <paramref name="key"/> in a pickled dict saved with <c>np.save</c>
    /// (an object array, e.g. suite2p's <c>ops.npy</c> with key <c>fs</c>), or null when it cannot be found.
    /// </summary>
    /// <remarks>
    /// Nothing is unpickled: the bytes are scanned for the key as a pickled string (opcodes
    /// <c>SHORT_BINUNICODE</c>, <c>BINUNICODE</c> or <c>SHORT_BINSTRING</c>), skipping memo and frame
    /// opcodes, followed by a Python float (<c>BINFLOAT</c>: 8-byte big-endian double), a small Python
    /// int (<c>BININT1</c>, <c>BININT2</c>, <c>BININT</c>) or a NumPy scalar (<c>numpy…scalar</c> with a
    /// float or integer dtype and its little-endian bytes). The first occurrence of the key that has such
    /// a value wins. Any other value (a string, an array, a pickle protocol below 2) gives null, so that
    /// the caller can ask for the number instead.
    /// </remarks>
    /// <exception cref="DataFormatException">The file is missing or not a valid <c>.npy</c> file.</exception>
    public static double? ReadPickledNumber(string path, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using FileStream file = Open(path);
        NpyHeader header = ReadHeader(file, path);
        if (!header.IsObjectArray) return null;
        long length = file.Length - header.DataOffset;
        if (length > Array.MaxLength)
            throw new DataFormatException(path, $"holds a {length}-byte pickle, too large to scan");
        var pickle = new byte[length];
        file.Position = header.DataOffset;
        ReadExactly(file, pickle, path);
        return PickleScanner.FindNumber(pickle, key);
    }

    /// <summary>Reads and checks the header from the start of <paramref name="stream"/>, leaving it just after the header.</summary>
    /// <param name="stream">A readable stream positioned at the start of the file.</param>
    /// <param name="sourceName">The file name for error messages.</param>
    public static NpyHeader ReadHeader(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        Span<byte> prefix = stackalloc byte[12];
        int got = stream.ReadAtLeast(prefix[..8], 8, throwOnEndOfStream: false);
        if (got < 8 || !prefix[..6].SequenceEqual(Magic))
        {
            throw new DataFormatException(sourceName,
                got < 6 ? $"is not a NumPy .npy file: it is only {got} bytes long" : "is not a NumPy .npy file: it does not start with \\x93NUMPY");
        }
        int major = prefix[6], minor = prefix[7];
        int lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new DataFormatException(sourceName, $"has .npy format version {major}.{minor}; this reader knows 1.0, 2.0 and 3.0"),
        };
        ReadExactly(stream, prefix.Slice(8, lengthBytes), sourceName);
        long headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (headerLength > MaxHeaderBytes)
            throw new DataFormatException(sourceName, $"claims a {headerLength}-byte .npy header (at most {MaxHeaderBytes} expected); the file is corrupt");

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, sourceName);
        // Versions 1 and 2 store the header as latin-1, version 3 as UTF-8.
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        Dictionary<string, object?> dict = NpyHeaderLiteral.ParseDict(text, sourceName);

        string descr = dict.GetValueOrDefault("descr") as string
            ?? throw new DataFormatException(sourceName, dict.ContainsKey("descr")
                ? "has a structured (record) dtype; only plain numeric arrays are supported"
                : "the .npy header has no 'descr' (data type)");
        bool fortran = dict.GetValueOrDefault("fortran_order") as bool?
            ?? throw new DataFormatException(sourceName, "the .npy header has no True/False 'fortran_order'");
        if (dict.GetValueOrDefault("shape") is not List<object?> shapeItems)
            throw new DataFormatException(sourceName, "the .npy header has no 'shape' tuple");
        var shape = new long[shapeItems.Count];
        for (int d = 0; d < shape.Length; d++)
        {
            if (shapeItems[d] is not long n || n < 0)
                throw new DataFormatException(sourceName, $"the .npy header's shape has a bad dimension '{shapeItems[d]}'; dimensions are integers ≥ 0");
            shape[d] = n;
        }
        return new NpyHeader(major, descr, fortran, shape, 8 + lengthBytes + headerLength);
    }

    private static (int Rows, int Columns) MatrixShape(NpyHeader header, string path)
    {
        var shape = header.Shape;
        if (shape.Count is 0 or > 2)
        {
            throw new DataFormatException(path,
                $"holds an array of shape {header.ShapeText} ({shape.Count} dimensions); expected 1 (one trace) or 2 (cells × frames)");
        }
        long rows = shape.Count == 2 ? shape[0] : 1, columns = shape[^1];
        if (rows > Array.MaxLength || columns > Array.MaxLength || rows * columns > long.MaxValue / 8)
            throw new DataFormatException(path, $"holds an array of shape {header.ShapeText}, too large to load");
        // Rows of no values cost memory the file does not hold (an (N, 0) header allocates N arrays), and are no traces.
        if (columns == 0 && rows > 0)
            throw new DataFormatException(path, $"holds an array of shape {header.ShapeText}: its rows have no values");
        return ((int)rows, (int)columns);
    }

    private static FileStream Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new DataFormatException(path, "is a folder, expected a .npy file");
        if (!File.Exists(path)) throw new DataFormatException(path, "file not found");
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read file ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, $"cannot read file ({e.Message})", e); }
    }

    private static void ReadExactly(Stream stream, Span<byte> destination, string sourceName)
    {
        try
        {
            int got = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
            if (got < destination.Length)
                throw new DataFormatException(sourceName, "is truncated: the file ends inside the .npy header or data");
        }
        catch (IOException e) { throw new DataFormatException(sourceName, $"cannot read file ({e.Message})", e); }
    }
}
