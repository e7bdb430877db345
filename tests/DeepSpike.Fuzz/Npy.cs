using System.Buffers.Binary;
using System.Text;

namespace DeepSpike.Fuzz;

/// <summary>
/// Builds the pickles of <c>ops.npy</c> seeds (the <c>.npy</c> files themselves come from the tests' <c>NpyTestFiles</c>,
/// linked into this project).
/// </summary>
public static class Npy
{
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
