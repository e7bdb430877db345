using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace DeepSpike.Data;

/// <summary>
/// Writes little-endian float32 NumPy <c>.npy</c> files (format 1.0, or 2.0 when the header needs it) in C order, atomically
/// (see <see cref="AtomicFile"/>): what NumPy's <c>np.load</c> reads back as <c>dtype('float32')</c> with the same shape.
/// </summary>
public static class NpyWriter
{
    /// <summary>The header, padded with spaces and ended by a newline, makes data start at a multiple of this (NumPy's rule).</summary>
    private const int Alignment = 64;

    /// <summary>Writes <paramref name="data"/> with <paramref name="shape"/> to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The shape has a negative dimension or does not match the data's length.</exception>
    public static void Write(string path, ReadOnlySpan<int> shape, ReadOnlySpan<float> data)
    {
        long count = 1;
        foreach (int n in shape)
        {
            if (n < 0) throw new ArgumentException($"shape has a negative dimension {n}", nameof(shape));
            count *= n;
        }
        if (count != data.Length)
            throw new ArgumentException($"shape ({string.Join(", ", shape.ToArray())}) holds {count} values but {data.Length} were given", nameof(data));

        byte[] header = Header(shape.ToArray());
        byte[] bytes = new byte[header.Length + data.Length * sizeof(float)];
        header.CopyTo(bytes, 0);
        Span<byte> body = bytes.AsSpan(header.Length);
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.AsBytes(data).CopyTo(body);
        else
            for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(body[(i * 4)..], data[i]);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Writes <paramref name="array"/>.</summary>
    public static void Write(string path, NpyArray array) => Write(path, array.Shape, array.Data);

    private static byte[] Header(int[] shape)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Version 1 stores the header length in 2 bytes; longer headers (very high rank) need version 2's 4.
        int prefix = 10;
        int version = 1;
        if (Pad(dict.Length + 1, prefix) > ushort.MaxValue) { prefix = 12; version = 2; }
        int total = Pad(dict.Length + 1, prefix);
        string text = dict + new string(' ', total - prefix - dict.Length - 1) + "\n";
        byte[] header = new byte[total];
        header[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", header.AsSpan(1));
        header[6] = (byte)version;
        header[7] = 0;
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)(total - prefix));
        else BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)(total - prefix));
        Encoding.Latin1.GetBytes(text, header.AsSpan(prefix));
        return header;
    }

    private static int Pad(int textLength, int prefix) => (prefix + textLength + Alignment - 1) / Alignment * Alignment;
}
