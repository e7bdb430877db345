using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DeepSpike.Data;

/// <summary>
/// A numeric NumPy dtype this library converts to <see cref="float"/>: float (<c>f2</c>, <c>f4</c>,
/// <c>f8</c>), signed and unsigned integers (<c>i1</c>–<c>i8</c>, <c>u1</c>–<c>u8</c>) and bool
/// (<c>b1</c>), in either byte order.
/// </summary>
internal readonly record struct NpyElementType(char Kind, int Size, bool BigEndian)
{
    /// <summary>Parses a type string such as <c>&lt;f4</c>; throws a <see cref="DataFormatException"/> naming the
    /// type when it is not numeric (objects, strings, complex, dates, structured records).</summary>
    public static NpyElementType Parse(string descr, string source)
    {
        ReadOnlySpan<char> text = descr;
        bool bigEndian = false;
        if (text.Length > 0 && text[0] is '<' or '>' or '|' or '=')
        {
            bigEndian = text[0] == '>';
            text = text[1..];
        }
        if (text is "O" or "O8")
            throw new DataFormatException(source, $"holds pickled Python objects (dtype '{descr}'), not numbers; save a numeric array (e.g. float32) instead");
        if (text.Length >= 2 && int.TryParse(text[1..], out int size))
        {
            var type = new NpyElementType(text[0], size, bigEndian);
            if (type.IsSupported) return type;
        }
        throw new DataFormatException(source,
            $"has dtype '{descr}', which is not supported; expected float (f2, f4, f8), integer (i1–i8, u1–u8) or bool (b1)");
    }

    private bool IsSupported => Kind switch
    {
        'f' => Size is 2 or 4 or 8,
        'i' or 'u' => Size is 1 or 2 or 4 or 8,
        'b' => Size == 1,
        _ => false,
    };

    /// <summary>Converts <c>destination.Length</c> elements from their stored bytes.</summary>
    public void Decode(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        if (Kind == 'f' && Size == 4 && BigEndian == !BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes[..(destination.Length * 4)]).CopyTo(destination);
            return;
        }
        for (int i = 0; i < destination.Length; i++)
            destination[i] = DecodeOne(bytes.Slice(i * Size, Size));
    }

    private float DecodeOne(ReadOnlySpan<byte> b) => (Kind, Size, BigEndian) switch
    {
        ('f', 2, false) => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
        ('f', 2, true) => (float)BinaryPrimitives.ReadHalfBigEndian(b),
        ('f', 4, false) => BinaryPrimitives.ReadSingleLittleEndian(b),
        ('f', 4, true) => BinaryPrimitives.ReadSingleBigEndian(b),
        ('f', 8, false) => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
        ('f', 8, true) => (float)BinaryPrimitives.ReadDoubleBigEndian(b),
        ('i', 1, _) => (sbyte)b[0],
        ('i', 2, false) => BinaryPrimitives.ReadInt16LittleEndian(b),
        ('i', 2, true) => BinaryPrimitives.ReadInt16BigEndian(b),
        ('i', 4, false) => BinaryPrimitives.ReadInt32LittleEndian(b),
        ('i', 4, true) => BinaryPrimitives.ReadInt32BigEndian(b),
        ('i', 8, false) => BinaryPrimitives.ReadInt64LittleEndian(b),
        ('i', 8, true) => BinaryPrimitives.ReadInt64BigEndian(b),
        ('u', 1, _) => b[0],
        ('u', 2, false) => BinaryPrimitives.ReadUInt16LittleEndian(b),
        ('u', 2, true) => BinaryPrimitives.ReadUInt16BigEndian(b),
        ('u', 4, false) => BinaryPrimitives.ReadUInt32LittleEndian(b),
        ('u', 4, true) => BinaryPrimitives.ReadUInt32BigEndian(b),
        ('u', 8, false) => BinaryPrimitives.ReadUInt64LittleEndian(b),
        ('u', 8, true) => BinaryPrimitives.ReadUInt64BigEndian(b),
        ('b', 1, _) => b[0] != 0 ? 1f : 0f,
        _ => throw new InvalidOperationException($"dtype {Kind}{Size} passed Parse but has no decoder"),
    };
}
