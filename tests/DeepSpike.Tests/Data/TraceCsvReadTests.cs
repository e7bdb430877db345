using System.Globalization;
using System.IO.Compression;
using System.Text;
using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public class TraceCsvReadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private DataFormatException ReadFails(string csv, string fileName = "calcium.csv")
    {
        string path = _dir.WriteText(fileName, csv);
        var e = Assert.Throws<DataFormatException>(() => TraceCsv.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Fact]
    public void Read_RaggedColumnsPaddedWithEmptyAndNaN_TrimsPadding()
    {
        string path = _dir.WriteText("calcium.csv", "a,b,c\n1,2,3\n4,,NaN\n5,,\n");

        TraceSet set = TraceCsv.Read(path, frameRateHz: 60);

        Assert.Equal(["a", "b", "c"], set.Names);
        Assert.Equal([1f, 4f, 5f], set.Traces[0]);
        Assert.Equal([2f], set.Traces[1]);
        Assert.Equal([3f], set.Traces[2]);
        Assert.Equal(60, set.FrameRateHz);
    }

    [Fact]
    public void Read_RandomRaggedFile_MatchesNaiveSplitReader()
    {
        var rng = new Random(1234);
        int columns = 17, rows = 300;
        var lengths = Enumerable.Range(0, columns).Select(_ => rng.Next(1, rows + 1)).ToArray();
        var text = new StringBuilder(string.Join(',', Enumerable.Range(0, columns).Select(j => $"cell{j}")) + "\n");
        for (int t = 0; t < rows; t++)
        {
            text.AppendJoin(',', Enumerable.Range(0, columns).Select(j =>
                t < lengths[j] ? ((rng.NextDouble() - 0.3) * Math.Pow(10, rng.Next(-8, 8))).ToString("G9", CultureInfo.InvariantCulture)
                : rng.Next(2) == 0 ? "" : "NaN"));
            text.Append('\n');
        }
        string path = _dir.WriteText("random.csv", text.ToString());

        TraceSet set = TraceCsv.Read(path);

        // Reference: string.Split and float.Parse per field, the obvious slow reader.
        string[][] fields = File.ReadAllLines(path).Skip(1).Select(l => l.Split(',')).ToArray();
        for (int j = 0; j < columns; j++)
        {
            float[] expected = fields.Take(lengths[j]).Select(f => float.Parse(f[j], CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(expected, set.Traces[j]);
        }
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        string path = _dir.File("nope.csv");
        var e = Assert.Throws<DataFormatException>(() => TraceCsv.Read(path));
        Assert.Equal($"{path}: file not found", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-3.0)]
    public void Read_BadFrameRate_ThrowsBeforeReading(double frameRateHz) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TraceCsv.Read(_dir.File("not-even-there.csv"), frameRateHz));

    [Fact]
    public void Read_Folder_ThrowsExpectedFile() =>
        Assert.Contains("is a folder", Assert.Throws<DataFormatException>(() => TraceCsv.Read(_dir.Path)).Message);

    [Fact]
    public void Read_EmptyFile_ThrowsNoHeader() =>
        Assert.Contains("file is empty; expected a header row", ReadFails("").Message);

    [Fact]
    public void Read_BlankFirstRow_ThrowsNoHeader() =>
        Assert.Contains("first row is blank", ReadFails("\n1,2\n").Message);

    [Fact]
    public void Read_HeaderOnly_ThrowsNoDataRows() =>
        Assert.Contains("no data rows", ReadFails("a,b\n").Message);

    [Fact]
    public void Read_NonNumericField_ThrowsNamingTraceFrameAndRow()
    {
        var e = ReadFails("a,b\n1,2\n3,abc\n");
        Assert.Equal("trace 'b' has non-numeric text 'abc' at frame 1 (row 3)", e.Problem);
    }

    [Fact]
    public void Read_CommaAsDecimalSeparator_ThrowsTooManyFields() =>
        Assert.Contains("row 2 has 3 fields but the header has 2", ReadFails("a,b\n1,5,2\n").Message);

    [Theory]
    [InlineData("")]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData(" ")]
    public void Read_MissingValueInsideTrace_ThrowsNamingTraceAndFrame(string missing)
    {
        var e = ReadFails($"a,cell3\n1,2\n3,{missing}\n5,6\n7,\n");
        Assert.StartsWith("trace 'cell3' has a missing value at frame 1 (row 3);", e.Problem);
    }

    [Fact]
    public void Read_LeadingMissingValue_ThrowsAtFrameZero() =>
        Assert.StartsWith("trace 'a' has a missing value at frame 0 (row 2);", ReadFails("a\n\n1\n").Problem);

    [Theory]
    [InlineData("inf")]
    [InlineData("-Inf")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e39")]
    public void Read_InfiniteValue_Throws(string infinite)
    {
        var e = ReadFails($"a,b\n1,2\n3,{infinite}\n5,6\n");
        Assert.StartsWith($"trace 'b' has an infinite value '{infinite}' at frame 1 (row 3)", e.Problem);
    }

    [Fact]
    public void Read_InfiniteLastValue_Throws() =>
        Assert.Contains("infinite value", ReadFails("a\n1\ninf\n").Message);

    [Fact]
    public void Read_AllMissingColumn_ThrowsEmptyTrace() =>
        Assert.Equal("trace 'x' (column 2) is empty: it has no values", ReadFails("a,x\n1,\n2,NaN\n").Problem);

    [Fact]
    public void Read_RowLongerThanHeader_Throws() =>
        Assert.Equal("row 3 has 3 fields but the header has 2 names", ReadFails("a,b\n1,2\n1,2,3\n").Problem);

    [Fact]
    public void Read_TrailingCommasEverywhere_Accepted()
    {
        TraceSet set = TraceCsv.Read(_dir.WriteText("t.csv", "a,b,\n1,2,\n3,4,,\n"));

        Assert.Equal(["a", "b"], set.Names);
        Assert.Equal([2f, 4f], set.Traces[1]);
    }

    [Fact]
    public void Read_ShortRows_PaddedAsMissing()
    {
        TraceSet set = TraceCsv.Read(_dir.WriteText("t.csv", "a,b,c\n1,2,3\n4\n"));

        Assert.Equal([1f, 4f], set.Traces[0]);
        Assert.Equal([2f], set.Traces[1]);
        Assert.Equal([3f], set.Traces[2]);
    }

    [Fact]
    public void Read_DuplicateAndEmptyNames_MadeUnique()
    {
        TraceSet set = TraceCsv.Read(_dir.WriteText("t.csv", "a,,a,a_2\n1,2,3,4\n"));

        Assert.Equal(["a", "column2", "a_3", "a_2"], set.Names);
        Assert.Equal([3f], set["a_3"]);
        Assert.Equal([4f], set["a_2"]);
    }

    [Fact]
    public void Read_QuotedAndSpacedNames_UnquotedAndTrimmed()
    {
        TraceSet set = TraceCsv.Read(_dir.WriteText("t.csv", "\"x,1\", y ,\"say \"\"hi\"\"\"\n1,2,3\n"));

        Assert.Equal(["x,1", "y", "say \"hi\""], set.Names);
    }

    [Fact]
    public void Read_UnclosedQuoteInHeader_Throws() =>
        Assert.Contains("unclosed double quote", ReadFails("\"a,b\n1\n").Message);

    [Fact]
    public void Read_NumericNamesAsInSpikefinder_Accepted()
    {
        TraceSet set = TraceCsv.Read(_dir.WriteText("t.csv", "0,1\n0.5,1e-3\n"));

        Assert.Equal(["0", "1"], set.Names);
        Assert.Equal([0.001f], set.Traces[1]);
    }

    [Fact]
    public void Read_KeepNaNPolicy_KeepsInteriorGapAsNaN()
    {
        string path = _dir.WriteText("t.csv", "a\n1\n\nNaN\n4\n\n");

        float[] trace = TraceCsv.Read(path, missingValues: MissingValuePolicy.KeepNaN).Traces[0];

        Assert.Equal(4, trace.Length);
        Assert.Equal(1f, trace[0]);
        Assert.True(float.IsNaN(trace[1]) && float.IsNaN(trace[2]));
        Assert.Equal(4f, trace[3]);
    }

    [Fact]
    public void Read_CrLfLineEndingsAndBom_Parsed()
    {
        string path = _dir.File("t.csv");
        File.WriteAllText(path, "a,b\r\n1,2\r\n3,4\r\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        TraceSet set = TraceCsv.Read(path);

        Assert.Equal(["a", "b"], set.Names);
        Assert.Equal([2f, 4f], set.Traces[1]);
    }

    [Fact]
    public void Read_GzFile_Gunzipped()
    {
        string path = _dir.File("t.csv.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gz.Write("a\n1.5\n2.5\n"u8);

        Assert.Equal([1.5f, 2.5f], TraceCsv.Read(path).Traces[0]);
    }

    [Theory]
    [InlineData("PK\u0003\u0004\u0014\u0000")] // zip
    [InlineData("\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f4'")] // NumPy .npy
    [InlineData("a,b\u0000c")]
    public void Read_BinaryHeader_ThrowsNotTextCsv(string header) =>
        Assert.Contains("is not a text CSV file", ReadFails(header + "\n1,2\n").Problem);

    [Fact]
    public void Read_ControlCharactersInBadField_ShownAsQuestionMarks()
    {
        var e = ReadFails("a,b\n1,2\n3,x\u0001\u001by\n");

        Assert.Contains("non-numeric text 'x??y'", e.Message);
    }

    [Fact]
    public void Read_CorruptGz_ThrowsNotValidGzip() =>
        Assert.Contains("not a valid gzip file", ReadFails("a\n1\n", "t.csv.gz").Message);
}
