using System.Buffers.Binary;
using System.Text;

namespace DeepSpike.Tests.Data;

/// <summary>
/// Builds <c>.npy</c> bytes by hand, following the NumPy format spec: magic <c>\x93NUMPY</c>, major and
/// minor version, header length (2 bytes little-endian for 1.0, 4 bytes for 2.0 and 3.0), the header dict
/// padded with spaces and ended by a newline so that the data start on a 64-byte boundary, then the data.
/// </summary>
public static class NpyTestFiles
{
    public static byte[] Build(string headerDict, byte[] data, int majorVersion = 1)
    {
        int lengthBytes = majorVersion == 1 ? 2 : 4;
        int prefix = 8 + lengthBytes;
        int unpadded = prefix + Encoding.UTF8.GetByteCount(headerDict) + 1;
        string header = headerDict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        byte[] headerBytes = majorVersion == 3 ? Encoding.UTF8.GetBytes(header) : Encoding.Latin1.GetBytes(header);
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)majorVersion, 0 };
        var length = new byte[lengthBytes];
        if (lengthBytes == 2) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerBytes.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerBytes.Length);
        bytes.AddRange(length);
        bytes.AddRange(headerBytes);
        bytes.AddRange(data);
        return [.. bytes];
    }

    public static string Header(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";

    /// <summary>A C-order little-endian float32 array of the given rows.</summary>
    public static byte[] Float32(float[][] rows)
    {
        int columns = rows.Length == 0 ? 0 : rows[0].Length;
        var data = new byte[rows.Length * columns * 4];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < columns; j++)
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan((i * columns + j) * 4), rows[i][j]);
        return Build(Header("<f4", $"({rows.Length}, {columns})"), data);
    }

    /// <summary>A C-order little-endian float64 array of shape (rows, columns).</summary>
    public static byte[] Float64(double[,] values)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var data = new byte[rows * columns * 8];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan((i * columns + j) * 8), values[i, j]);
        return Build(Header("<f8", $"({rows}, {columns})"), data);
    }

    /// <summary>An <c>np.save</c> of a Python object: dtype object, shape (), then the pickle.</summary>
    public static byte[] ObjectArray(byte[] pickle) => Build(Header("|O", "()"), pickle);

    /// <summary>
    /// A protocol-4 pickle of a flat dict whose values are Python floats, ints (0–65535) or strings,
    /// as CPython writes it: PROTO 4, FRAME, EMPTY_DICT, MEMOIZE, MARK, then key/value pairs (each
    /// SHORT_BINUNICODE + MEMOIZE, numbers unmemoized), SETITEMS, STOP.
    /// </summary>
    public static byte[] PickleDictProtocol4(params (string Key, object Value)[] entries)
    {
        var body = new List<byte> { 0x7D, 0x94, 0x28 }; // EMPTY_DICT MEMOIZE MARK
        foreach (var (key, value) in entries)
        {
            AddShortString(body, key);
            AddValue(body, value, memoize: 0x94);
        }
        body.AddRange([0x75, 0x2E]); // SETITEMS STOP
        var pickle = new List<byte> { 0x80, 0x04, 0x95 };
        var frameLength = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(frameLength, (ulong)body.Count);
        pickle.AddRange(frameLength);
        pickle.AddRange(body);
        return [.. pickle];

        static void AddShortString(List<byte> b, string s)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(s);
            b.Add(0x8C); b.Add((byte)utf8.Length); b.AddRange(utf8); b.Add(0x94);
        }
    }

    /// <summary>A protocol-3 pickle of a flat dict: PROTO 3, EMPTY_DICT, BINPUT 0, MARK, then pairs with
    /// BINUNICODE keys and BINPUT after every memoized object, SETITEMS, STOP.</summary>
    public static byte[] PickleDictProtocol3(params (string Key, object Value)[] entries)
    {
        var b = new List<byte> { 0x80, 0x03, 0x7D, (byte)'q', 0, 0x28 };
        byte memo = 1;
        foreach (var (key, value) in entries)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(key);
            b.Add((byte)'X');
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            b.AddRange(length); b.AddRange(utf8); b.Add((byte)'q'); b.Add(memo++);
            AddValue(b, value, memoize: null, binPut: value is string ? memo++ : null);
        }
        b.AddRange([0x75, 0x2E]);
        return [.. b];
    }

    private static void AddValue(List<byte> b, object value, byte? memoize, byte? binPut = null)
    {
        switch (value)
        {
            case double d:
                b.Add((byte)'G');
                var bits = new byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(bits, d);
                b.AddRange(bits);
                break;
            case int i when i is >= 0 and < 256:
                b.Add((byte)'K'); b.Add((byte)i);
                break;
            case int i when i is >= 0 and < 65536:
                b.Add((byte)'M'); b.Add((byte)(i & 0xFF)); b.Add((byte)(i >> 8));
                break;
            case string s:
                byte[] utf8 = Encoding.UTF8.GetBytes(s);
                if (memoize is not null) { b.Add(0x8C); b.Add((byte)utf8.Length); b.AddRange(utf8); b.Add(memoize.Value); }
                else
                {
                    b.Add((byte)'X');
                    var length = new byte[4];
                    BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
                    b.AddRange(length); b.AddRange(utf8); b.Add((byte)'q'); b.Add(binPut!.Value);
                }
                break;
            default:
                throw new ArgumentException($"no pickle encoding for {value.GetType().Name} in this test helper");
        }
    }
}
