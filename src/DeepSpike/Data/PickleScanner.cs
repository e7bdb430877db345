using System.Buffers.Binary;
using System.Text;

namespace DeepSpike.Data;

/// <summary>
/// Finds a number stored under a string key in pickle bytes without executing the pickle: a pickle
/// is a program for a stack machine that may import and call anything, so it is only ever scanned.
/// Opcodes are those of Python's <c>pickletools</c> (protocols 2–5, as <c>np.save</c> writes 3 or 4).
/// </summary>
internal static class PickleScanner
{
    private const byte ShortBinUnicode = 0x8C; // 1-byte length, UTF-8 (protocol 4)
    private const byte BinUnicode = (byte)'X';  // 4-byte little-endian length, UTF-8 (protocol 1+)
    private const byte ShortBinString = (byte)'U'; // 1-byte length, bytes (Python 2)
    private const byte Memoize = 0x94;
    private const byte BinPut = (byte)'q';
    private const byte LongBinPut = (byte)'r';
    private const byte Frame = 0x95;
    private const byte BinFloat = (byte)'G';
    private const byte BinInt1 = (byte)'K';
    private const byte BinInt2 = (byte)'M';
    private const byte BinInt = (byte)'J';
    private const byte ShortBinBytes = (byte)'C';

    /// <summary>How far past the key a NumPy scalar's dtype and bytes may lie; its reduce call takes ~120 bytes.</summary>
    private const int NumpyScalarWindow = 256;

    /// <summary>Where the word <c>scalar</c> may end at the latest for the value to be a NumPy scalar: after the
    /// global's module name (<c>numpy._core.multiarray</c>, 23 bytes) and opcodes, not in a later entry.</summary>
    private const int MaxScalarOffset = 48;

    /// <summary>The number under <paramref name="key"/>, or null; see <see cref="NpyReader.ReadPickledNumber"/>.</summary>
    public static double? FindNumber(ReadOnlySpan<byte> pickle, string key)
    {
        byte[] keyBytes = Encoding.UTF8.GetBytes(key);
        for (int from = 0; from < pickle.Length;)
        {
            int hit = pickle[from..].IndexOf(keyBytes);
            if (hit < 0) return null;
            int keyStart = from + hit, valueStart = keyStart + keyBytes.Length;
            from = keyStart + 1;
            if (!IsStringOpcodeFor(pickle, keyStart, keyBytes.Length)) continue;
            if (ReadValue(pickle, SkipBookkeeping(pickle, valueStart)) is double value) return value;
        }
        return null;
    }

    // The key bytes are a string only if the opcode and length right before them say so.
    private static bool IsStringOpcodeFor(ReadOnlySpan<byte> p, int start, int length)
    {
        if (start >= 2 && p[start - 1] == length && p[start - 2] is ShortBinUnicode or ShortBinString) return true;
        return start >= 5 && p[start - 5] == BinUnicode && BinaryPrimitives.ReadUInt32LittleEndian(p[(start - 4)..]) == (uint)length;
    }

    // Memo stores and frame headers may sit between a dict key and its value.
    private static int SkipBookkeeping(ReadOnlySpan<byte> p, int at)
    {
        while (at < p.Length)
        {
            switch (p[at])
            {
                case Memoize: at += 1; break;
                case BinPut: at += 2; break;
                case LongBinPut: at += 5; break;
                case Frame: at += 9; break;
                default: return at;
            }
        }
        return at;
    }

    private static double? ReadValue(ReadOnlySpan<byte> p, int at)
    {
        if (at >= p.Length) return null;
        ReadOnlySpan<byte> rest = p[(at + 1)..];
        return p[at] switch
        {
            BinFloat when rest.Length >= 8 => BinaryPrimitives.ReadDoubleBigEndian(rest),
            BinInt1 when rest.Length >= 1 => rest[0],
            BinInt2 when rest.Length >= 2 => BinaryPrimitives.ReadUInt16LittleEndian(rest),
            BinInt when rest.Length >= 4 => BinaryPrimitives.ReadInt32LittleEndian(rest),
            _ => ReadNumpyScalar(p[at..Math.Min(p.Length, at + NumpyScalarWindow)]),
        };
    }

    /// <summary>
    /// A NumPy scalar pickles as <c>numpy.core.multiarray.scalar(dtype('f8', …), b'…')</c>: the word
    /// <c>scalar</c>, then the dtype code as a short string (<c>f8</c>, <c>i4</c>, …), then the value's
    /// bytes as <c>SHORT_BINBYTES</c> of the dtype's size, little-endian (the byte order NumPy writes on
    /// every common platform). When the pickle refers back to a dtype or function it memoized for an
    /// earlier scalar, neither word is repeated and the value is not found (null).
    /// </summary>
    private static double? ReadNumpyScalar(ReadOnlySpan<byte> window)
    {
        int scalar = window.IndexOf("scalar"u8);
        if (scalar < 0 || scalar > MaxScalarOffset) return null;
        for (int i = scalar + "scalar".Length; i < window.Length; i++)
        {
            // Strings before the code are the module and class of the dtype ("numpy", "dtype").
            if (!TryReadString(window, i, out int end, out ReadOnlySpan<byte> text) || !IsDtypeCode(text)) continue;
            int size = text[1] - '0';
            int bytesAt = window[end..].IndexOf([ShortBinBytes, (byte)size]);
            if (bytesAt < 0 || end + bytesAt + 2 + size > window.Length) return null;
            ReadOnlySpan<byte> value = window.Slice(end + bytesAt + 2, size);
            return ((char)text[0], size) switch
            {
                ('f', 8) => BinaryPrimitives.ReadDoubleLittleEndian(value),
                ('f', 4) => BinaryPrimitives.ReadSingleLittleEndian(value),
                ('f', 2) => (double)BinaryPrimitives.ReadHalfLittleEndian(value),
                ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(value),
                ('i', 4) => BinaryPrimitives.ReadInt32LittleEndian(value),
                ('i', 2) => BinaryPrimitives.ReadInt16LittleEndian(value),
                ('i', 1) => (sbyte)value[0],
                ('u', 8) => BinaryPrimitives.ReadUInt64LittleEndian(value),
                ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(value),
                ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(value),
                _ => value[0],
            };
        }
        return null;
    }

    private static bool IsDtypeCode(ReadOnlySpan<byte> text) =>
        text.Length == 2 && text[0] is (byte)'f' or (byte)'i' or (byte)'u' && text[1] is (byte)'1' or (byte)'2' or (byte)'4' or (byte)'8'
        && !(text[0] == 'f' && text[1] == '1');

    /// <summary>A pickled short string at <paramref name="at"/>: its content and the index just past it.</summary>
    private static bool TryReadString(ReadOnlySpan<byte> p, int at, out int end, out ReadOnlySpan<byte> text)
    {
        end = 0;
        text = default;
        int start, length;
        if (p[at] is ShortBinUnicode or ShortBinString && at + 1 < p.Length)
            (start, length) = (at + 2, p[at + 1]);
        else if (p[at] == BinUnicode && at + 5 <= p.Length && BinaryPrimitives.ReadUInt32LittleEndian(p[(at + 1)..]) is uint n && n < 256)
            (start, length) = (at + 5, (int)n);
        else
            return false;
        if (start + length > p.Length) return false;
        end = start + length;
        text = p.Slice(start, length);
        return true;
    }
}
