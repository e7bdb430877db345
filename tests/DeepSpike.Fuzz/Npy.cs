using System.Buffers.Binary;
using System.Text;

namespace DeepSpike.Fuzz;

/// <summary>
/// Builds small <c>.npy</c> files and pickles for seeds and for the suite2p target's valid siblings, as NumPy
/// writes them: magic, version 1.0, a header dict padded to a 64-byte boundary, then the data.
/// </summary>
public static class Npy
{
    /// <summary>A version 1.0 file with the given header dict and data bytes.</summary>
    public static byte[] Build(string headerDict, byte[] data)
    {
        const int Prefix = 10;
        int unpadded = Prefix + headerDict.Length + 1;
        string header = headerDict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var bytes = new byte[Prefix + header.Length + data.Length];
        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];
        magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header, bytes.AsSpan(Prefix));
        data.CopyTo(bytes, Prefix + header.Length);
        return bytes;
    }

    /// <summary>The header dict NumPy writes.</summary>
    public static string Header(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";

    /// <summary>A C-order little-endian float32 array of the given (equal-length) rows.</summary>
    public static byte[] Float32(float[][] rows)
    {
        int columns = rows.Length == 0 ? 0 : rows[0].Length;
        var data = new byte[rows.Length * columns * 4];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < columns; j++)
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan((i * columns + j) * 4), rows[i][j]);
        return Build(Header("<f4", $"({rows.Length}, {columns})"), data);
    }

    /// <summary>A C-order little-endian float64 array.</summary>
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

    /// <summary>A protocol-4 pickle of a flat dict of Python floats: PROTO 4, FRAME, EMPTY_DICT, MEMOIZE, MARK,
    /// SHORT_BINUNICODE key + MEMOIZE, BINFLOAT value, …, SETITEMS, STOP.</summary>
    public static byte[] PickleFloatDict(params (string Key, double Value)[] entries)
    {
        var body = new List<byte> { 0x7D, 0x94, 0x28 };
        foreach (var (key, value) in entries)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(key);
            body.Add(0x8C); body.Add((byte)utf8.Length); body.AddRange(utf8); body.Add(0x94);
            var bits = new byte[8];
            BinaryPrimitives.WriteDoubleBigEndian(bits, value);
            body.Add((byte)'G'); body.AddRange(bits);
        }
        body.AddRange([0x75, 0x2E]);
        var pickle = new List<byte> { 0x80, 0x04, 0x95 };
        var frameLength = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(frameLength, (ulong)body.Count);
        pickle.AddRange(frameLength);
        pickle.AddRange(body);
        return [.. pickle];
    }
}
