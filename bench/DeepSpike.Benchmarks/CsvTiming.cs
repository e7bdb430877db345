using System.Globalization;
using System.Text;
using DeepSpike.Data;

namespace DeepSpike.Benchmarks;

/// <summary>
/// Wall time of <see cref="TraceCsv.Read(string, double, MissingValuePolicy)"/> on a <see cref="Cells"/> × <see cref="Frames"/>
/// comma-separated file of 7-digit values (what suite2p exports hold), best of <see cref="Repeats"/>, in seconds and
/// MB/s: the parser's fast path, which dialect and layout detection must not slow.
/// </summary>
public static class CsvTiming
{
    /// <summary>Traces (columns).</summary>
    public const int Cells = 500;

    /// <summary>Frames (rows): 10 minutes at 30 Hz.</summary>
    public const int Frames = 18_000;

    /// <summary>Timed reads.</summary>
    public const int Repeats = 3;

    public static void Run(TextWriter output)
    {
        string path = Path.Combine(Path.GetTempPath(), $"deepspike-csv-timing-{Environment.ProcessId}.csv");
        try
        {
            var random = new Random(1);
            using (var writer = new StreamWriter(path, false, Encoding.UTF8))
            {
                writer.WriteLine(string.Join(',', Enumerable.Range(0, Cells).Select(c => $"roi{c}")));
                var row = new StringBuilder();
                for (int t = 0; t < Frames; t++)
                {
                    row.Clear();
                    for (int c = 0; c < Cells; c++)
                        row.Append(c == 0 ? "" : ",").Append((random.NextSingle() - 0.2f).ToString("F5", CultureInfo.InvariantCulture));
                    writer.WriteLine(row);
                }
            }
            double megabytes = new FileInfo(path).Length / 1e6;
            double seconds = BestOf.Seconds(() => TraceCsv.Read(path), Repeats, warmups: 1);
            output.WriteLine($"TraceCsv.Read {Cells} × {Frames} ({megabytes:F0} MB): {seconds:F2} s, {megabytes / seconds:F0} MB/s (best of {Repeats})");
        }
        finally { File.Delete(path); }
    }
}
