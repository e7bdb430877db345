using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

/// <summary><see cref="NpyWriter"/> and <see cref="NpyReader.ReadArray"/>: any rank, both orders, the exact bytes NumPy writes.</summary>
public sealed class NpyArrayTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 4, 3, 2 })]
    [InlineData(new[] { 2, 1, 3, 2 })]
    [InlineData(new[] { 0, 3 })]
    public void WriteThenReadArray_RoundTripsShapeAndValues(int[] shape)
    {
        int count = shape.Aggregate(1, (p, n) => p * n);
        float[] data = Enumerable.Range(0, count).Select(i => i * 0.5f - 3.25f).ToArray();
        string path = _dir.File("a.npy");

        NpyWriter.Write(path, shape, data);
        NpyArray read = NpyReader.ReadArray(path);

        Assert.Equal(shape, read.Shape);
        Assert.Equal(data, read.Data);
        // NumPy's layout: the data start on a 64-byte boundary, the header says '<f4', C order.
        NpyHeader header = NpyReader.ReadHeader(path);
        Assert.Equal(0, header.DataOffset % 64);
        Assert.Equal("<f4", header.DataType);
        Assert.False(header.FortranOrder);
    }

    [Fact]
    public void Write_HeaderBytes_AreWhatNumPyWrites()
    {
        string path = _dir.File("a.npy");
        NpyWriter.Write(path, [2, 3], new float[6]);

        byte[] bytes = File.ReadAllBytes(path);

        // np.save of np.zeros((2, 3), np.float32): magic, version 1.0, header length 118, dict padded to 128 bytes.
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0], bytes[..10]);
        string expected = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        Assert.Equal(expected.PadRight(117) + "\n", System.Text.Encoding.ASCII.GetString(bytes, 10, 118));
        Assert.Equal(128 + 24, bytes.Length);
    }

    [Fact]
    public void ReadArray_FortranOrderThreeDimensional_ReturnsCOrder()
    {
        // Values v[i, j, k] = 100 i + 10 j + k, stored with i fastest.
        int[] shape = [2, 3, 4];
        var stored = new List<byte>();
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < 2; i++)
                    stored.AddRange(BitConverter.GetBytes((double)(100 * i + 10 * j + k)));
        string path = _dir.WriteBytes("f.npy", NpyTestFiles.Build(NpyTestFiles.Header("<f8", "(2, 3, 4)", fortran: true), [.. stored]));

        NpyArray read = NpyReader.ReadArray(path);

        Assert.Equal(shape, read.Shape);
        int n = 0;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    Assert.Equal(100 * i + 10 * j + k, read.Data[n++]);
    }

    [Fact]
    public void ReadArray_Truncated_FailsNamingFile()
    {
        string path = _dir.WriteBytes("t.npy", NpyTestFiles.Build(NpyTestFiles.Header("<f4", "(2, 3, 4)"), new byte[10]));

        var e = Assert.Throws<DataFormatException>(() => NpyReader.ReadArray(path));

        Assert.StartsWith($"{path}: is truncated", e.Message);
    }

    [Fact]
    public void Write_ShapeDoesNotMatchData_Throws() =>
        Assert.Throws<ArgumentException>(() => NpyWriter.Write(_dir.File("x.npy"), [2, 2], new float[3]));
}
