using System.Globalization;
using System.Text;
using DeepSpike.Cli.Commands;
using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Tests.Data;

namespace DeepSpike.Cli.Tests;

/// <summary>
/// Everyday files from other tools through the command line: what the library refuses comes out as one error line
/// that names the flag which reads the file as meant (<c>--no-header</c>, <c>--transpose</c>, <c>--frame-rate</c>),
/// what it decides comes out as one note line, and a flood of per-trace warnings is capped.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class TableVariantCliTests : IDisposable
{
    private const int Cells = 4;
    private const int Frames = 600;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Output => _dir.Sub("out");

    private static float Value(int t, int c) => MathF.Round(0.05f * MathF.Sin(0.3f * t + 1.7f * c) + 0.02f * MathF.Sin(2.9f * t * (c + 1)), 5);

    private static string Number(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static IEnumerable<string> FrameRows(int cells = Cells) =>
        Enumerable.Range(0, Frames).Select(t => string.Join(',', Enumerable.Range(0, cells).Select(c => Number(Value(t, c)))));

    private CliResult Deconvolve(string data, params string[] extra) =>
        CliHost.Run(["deconvolve", "--method", "oasis-ar1", "--data", data, "--frame-rate", "30", "--out", Output, .. extra]);

    private TraceSet Written() => TraceCsv.Read(Path.Combine(Output, "probabilities.csv"));

    [Fact]
    public void Deconvolve_CsvWithoutHeader_FailsNamingNoHeaderFlag_ThenReadsEveryFrame()
    {
        string path = _dir.WriteText("traces.csv", string.Join('\n', FrameRows()) + "\n");

        CliHost.AssertCleanFailure(Deconvolve(path), Output, path, "the header row holds numbers", "; pass --no-header");
        Assert.Equal(0, Deconvolve(path, "--no-header").ExitCode);

        TraceSet written = Written();
        Assert.Equal(["column1", "column2", "column3", "column4"], written.Names);
        Assert.All(written.Traces, t => Assert.Equal(Frames, t.Length));
    }

    [Fact]
    public void Deconvolve_CellsInRowsCsv_FailsNamingTransposeFlag_ThenReadsOneTracePerRow()
    {
        var rows = Enumerable.Range(0, Cells).Select(c => $"cell{c}," + string.Join(',', Enumerable.Range(0, Frames).Select(t => Number(Value(t, c)))));
        string path = _dir.WriteText("rows.csv", "," + string.Join(',', Enumerable.Range(0, Frames)) + "\n" + string.Join('\n', rows) + "\n");

        CliHost.AssertCleanFailure(Deconvolve(path), Output, path, "lie in rows (one row per cell)", "; pass --transpose");
        var result = Deconvolve(path, "--transpose");
        Assert.Equal(0, result.ExitCode);

        Assert.Equal(["cell0", "cell1", "cell2", "cell3"], Written().Names);
        Assert.All(Written().Traces, t => Assert.Equal(Frames, t.Length));
        Assert.Contains("note: " + path + ": skipped row 1: frame labels, not a trace", result.ErrorLines);
    }

    [Fact]
    public void Deconvolve_FramesByCellsNpy_FailsNamingTransposeFlag_ThenReadsOneTracePerColumn()
    {
        string path = _dir.WriteBytes("F.npy", NpyTestFiles.Float32([.. Enumerable.Range(0, Frames).Select(t => Enumerable.Range(0, Cells).Select(c => Value(t, c) + 1).ToArray())]));

        CliHost.AssertCleanFailure(Deconvolve(path), Output, path, $"shape ({Frames}, {Cells})", "; pass --transpose");
        Assert.Equal(0, Deconvolve(path, "--transpose", "--input-kind", "dff").ExitCode);

        Assert.Equal(Cells, Written().Count);
        Assert.All(Written().Traces, t => Assert.Equal(Frames, t.Length));
    }

    [Fact]
    public void Deconvolve_NpyWithoutFrameRate_FailsNamingFrameRateFlag()
    {
        string path = _dir.WriteBytes("F.npy", NpyTestFiles.Float32([[1, 2, 3]]));

        CliHost.AssertCleanFailure(CliHost.Run("deconvolve", "--method", "oasis-ar1", "--data", path, "--out", Output), Output,
            path, "frame rate unknown: a .npy file does not store one; pass --frame-rate");
    }

    [Fact]
    public void Deconvolve_TimeColumnAndSemicolons_OneNoteEachAndOnlyTheCellsWritten()
    {
        var rows = FrameRows().Select((row, t) => $"{Number(t / 30f)},{row}".Replace(',', ';'));
        string header = "Time (s);" + string.Join(';', Enumerable.Range(0, Cells).Select(c => $"cell{c}"));
        string path = _dir.WriteText("traces.csv", header + "\n" + string.Join('\n', rows) + "\n");

        var result = Deconvolve(path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["cell0", "cell1", "cell2", "cell3"], Written().Names);
        string[] notes = result.ErrorLines.Where(l => l.StartsWith("note:", StringComparison.Ordinal)).ToArray();
        Assert.Equal([$"note: {path}: read as ';'-separated values",
                      $"note: {path}: dropped the first column 'Time (s)': it increases in steps of 0.03333, so it is a time or frame index, not a trace"], notes);
    }

    [Fact]
    public void Deconvolve_ThousandsOfBadTraces_WarningsCappedWithACount()
    {
        const int Constant = 2000;
        var header = Enumerable.Range(0, Cells).Select(c => $"cell{c}").Concat(Enumerable.Range(0, Constant).Select(k => $"flat{k}"));
        string flat = string.Concat(Enumerable.Repeat(",0.5", Constant));
        string path = _dir.WriteText("traces.csv", string.Join(',', header) + "\n" + string.Join('\n', FrameRows().Select(r => r + flat)) + "\n");

        var result = Deconvolve(path);

        Assert.Equal(0, result.ExitCode);
        string[] warnings = result.ErrorLines.Where(l => l.StartsWith("warning:", StringComparison.Ordinal)).ToArray();
        Assert.Equal(FluorescenceInput.MaxWarningsShown + 2, warnings.Length);
        Assert.Equal($"warning: … and {Constant - FluorescenceInput.MaxWarningsShown} more warnings like these ({Constant} in all; the summary below counts the skipped traces)", warnings[^2]);
        Assert.StartsWith($"warning: skipped {Constant} of {Constant + Cells} traces", warnings[^1]);
        Assert.Equal(Cells, Written().Count);
    }

    [Fact]
    public void Deconvolve_MetaJsonFromAnotherTool_RunsWithOneNote()
    {
        string folder = _dir.Folder("data");
        File.WriteAllText(Path.Combine(folder, Dataset.CalciumFileName), string.Join(',', Enumerable.Range(0, Cells).Select(c => $"cell{c}")) + "\n" + string.Join('\n', FrameRows()) + "\n");
        string meta = Path.Combine(folder, Dataset.MetaFileName);
        File.WriteAllText(meta, """{ "frame_rate_hz": "30", "traces": [ { "roi": 1, "plane": 0 } ], "columns": ["cell0"], "indicator": 6 }""");

        var result = CliHost.Run("deconvolve", "--method", "oasis-ar1", "--data", folder, "--out", Output);

        Assert.Equal(0, result.ExitCode);
        string note = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"note: {meta}: ignored what is not in the shape this tool reads: 'indicator' (the number 6, expected text); 'traces'", note);
        Assert.Equal(Cells, Written().Count);
    }
}
