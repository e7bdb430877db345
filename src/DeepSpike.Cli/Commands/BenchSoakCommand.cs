using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using DeepSpike.Benchmarks;
using DeepSpike.Data;
using DeepSpike.Simulation;

namespace DeepSpike.Cli.Commands;

/// <summary>
/// <c>deepspike bench soak</c>: runs <c>infer</c> in this process again and again on a large recording for a fixed time while
/// sampling the resident set size every second, then reports whether memory grows once warmed up.
/// </summary>
internal static class BenchSoakCommand
{
    /// <summary>Cells simulated at a time while writing the input, so the simulation never holds the whole recording twice.</summary>
    private const int CellsPerBlock = 50;
    private const string InputFileName = "soak-input.npy";

    public static Command Create()
    {
        var traces = new Option<int>("--traces") { Description = "Traces in the soaked recording", DefaultValueFactory = _ => 1000 };
        var hours = new Option<double>("--hours") { Description = "Length of each trace in hours", DefaultValueFactory = _ => 1 };
        var frameRate = CommonOptions.FrameRate("Frame rate of the soaked recording in Hz (the built-in model runs at 60 Hz, so 30 Hz input is resampled)");
        var minutes = new Option<double>("--minutes") { Description = "How long to keep running infer", DefaultValueFactory = _ => 20 };
        var warmup = new Option<double>("--warmup-minutes") { Description = "Readings before this (and before the first infer has finished) are warm-up, left out of the slope", DefaultValueFactory = _ => 3 };
        var work = new Option<string>("--work")
        {
            Description = $"Folder for the input ({InputFileName}, simulated ΔF/F, float32, traces × frames; made once and reused), the output and rss.csv",
            Required = true,
        };
        var model = new Option<string?>("--model") { Description = "Model file or builtin:NAME (default: the built-in model)" };
        var threads = CommonOptions.Threads();
        var command = new Command("soak", "Memory soak: infer in a loop on a large recording, RSS sampled every second; prints the warm-up peak and the slope after it")
            { traces, hours, frameRate, minutes, warmup, work, model, threads };
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            double rate = r.GetValue(frameRate) ?? 30;
            if (!(rate > 0)) throw new ArgumentException($"--frame-rate must be > 0, got {rate}");
            int traceCount = r.GetValue(traces);
            if (traceCount < 1) throw new ArgumentException($"--traces must be >= 1, got {traceCount}");
            long frameCount = (long)Math.Round(r.GetValue(hours) * 3600 * rate);
            if (frameCount < 1 || frameCount > int.MaxValue) throw new ArgumentException($"--hours gives {frameCount} frames; need 1 to {int.MaxValue}");
            string folder = Directory.CreateDirectory(r.GetValue(work)!).FullName;
            string input = Path.Combine(folder, InputFileName);
            // A bad --model must fail now, not after simulating half a gigabyte of input.
            if (r.GetValue(model) is string chosen) InferCommand.LoadModel(chosen);
            EnsureInput(input, traceCount, (int)frameCount, rate);

            string output = Path.Combine(folder, "out");
            string[] inferArgs = ["infer", "--data", input, "--frame-rate", rate.ToString(CultureInfo.InvariantCulture), "--input-kind", "dff", "--out", output,
                .. r.GetValue(model) is string m ? new[] { "--model", m } : [], .. r.GetValue(threads) is int t ? new[] { "--threads", t.ToString(CultureInfo.InvariantCulture) } : []];
            double seconds = r.GetValue(minutes) * 60;
            Console.Error.WriteLine($"soak: deepspike {string.Join(' ', inferArgs)} for {seconds / 60:G3} min, RSS every second");
            IReadOnlyList<RssSample> samples;
            IReadOnlyList<RoundEnd> ends;
            using (var curve = new RssCurve(TimeSpan.FromSeconds(1)))
            {
                while (curve.ElapsedSeconds < seconds)
                {
                    double start = curve.ElapsedSeconds;
                    int code = Program.Main(inferArgs);
                    if (code != 0) throw new InvalidDataException($"soak: infer failed with exit code {code} in round {curve.RoundEnds.Count + 1}");
                    var end = curve.EndRound();
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"soak: round {curve.RoundEnds.Count} done in {end.Seconds - start:F1} s at {end.Seconds / 60:F1} min; RSS {end.RssMebibytes:F0} MiB, managed heap after full GC {end.HeapMebibytes:F1} MiB"));
                }
                samples = curve.Samples;
                ends = curve.RoundEnds;
            }
            string csv = Path.Combine(folder, "rss.csv");
            AtomicFile.WriteAllText(csv, RssCurve.ToCsv(samples));
            var s = RssCurve.Summarize(samples, r.GetValue(warmup) * 60, ends);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"soak: {traceCount} traces × {frameCount} frames at {rate:G4} Hz, {s.Rounds} infer rounds in {samples[^1].Seconds / 60:F1} min, {s.Samples} RSS samples ({csv})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"soak: warm-up {s.WarmupEndSeconds:F0} s ({s.WarmupSamples} samples), peak {s.WarmupPeakMebibytes:F0} MiB"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"soak: after warm-up ({s.Samples - s.WarmupSamples} samples) mean {s.MeanAfterWarmupMebibytes:F0} MiB, peak {s.PeakAfterWarmupMebibytes:F0} MiB, " +
                $"slope {s.SlopeMebibytesPerMinute:F2} MiB/min (least squares over all samples), {s.RoundPeakSlopeMebibytesPerMinute:F2} MiB/min (per-round peaks), " +
                $"{s.RoundEndSlopeMebibytesPerMinute:F2} MiB/min (RSS at round ends), {s.HeapSlopeMebibytesPerMinute:F3} MiB/min (managed heap after full GC at round ends)"));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Writes simulated ΔF/F (SCF, GCaMP6-like, 1 Hz firing) as a float32 C-order <c>.npy</c> of shape (traces, frames), unless a file
    /// of that shape is already there.
    /// </summary>
    private static void EnsureInput(string path, int traces, int frames, double frameRateHz)
    {
        string header = NpyHeaderText(traces, frames);
        long expectedBytes = header.Length + (long)traces * frames * sizeof(float);
        if (File.Exists(path) && new FileInfo(path).Length == expectedBytes && ReadPrefix(path, header.Length) == header)
        {
            Console.Error.WriteLine($"soak: reusing {path}");
            return;
        }
        Console.Error.WriteLine($"soak: simulating {traces} traces × {frames} frames into {path}");
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.Latin1.GetBytes(header));
            for (int first = 0; first < traces; first += CellsPerBlock)
            {
                int cells = Math.Min(CellsPerBlock, traces - first);
                var block = ScfSimulationProtocol.Gcamp6Like.Simulate(cells, [1.0], frames, frameRateHz, seed: 1 + first);
                foreach (var trace in block.Calcium.Traces) stream.Write(MemoryMarshal.AsBytes(trace.AsSpan()));
            }
        });
    }

    private static string ReadPrefix(string path, int length)
    {
        using var stream = File.OpenRead(path);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return Encoding.Latin1.GetString(bytes);
    }

    /// <summary>An NPY 1.0 header for a little-endian float32 C-order array, padded with spaces so the data starts at a multiple of 64.</summary>
    private static string NpyHeaderText(int rows, int columns)
    {
        const int Preamble = 10; // magic (6), version (2), header length (2)
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        int total = (Preamble + dict.Length + 1 + 63) / 64 * 64;
        string padded = dict.PadRight(total - Preamble - 1) + "\n";
        return (char)0x93 + "NUMPY" + (char)1 + (char)0 + (char)(padded.Length & 0xff) + (char)(padded.Length >> 8) + padded;
    }
}
