using System.Buffers.Binary;
using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public sealed class NpyReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadRows_Float32CellsByFrames_OneRowPerCell()
    {
        string path = Write("F.npy", NpyTestFiles.Float32([[1f, 2f, 3f], [-4f, 5.5f, float.NaN]]));

        float[][] rows = NpyReader.ReadRows(path);

        Assert.Equal(2, rows.Length);
        Assert.Equal([1f, 2f, 3f], rows[0]);
        Assert.Equal(-4f, rows[1][0]);
        Assert.Equal(5.5f, rows[1][1]);
        Assert.True(float.IsNaN(rows[1][2])); // NaN is passed through for the preprocessor to handle
    }

    [Fact]
    public void ReadRows_Float64FortranOrder_SameRowsAsCOrder()
    {
        // Logical array [[1, 2, 3], [4, 5, 6]] stored column-major: 1 4 2 5 3 6.
        double[] columnMajor = [1, 4, 2, 5, 3, 6];
        var data = new byte[columnMajor.Length * 8];
        for (int k = 0; k < columnMajor.Length; k++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(k * 8), columnMajor[k]);
        string path = Write("f.npy", NpyTestFiles.Build(NpyTestFiles.Header("<f8", "(2, 3)", fortran: true), data));

        float[][] rows = NpyReader.ReadRows(path);

        Assert.Equal([1f, 2f, 3f], rows[0]);
        Assert.Equal([4f, 5f, 6f], rows[1]);
    }

    [Fact]
    public void ReadRows_OneDimensional_OneRow()
    {
        string path = Write("t.npy", NpyTestFiles.Build(NpyTestFiles.Header("<f8", "(4,)"), DoublesLittleEndian(0.5, 1.5, 2.5, 3.5)));

        float[][] rows = NpyReader.ReadRows(path);

        Assert.Single(rows);
        Assert.Equal([0.5f, 1.5f, 2.5f, 3.5f], rows[0]);
    }

    public static TheoryData<string, byte[]> EachDtypeHoldingMinusTwoAndThree => new()
    {
        { "<f2", [0x00, 0xC0, 0x00, 0x42] },
        { "<f4", [0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x40, 0x40] },
        { ">f4", [0xC0, 0x00, 0x00, 0x00, 0x40, 0x40, 0x00, 0x00] },
        { "<f8", [0, 0, 0, 0, 0, 0, 0x00, 0xC0, 0, 0, 0, 0, 0, 0, 0x08, 0x40] },
        { ">f8", [0xC0, 0x00, 0, 0, 0, 0, 0, 0, 0x40, 0x08, 0, 0, 0, 0, 0, 0] },
        { "|i1", [0xFE, 0x03] },
        { "<i2", [0xFE, 0xFF, 0x03, 0x00] },
        { "<i4", [0xFE, 0xFF, 0xFF, 0xFF, 0x03, 0, 0, 0] },
        { "<i8", [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0, 0, 0, 0, 0, 0, 0] },
        { ">i8", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 0, 0, 0, 0, 0x03] },
    };

    [Theory]
    [MemberData(nameof(EachDtypeHoldingMinusTwoAndThree))]
    public void ReadRows_SignedNumericDtypes_DecodeMinusTwoAndThree(string descr, byte[] data)
    {
        string path = Write("d.npy", NpyTestFiles.Build(NpyTestFiles.Header(descr, "(2,)"), data));

        Assert.Equal([-2f, 3f], NpyReader.ReadRows(path)[0]);
    }

    [Theory]
    [InlineData("|u1", new byte[] { 0xFF, 0x03 }, 255f)]
    [InlineData("<u2", new byte[] { 0xFF, 0xFF, 0x03, 0x00 }, 65535f)]
    [InlineData("<u4", new byte[] { 0x00, 0x00, 0x01, 0x00, 0x03, 0, 0, 0 }, 65536f)]
    [InlineData("<u8", new byte[] { 0, 0, 0, 0, 0x01, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0 }, 4294967296f)]
    [InlineData("|b1", new byte[] { 0x01, 0x00 }, 1f)]
    public void ReadRows_UnsignedAndBoolDtypes_Decode(string descr, byte[] data, float first)
    {
        string path = Write("u.npy", NpyTestFiles.Build(NpyTestFiles.Header(descr, "(2,)"), data));

        float[] row = NpyReader.ReadRows(path)[0];

        Assert.Equal(first, row[0]);
        Assert.Equal(descr == "|b1" ? 0f : 3f, row[1]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadHeader_Versions2And3_FourByteHeaderLength(int version)
    {
        string path = Write("v.npy", NpyTestFiles.Build(NpyTestFiles.Header("<f4", "(1, 2)"), FloatsLittleEndian(7f, 8f), version));

        NpyHeader header = NpyReader.ReadHeader(path);

        Assert.Equal(version, header.FormatVersion);
        Assert.Equal(new FileInfo(path).Length - 8, header.DataOffset); // two float32 values follow the header
        Assert.Equal([1L, 2L], header.Shape);
        Assert.Equal([7f, 8f], NpyReader.ReadRows(path)[0]);
    }

    [Fact]
    public void ReadHeader_Python2LongsAndDoubleQuotes_Parsed()
    {
        string path = Write("py2.npy", NpyTestFiles.Build("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1L, 2L)}", FloatsLittleEndian(1f, 2f)));

        Assert.Equal([1f, 2f], NpyReader.ReadRows(path)[0]);
    }

    [Fact]
    public void ReadTraces_TwoRows_NamedRoiByRowIndex()
    {
        string path = Write("F.npy", NpyTestFiles.Float32([[1f, 2f], [3f, 4f]]));

        TraceSet traces = NpyReader.ReadTraces(path, frameRateHz: 30);

        Assert.Equal(["roi0", "roi1"], traces.Names);
        Assert.Equal([3f, 4f], traces["roi1"]);
        Assert.Equal(30, traces.FrameRateHz);
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "empty", [], "only 0 bytes long" },
        { "wrong magic", "PK\x03\x04 a zip file, not numpy"u8.ToArray(), "does not start with \\x93NUMPY" },
        { "version 4", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 4, 0, 0, 0], "format version 4.0" },
        { "header cut short", NpyTestFiles.Build(NpyTestFiles.Header("<f4", "(2,)"), [])[..30], "truncated" },
        { "object array", NpyTestFiles.ObjectArray(NpyTestFiles.PickleDictProtocol4(("fs", 30.0))), "pickled Python objects" },
        { "complex dtype", NpyTestFiles.Build(NpyTestFiles.Header("<c8", "(1,)"), new byte[8]), "dtype '<c8', which is not supported" },
        { "string dtype", NpyTestFiles.Build(NpyTestFiles.Header("<U5", "(1,)"), new byte[20]), "dtype '<U5', which is not supported" },
        { "structured dtype", NpyTestFiles.Build("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]), "structured (record) dtype" },
        { "truncated data", NpyTestFiles.Build(NpyTestFiles.Header("<f4", "(2, 3)"), new byte[20]), "promises shape (2, 3) of 4-byte values (24 bytes) but only 20 bytes" },
        { "three dimensions", NpyTestFiles.Build(NpyTestFiles.Header("<f4", "(2, 1, 1)"), new byte[8]), "shape (2, 1, 1) (3 dimensions)" },
        { "scalar", NpyTestFiles.Build(NpyTestFiles.Header("<f4", "()"), new byte[4]), "shape () (0 dimensions)" },
        { "no shape", NpyTestFiles.Build("{'descr': '<f4', 'fortran_order': False, }", new byte[4]), "no 'shape' tuple" },
        { "negative dimension", NpyTestFiles.Build(NpyTestFiles.Header("<f4", "(-1,)"), new byte[4]), "bad dimension '-1'" },
        { "not a dict", NpyTestFiles.Build("descr=<f4", new byte[4]), "not a Python dict literal" },
        { "unterminated string", NpyTestFiles.Build("{'descr: 1}", new byte[4]), "unterminated string" },
        { "huge header length", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0x7F], "the file is corrupt" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void ReadRows_BadFile_DataFormatExceptionNamingFileAndProblem(string name, byte[] bytes, string expected)
    {
        string path = Write(name.Replace(' ', '_') + ".npy", bytes);

        var error = Assert.Throws<DataFormatException>(() => NpyReader.ReadRows(path));

        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Problem);
    }

    [Fact]
    public void ReadRows_MissingFile_FileNotFound()
    {
        var error = Assert.Throws<DataFormatException>(() => NpyReader.ReadRows(_dir.File("absent.npy")));
        Assert.Contains("file not found", error.Message);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public void ReadPickledNumber_PythonFloatUnderKey_Found(int protocol)
    {
        (string, object)[] ops = [("nplanes", 1), ("save_path0", "/data/fs"), ("fs", 15.5), ("tau", 1.0)];
        byte[] pickle = protocol == 4 ? NpyTestFiles.PickleDictProtocol4(ops) : NpyTestFiles.PickleDictProtocol3(ops);
        string path = Write("ops.npy", NpyTestFiles.ObjectArray(pickle));

        Assert.Equal(15.5, NpyReader.ReadPickledNumber(path, "fs"));
        Assert.Equal(1.0, NpyReader.ReadPickledNumber(path, "tau"));
        Assert.Equal(1.0, NpyReader.ReadPickledNumber(path, "nplanes"));
    }

    [Theory]
    [InlineData(30, 30.0)]
    [InlineData(300, 300.0)]
    public void ReadPickledNumber_PythonIntUnderKey_Found(int stored, double expected)
    {
        string path = Write("ops.npy", NpyTestFiles.ObjectArray(NpyTestFiles.PickleDictProtocol4(("fs", stored))));

        Assert.Equal(expected, NpyReader.ReadPickledNumber(path, "fs"));
    }

    // CPython's pickle of np.save's 0-d object array wrapping {'nplanes': 1, 'tau': 1.0, 'fs': np.float64(15.5),
    // 'save_path0': '/data/x', 'nframes': 3000}, with stand-ins for NumPy's classes whose __reduce__ returns what
    // NumPy's does: (multiarray._reconstruct, (ndarray, (0,), b'b'), (1, (), dtype('O8'), False, [dict])) and
    // (multiarray.scalar, (dtype('f8'), <8 little-endian bytes>)).
    private const string NumpyScalarProtocol3 =
        "8003636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b008571024301627103877104527105284b0129636e756d70790a64747970650a710658020000004f3871078988877108527109284b0358010000007c710a4e4e4e4affffffff4affffffff4b3f74710b62895d710c7d710d2858070000006e706c616e6573710e4b015803000000746175710f473ff0000000000000580200000066737110636e756d70792e636f72652e6d756c746961727261790a7363616c61720a711168065802000000663871128988877113527114284b0358010000003c71154e4e4e4affffffff4affffffff4b007471166243080000000000002f407117867118527119580a000000736176655f7061746830711a58070000002f646174612f78711b58070000006e6672616d6573711c4db80b756174711d622e";

    private const string NumpyScalarProtocol4 =
        "8004950f010000000000008c156e756d70792e636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b012968038c0564747970659493948c024f3894898887945294284b038c017c944e4e4e4affffffff4affffffff4b3f749462895d947d94288c076e706c616e6573944b018c0374617594473ff00000000000008c0266739468008c067363616c6172949394680b8c02663894898887945294284b038c013c944e4e4e4affffffff4affffffff4b0074946243080000000000002f4094869452948c0a736176655f7061746830948c072f646174612f78948c076e6672616d6573944db80b75617494622e";

    [Theory]
    [InlineData(NumpyScalarProtocol3)]
    [InlineData(NumpyScalarProtocol4)]
    public void ReadPickledNumber_NumpyFloat64Scalar_Found(string pickleHex)
    {
        string path = Write("ops.npy", NpyTestFiles.ObjectArray(Convert.FromHexString(pickleHex)));

        Assert.Equal(15.5, NpyReader.ReadPickledNumber(path, "fs"));
        Assert.Equal(3000.0, NpyReader.ReadPickledNumber(path, "nframes"));
    }

    [Fact]
    public void ReadPickledNumber_KeyOnlyInsideLongerKeysAndValues_Null()
    {
        // 'fs' occurs as bytes in 'fs2', 'nfs' and a string value, but never as a key of its own.
        string path = Write("ops.npy", NpyTestFiles.ObjectArray(NpyTestFiles.PickleDictProtocol4(("fs2", 3.0), ("nfs", 4.0), ("path", "fs"))));

        Assert.Null(NpyReader.ReadPickledNumber(path, "fs"));
    }

    [Fact]
    public void ReadPickledNumber_KeyWithStringValue_Null()
    {
        string path = Write("ops.npy", NpyTestFiles.ObjectArray(NpyTestFiles.PickleDictProtocol4(("fs", "thirty"))));

        Assert.Null(NpyReader.ReadPickledNumber(path, "fs"));
    }

    [Fact]
    public void ReadPickledNumber_NumericArray_Null()
    {
        string path = Write("F.npy", NpyTestFiles.Float32([[1f]]));

        Assert.Null(NpyReader.ReadPickledNumber(path, "fs"));
    }

    [Fact]
    public void ReadPickledNumber_NotNpy_DataFormatException()
    {
        string path = _dir.WriteText("ops.npy", "fs = 30");

        Assert.Throws<DataFormatException>(() => NpyReader.ReadPickledNumber(path, "fs"));
    }

    private static byte[] FloatsLittleEndian(params float[] values)
    {
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        return data;
    }

    private static byte[] DoublesLittleEndian(params double[] values)
    {
        var data = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), values[i]);
        return data;
    }
}
