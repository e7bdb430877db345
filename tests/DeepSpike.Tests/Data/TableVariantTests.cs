using System.Globalization;
using System.Text;
using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

/// <summary>
/// The everyday table variants that other tools write: each is either read as meant (with a note when the reader
/// decided something) or refused with a message and a remedy — never read as something else.
/// </summary>
public sealed class TableVariantTests : IDisposable
{
    private const int Cells = 3;
    private const int Frames = 40;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A frames × cells table of distinct, non-monotonic values: cell c at frame t.</summary>
    private static float Value(int t, int c) => MathF.Round(0.1f * c + 0.05f * MathF.Sin(0.7f * t + c), 5);

    private static string Format(float v, bool decimalComma = false)
    {
        string text = v.ToString("R", CultureInfo.InvariantCulture);
        return decimalComma ? text.Replace('.', ',') : text;
    }

    /// <summary>Writes the table: a header (optional), one row per frame, with the given delimiter and number style.</summary>
    private string WriteTable(string name, char delimiter = ',', bool header = true, bool decimalComma = false, bool quoteNumbers = false,
        Func<int, string>? leadingColumn = null, string leadingName = "time")
    {
        var text = new StringBuilder();
        var names = Enumerable.Range(0, Cells).Select(c => $"cell{c}");
        if (leadingColumn is not null) names = names.Prepend(leadingName);
        if (header) text.Append(string.Join(delimiter, names)).Append('\n');
        for (int t = 0; t < Frames; t++)
        {
            var fields = Enumerable.Range(0, Cells).Select(c => Format(Value(t, c), decimalComma)).Select(f => quoteNumbers ? $"\"{f}\"" : f);
            if (leadingColumn is not null) fields = fields.Prepend(leadingColumn(t));
            text.Append(string.Join(delimiter, fields)).Append('\n');
        }
        return _dir.WriteText(name, text.ToString());
    }

    private static void AssertIsTheTable(TraceSet set, bool namesFromHeader = true)
    {
        if (namesFromHeader) Assert.Equal(Enumerable.Range(0, Cells).Select(c => $"cell{c}"), set.Names);
        for (int c = 0; c < Cells; c++)
            Assert.Equal(Enumerable.Range(0, Frames).Select(t => Value(t, c)), set.Traces[c]);
    }

    [Fact]
    public void ReadTable_PlainCsv_NoNotes()
    {
        TraceTable table = TraceCsv.ReadTable(WriteTable("plain.csv"));

        AssertIsTheTable(table.Traces);
        Assert.Empty(table.Notes);
    }

    [Theory]
    [InlineData('\t', false, "read as tab-separated values")]
    [InlineData('\t', true, "read as tab-separated values with decimal commas")]
    [InlineData(';', false, "read as ';'-separated values")]
    [InlineData(';', true, "read as ';'-separated values with decimal commas")]
    public void ReadTable_OtherDelimiterOrDecimalComma_ReadWithNote(char delimiter, bool decimalComma, string note)
    {
        TraceTable table = TraceCsv.ReadTable(WriteTable("table.csv", delimiter, decimalComma: decimalComma));

        AssertIsTheTable(table.Traces);
        Assert.Equal(note, Assert.Single(table.Notes));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadTable_QuotedNumbers_Read(bool decimalComma)
    {
        // A quoted "0,5" in a comma-separated file can only be a decimal comma.
        TraceTable table = TraceCsv.ReadTable(WriteTable("quoted.csv", quoteNumbers: true, decimalComma: decimalComma));

        AssertIsTheTable(table.Traces);
    }

    [Fact]
    public void ReadTable_UnquotedDecimalCommaWithCommaDelimiter_RefusedNamingTheCause()
    {
        string path = _dir.WriteText("one.csv", "dff\n0,5\n0,7\n");

        var e = Assert.Throws<DataFormatException>(() => TraceCsv.ReadTable(path));

        Assert.Equal($"{path}: row 2 has 2 fields but the header has 1 name; if ',' is the decimal separator in this file, " +
                     "quote the numbers or separate the columns with ';' or tabs", e.Message);
    }

    [Fact]
    public void ReadTable_NoHeader_RefusedWithRemedyAndNoFrameLost()
    {
        string path = WriteTable("noheader.csv", header: false);

        var e = Assert.Throws<DataFormatException>(() => TraceCsv.ReadTable(path));

        Assert.Equal(FormatRemedy.ReadWithoutHeader, e.Remedy);
        Assert.StartsWith($"{path}: the header row holds numbers ('{Format(Value(0, 0))}', '{Format(Value(0, 1))}', '{Format(Value(0, 2))}'), not trace names", e.Message);
    }

    [Fact]
    public void ReadTable_NoHeaderReadWithoutHeader_EveryRowIsAFrame()
    {
        TraceTable table = TraceCsv.ReadTable(WriteTable("noheader.csv", header: false), layout: new TableLayout { HasHeader = false });

        AssertIsTheTable(table.Traces, namesFromHeader: false);
        Assert.Equal(["column1", "column2", "column3"], table.Traces.Names);
    }

    [Theory]
    [InlineData("0,1,2")]
    [InlineData("1,2,3")]
    [InlineData(",0,1")]
    public void ReadTable_HeaderOfRoiNumbers_AcceptedAsNames(string header)
    {
        string path = _dir.WriteText("rois.csv", header + "\n0.5,0.25,0.75\n0.125,0.5,0.25\n");

        TraceSet set = TraceCsv.Read(path);

        Assert.Equal(header.Split(',').Where(n => n.Length > 0), set.Names.TakeLast(header.Split(',').Count(n => n.Length > 0)));
    }

    [Theory]
    [InlineData("time", 1 / 30.0)]
    [InlineData("Time (s)", 1 / 30.0)]
    [InlineData("t_ms", 1000 / 30.0)]
    [InlineData("frame", 1)]
    [InlineData("Unnamed: 0", 1)]
    [InlineData("", 1)]
    [InlineData("whatever", 0.05)]
    public void ReadTable_LeadingClockColumn_DroppedWithOneNote(string name, double step)
    {
        string path = WriteTable("clock.csv", leadingColumn: t => Format((float)(t * step)), leadingName: name);

        TraceTable table = TraceCsv.ReadTable(path);

        AssertIsTheTable(table.Traces);
        string note = Assert.Single(table.Notes);
        Assert.Contains($"it increases in steps of {step:G4}, so it is a time or frame index, not a trace", note);
    }

    [Fact]
    public void ReadTable_ClockNamedColumnNotIncreasing_KeptAsTrace()
    {
        string path = WriteTable("notclock.csv", leadingColumn: t => Format(Value(t, 7)), leadingName: "time");

        TraceTable table = TraceCsv.ReadTable(path);

        Assert.Equal(Cells + 1, table.Traces.Count);
        Assert.Empty(table.Notes);
    }

    [Fact]
    public void ReadTable_ShortRisingTraceNotNamedLikeAClock_Kept()
    {
        // Three frames rising in equal steps could be a transient; too few to call it a clock.
        string path = _dir.WriteText("short.csv", "a,b\n0.1,0.5\n0.2,0.6\n0.3,0.4\n");

        Assert.Equal(["a", "b"], TraceCsv.Read(path).Names);
    }

    [Fact]
    public void ReadTable_OnlyAClockColumn_Refused()
    {
        string path = _dir.WriteText("clock.csv", "time\n0\n0.5\n1\n");

        var e = Assert.Throws<DataFormatException>(() => TraceCsv.ReadTable(path));

        Assert.Contains("holds only a time or index column", e.Message);
    }

    /// <summary>Cells in rows: <paramref name="cells"/> rows of <paramref name="frames"/> values, optionally named
    /// and with a header row of frame numbers as pandas' <c>df.T.to_csv()</c> writes it.</summary>
    private string WriteRows(int cells, int frames, bool names, bool frameHeader)
    {
        var text = new StringBuilder();
        if (frameHeader) text.Append(names ? "," : "").Append(string.Join(',', Enumerable.Range(0, frames))).Append('\n');
        for (int c = 0; c < cells; c++)
        {
            var values = Enumerable.Range(0, frames).Select(t => Format(Value(t, c)));
            text.Append(string.Join(',', names ? values.Prepend($"cell{c}") : values)).Append('\n');
        }
        return _dir.WriteText("rows.csv", text.ToString());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void ReadTable_CellsInRowsAuto_RefusedWithTransposeRemedy(bool names, bool frameHeader)
    {
        string path = WriteRows(Cells, 100, names, frameHeader);

        var e = Assert.Throws<DataFormatException>(() => TraceCsv.ReadTable(path));

        Assert.Equal(FormatRemedy.Transpose, e.Remedy);
        Assert.Contains("the traces lie in rows (one row per cell)", e.Message.Replace("seem to lie", "lie"));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void ReadTable_CellsInRowsTransposed_ReadAsTraces(bool names, bool frameHeader)
    {
        string path = WriteRows(Cells, 100, names, frameHeader);

        TraceSet set = TraceCsv.ReadTable(path, layout: new TableLayout { Orientation = TraceOrientation.Transposed }).Traces;

        Assert.Equal(Enumerable.Range(names ? 0 : 1, Cells).Select(c => names ? $"cell{c}" : $"row{c}"), set.Names);
        for (int c = 0; c < Cells; c++)
            Assert.Equal(Enumerable.Range(0, 100).Select(t => Value(t, c)), set.Traces[c]);
    }

    [Fact]
    public void ReadTable_CellsInRowsUsualOrientation_ReadAsWritten()
    {
        string path = WriteRows(Cells, 100, names: false, frameHeader: true);

        TraceSet set = TraceCsv.ReadTable(path, layout: new TableLayout { Orientation = TraceOrientation.Usual }).Traces;

        Assert.Equal(100, set.Count);
    }

    [Fact]
    public void ReadTable_WideButLongEnough_NotTakenForTransposed()
    {
        var text = new StringBuilder(string.Join(',', Enumerable.Range(0, 40).Select(c => $"c{c}")) + "\n");
        for (int t = 0; t < 10; t++) text.Append(string.Join(',', Enumerable.Range(0, 40).Select(c => Format(Value(t, c))))).Append('\n');

        Assert.Equal(40, TraceCsv.Read(_dir.WriteText("wide.csv", text.ToString())).Count);
    }

    [Fact]
    public void ReadTraces_NpyFramesByCellsAuto_RefusedWithTransposeRemedy()
    {
        string path = NpyFramesByCells();

        var e = Assert.Throws<DataFormatException>(() => NpyReader.ReadTraces(path, 30));

        Assert.Equal(FormatRemedy.Transpose, e.Remedy);
        Assert.Contains($"holds an array of shape ({Frames}, {Cells}), read as {Frames} cells × {Cells} frames", e.Message);
    }

    [Fact]
    public void ReadTraces_NpyFramesByCellsTransposed_OneTracePerColumn()
    {
        TraceSet set = NpyReader.ReadTraces(NpyFramesByCells(), 30, TraceOrientation.Transposed);

        Assert.Equal(Cells, set.Count);
        for (int c = 0; c < Cells; c++)
            Assert.Equal(Enumerable.Range(0, Frames).Select(t => Value(t, c)), set.Traces[c]);
    }

    [Fact]
    public void ReadTraces_NpyFramesByCellsUsual_ReadAsWritten()
    {
        Assert.Equal(Frames, NpyReader.ReadTraces(NpyFramesByCells(), 30, TraceOrientation.Usual).Count);
    }

    [Fact]
    public void ReadTraces_OneDimensionalTransposed_StillOneTrace()
    {
        string path = _dir.File("one.npy");
        File.WriteAllBytes(path, NpyTestFiles.Build(NpyTestFiles.Header("<f4", "(3,)"), [.. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(2f), .. BitConverter.GetBytes(3f)]));

        Assert.Equal([1f, 2f, 3f], Assert.Single(NpyReader.ReadTraces(path, 30, TraceOrientation.Transposed).Traces));
    }

    private string NpyFramesByCells()
    {
        string path = _dir.File("frames-by-cells.npy");
        File.WriteAllBytes(path, NpyTestFiles.Float32([.. Enumerable.Range(0, Frames).Select(t => Enumerable.Range(0, Cells).Select(c => Value(t, c)).ToArray())]));
        return path;
    }

    [Fact]
    public void Load_DatasetFolderWithTimeColumnInBothFiles_NamesStillMatchAndNotesNameTheFile()
    {
        string folder = _dir.Path;
        string calcium = WriteTable(Dataset.CalciumFileName, leadingColumn: t => Format(t / 30f));
        File.WriteAllText(_dir.File(Dataset.SpikesFileName),
            "time,cell0,cell1,cell2\n" + string.Concat(Enumerable.Range(0, Frames).Select(t => $"{Format(t / 30f)},0,{t % 2},0\n")));
        File.WriteAllText(_dir.File(Dataset.MetaFileName), """{ "frame_rate_hz": 30, "traces": [ "cell0" ] }""");

        Dataset data = Dataset.Load(folder);

        AssertIsTheTable(data.Calcium);
        Assert.Equal(data.Calcium.Names, data.Spikes!.Names);
        Assert.Equal(2, data.Notes.Count);
        Assert.StartsWith($"{calcium}: dropped the first column 'time'", data.Notes[0]);
        Assert.StartsWith($"{_dir.File(Dataset.MetaFileName)}: ignored", data.Notes[1]);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("0.5")]
    [InlineData("-3")]
    public void WriteThenRead_NumericName_QuotedSoItStaysAName(string name)
    {
        string path = _dir.File("numeric-name.csv");
        TraceCsv.Write(path, [name, "b"], [[0.25f, 0.5f], [1f, 2f]]);

        Assert.StartsWith($"\"{name}\",b\n", File.ReadAllText(path));
        Assert.Equal([name, "b"], TraceCsv.Read(path).Names);
    }

    [Fact]
    public void ReadTable_EverythingQuotedWithoutHeader_StillRefusedAsNoHeader()
    {
        string path = _dir.WriteText("quoted-all.csv", "\"0.5\",\"0.25\"\n\"0.75\",\"0.125\"\n");

        Assert.Equal(FormatRemedy.ReadWithoutHeader, Assert.Throws<DataFormatException>(() => TraceCsv.ReadTable(path)).Remedy);
    }
}
