using System.Text;
using System.Text.Json;
using DeepSpike.Data;

namespace DeepSpike.Models;

/// <summary>A named float tensor as stored in a model file.</summary>
/// <param name="Name">Dotted parameter name.</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Data">Values, row-major.</param>
public sealed record StoredTensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// The on-disk container for models and training checkpoints: the magic bytes <c>DSPKMDL1</c>, a UTF-8
/// JSON header, the tensors (name, shape, little-endian float32 values), and an FNV-1a 64-bit checksum
/// of everything before it. Files are written atomically; truncation, corruption and foreign files are
/// reported with the file name and the problem.
/// </summary>
/// <remarks>
/// The checksum is for accidental damage (a cut-off copy, a flipped bit), not against tampering. FNV-1a's step
/// <c>h ← (h ⊕ byte) · p</c> is a bijection of the 64-bit state for each byte (p is odd), so two files that differ in one byte
/// only — any number of flipped bits within it — always get different checksums; other damage goes unnoticed with probability
/// about 2⁻⁶⁴. CRC-32C would also guarantee bursts of up to 32 bits across byte boundaries, but misses other damage with
/// probability 2⁻³²; XxHash64 is faster but guarantees nothing more. Neither is worth making existing files (the built-in models
/// among them) unreadable or carrying a second format.
/// </remarks>
public static class ModelFile
{
    private static readonly byte[] Magic = "DSPKMDL1"u8.ToArray();
    private const int MaxTensors = 100_000;
    /// <summary>JSON length, tensor count and checksum: the least that follows the signature.</summary>
    private const int MinimumBodyBytes = sizeof(int) + sizeof(int) + sizeof(ulong);

    /// <summary>Writes the header and tensors to <paramref name="path"/> (temporary file, then rename).</summary>
    /// <exception cref="ArgumentException">A tensor's value count is not the product of its shape (<see cref="Read(string)"/> would refuse the file).</exception>
    public static void Write(string path, JsonDocument header, IEnumerable<StoredTensor> tensors)
    {
        var list = tensors.ToList();
        foreach (var t in list)
        {
            long expected = t.Shape.Aggregate(1L, (p, d) => p * d);
            if (t.Data.Length != expected)
                throw new ArgumentException($"tensor '{t.Name}' has {t.Data.Length} values for shape [{string.Join(", ", t.Shape)}] ({expected} expected)", nameof(tensors));
        }
        AtomicFile.Write(path, stream =>
        {
            using var buffer = new MemoryStream();
            using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                var json = Encoding.UTF8.GetBytes(header.RootElement.GetRawText());
                w.Write(json.Length);
                w.Write(json);
                w.Write(list.Count);
                foreach (var t in list)
                {
                    w.Write(t.Name);
                    w.Write(t.Shape.Length);
                    foreach (var d in t.Shape) w.Write(d);
                    w.Write(t.Data.Length);
                    w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Data.AsSpan()));
                }
            }
            ulong hash = Fnv1a(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            buffer.Write(BitConverter.GetBytes(hash));
            buffer.Position = 0;
            buffer.CopyTo(stream);
        });
    }

    /// <summary>Reads a file written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">Not a model file, truncated, or corrupt; the message names the file.</exception>
    public static (JsonDocument Header, IReadOnlyList<StoredTensor> Tensors) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: model file not found", path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads model bytes (e.g. an embedded resource); <paramref name="source"/> names them in errors.</summary>
    public static (JsonDocument Header, IReadOnlyList<StoredTensor> Tensors) Read(byte[] bytes, string source)
    {
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{source}: not a DeepSpike model file (wrong signature)");
        if (bytes.Length < Magic.Length + MinimumBodyBytes)
            throw new InvalidDataException($"{source}: model file is truncated ({bytes.Length} bytes, less than any model)");
        ulong stored = BitConverter.ToUInt64(bytes, bytes.Length - 8);
        if (Fnv1a(bytes.AsSpan(0, bytes.Length - 8)) != stored)
            throw new InvalidDataException($"{source}: model file is corrupt or truncated (checksum mismatch)");
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, Magic.Length, bytes.Length - Magic.Length - 8));
            // Every count is checked against the bytes left before anything is allocated for it: a flipped bit in a
            // length must be a clear error, not a multi-gigabyte allocation.
            int ReadCount(int bytesPerItem, string what)
            {
                int n = r.ReadInt32();
                long left = r.BaseStream.Length - r.BaseStream.Position;
                if (n < 0 || (long)n * bytesPerItem > left)
                    throw new InvalidDataException($"{source}: model file is malformed ({what} {n} does not fit in the {left} bytes left)");
                return n;
            }
            int jsonLength = ReadCount(1, "header length");
            var header = JsonDocument.Parse(r.ReadBytes(jsonLength));
            int count = r.ReadInt32();
            if (count < 0 || count > MaxTensors) throw new InvalidDataException($"{source}: implausible tensor count {count}");
            var tensors = new List<StoredTensor>(count);
            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                var shape = new int[ReadCount(sizeof(int), $"tensor '{name}' rank")];
                for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt32();
                int length = ReadCount(sizeof(float), $"tensor '{name}' value count");
                if (length < 0 || length != shape.Aggregate(1L, (p, d) => p * d))
                    throw new InvalidDataException($"{source}: tensor '{name}' has {length} values for shape [{string.Join(", ", shape)}]");
                var data = new float[length];
                var raw = r.ReadBytes(data.Length * sizeof(float));
                if (raw.Length != data.Length * sizeof(float)) throw new EndOfStreamException();
                Buffer.BlockCopy(raw, 0, data, 0, raw.Length);
                tensors.Add(new StoredTensor(name, shape, data));
            }
            return (header, tensors);
        }
        catch (Exception e) when (e is IOException or JsonException or ArgumentException or OverflowException or FormatException)
        {
            throw new InvalidDataException($"{source}: model file is malformed ({e.Message})", e);
        }
    }

    internal static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong h = 14695981039346656037UL;
        foreach (var b in data) { h ^= b; h *= 1099511628211UL; }
        return h;
    }
}
