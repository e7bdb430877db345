namespace DeepSpike.Data;

/// <summary>
/// The header of a NumPy <c>.npy</c> file: what the bytes after it hold.
/// </summary>
/// <param name="FormatVersion">Major format version: 1 (2-byte header length), 2 (4-byte header
/// length) or 3 (as 2, with a UTF-8 header).</param>
/// <param name="DataType">The array protocol type string as written, e.g. <c>&lt;f4</c> (little-endian
/// 32-bit float), <c>&lt;f8</c>, <c>|b1</c> (bool), <c>&lt;i8</c>, <c>|O</c> (pickled Python objects).</param>
/// <param name="FortranOrder">True when the data are stored column-major (first index fastest).</param>
/// <param name="Shape">Array dimensions; empty for a 0-d (scalar) array.</param>
/// <param name="DataOffset">Byte offset of the first data byte from the start of the file.</param>
/// <remarks>Format: <see href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html"/>.</remarks>
public sealed record NpyHeader(int FormatVersion, string DataType, bool FortranOrder, IReadOnlyList<long> Shape, long DataOffset)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a 0-d array).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long n in Shape) count = checked(count * n);
            return count;
        }
    }

    /// <summary>True for dtype object (<c>|O</c>): the data are a pickle, not numbers.</summary>
    public bool IsObjectArray => DataType.TrimStart('<', '>', '|', '=') is "O" or "O8";

    /// <summary>The shape as NumPy prints it, e.g. <c>(3, 1000)</c> or <c>(5,)</c>.</summary>
    public string ShapeText => Shape.Count == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";
}
