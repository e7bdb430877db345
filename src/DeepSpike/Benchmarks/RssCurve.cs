using System.Diagnostics;
using System.Globalization;

namespace DeepSpike.Benchmarks;

/// <summary>One reading of the process's resident set size.</summary>
/// <param name="Seconds">Time since sampling started.</param>
/// <param name="Mebibytes">Resident set size in MiB (2^20 bytes).</param>
/// <param name="Round">How many rounds of the soaked work had finished when it was taken.</param>
public sealed record RssSample(double Seconds, double Mebibytes, int Round);

/// <summary>What a soak's RSS curve says about memory growth.</summary>
/// <param name="Samples">Readings in all.</param>
/// <param name="WarmupSamples">Readings before <paramref name="WarmupEndSeconds"/>.</param>
/// <param name="WarmupEndSeconds">End of the warm-up: the later of the requested warm-up time and the end of the first round.</param>
/// <param name="WarmupPeakMebibytes">Largest reading during warm-up.</param>
/// <param name="PeakAfterWarmupMebibytes">Largest reading after it.</param>
/// <param name="MeanAfterWarmupMebibytes">Mean reading after it.</param>
/// <param name="SlopeMebibytesPerMinute">Least-squares slope of all readings after warm-up (NaN with fewer than two).</param>
/// <param name="RoundPeakSlopeMebibytesPerMinute">
/// Least-squares slope of each complete round's peak reading after warm-up against the round's end time (NaN with fewer than two
/// rounds): less sensitive than <paramref name="SlopeMebibytesPerMinute"/> to where in the sawtooth of one round sampling stops.
/// </param>
/// <param name="Rounds">Rounds of work finished.</param>
/// <param name="RoundEndSlopeMebibytesPerMinute">
/// Least-squares slope of the RSS read at the end of each round after warm-up (NaN with fewer than two): the same moment of the
/// sawtooth every time.
/// </param>
/// <param name="HeapSlopeMebibytesPerMinute">
/// Least-squares slope of the managed heap after a full collection at the end of each round after warm-up (NaN with fewer than
/// two): what a leak of .NET objects would raise, free of the allocator's choice of when to return pages.
/// </param>
public sealed record RssCurveSummary(int Samples, int WarmupSamples, double WarmupEndSeconds, double WarmupPeakMebibytes,
    double PeakAfterWarmupMebibytes, double MeanAfterWarmupMebibytes, double SlopeMebibytesPerMinute, double RoundPeakSlopeMebibytesPerMinute, int Rounds,
    double RoundEndSlopeMebibytesPerMinute = double.NaN, double HeapSlopeMebibytesPerMinute = double.NaN);

/// <summary>Readings taken as a round of the soaked work ends.</summary>
/// <param name="Seconds">Time since sampling started.</param>
/// <param name="RssMebibytes">Resident set size then.</param>
/// <param name="HeapMebibytes">Managed heap after a full, blocking collection.</param>
public sealed record RoundEnd(double Seconds, double RssMebibytes, double HeapMebibytes);

/// <summary>Samples the resident set size of this process once per interval on a background thread, for soak tests.</summary>
public sealed class RssCurve : IDisposable
{
    private readonly List<RssSample> samples = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Thread thread;
    private readonly ManualResetEventSlim stop = new();
    private readonly TimeSpan interval;
    private int round;

    /// <summary>Starts sampling every <paramref name="interval"/> (the first reading at once).</summary>
    public RssCurve(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), $"sampling interval must be > 0, got {interval}");
        this.interval = interval;
        thread = new Thread(Run) { IsBackground = true, Name = "rss-sampler" };
        thread.Start();
    }

    /// <summary>Seconds since sampling started.</summary>
    public double ElapsedSeconds => clock.Elapsed.TotalSeconds;

    private readonly List<RoundEnd> roundEnds = [];

    /// <summary>
    /// Marks the end of one round of the soaked work (later readings carry the new count) and records the RSS and the managed heap
    /// after a full collection.
    /// </summary>
    public RoundEnd EndRound()
    {
        var end = new RoundEnd(clock.Elapsed.TotalSeconds, CurrentMebibytes(), GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024.0));
        lock (samples) roundEnds.Add(end);
        Interlocked.Increment(ref round);
        return end;
    }

    /// <summary>The readings taken at the end of each round so far.</summary>
    public IReadOnlyList<RoundEnd> RoundEnds
    {
        get { lock (samples) return roundEnds.ToList(); }
    }

    /// <summary>The readings so far.</summary>
    public IReadOnlyList<RssSample> Samples
    {
        get { lock (samples) return samples.ToList(); }
    }

    /// <summary>
    /// The resident set size of this process in MiB: <c>VmRSS</c> from <c>/proc/self/status</c> where it exists (Linux),
    /// else <see cref="Environment.WorkingSet"/>.
    /// </summary>
    public static double CurrentMebibytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
            foreach (string line in File.ReadLines(status))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
        return Environment.WorkingSet / (1024.0 * 1024.0);
    }

    /// <summary>
    /// Summarises <paramref name="samples"/>: warm-up lasts <paramref name="warmupSeconds"/> and at least until the first round
    /// ended; the slope is fitted to the readings after it.
    /// </summary>
    public static RssCurveSummary Summarize(IReadOnlyList<RssSample> samples, double warmupSeconds, IReadOnlyList<RoundEnd>? roundEnds = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        roundEnds ??= [];
        double firstRoundEnd = samples.FirstOrDefault(s => s.Round >= 1)?.Seconds ?? double.PositiveInfinity;
        double warmupEnd = Math.Max(warmupSeconds, firstRoundEnd);
        var warmup = samples.Where(s => s.Seconds < warmupEnd).ToList();
        var after = samples.Where(s => s.Seconds >= warmupEnd).ToList();
        // A round's peak belongs to the round whose count it carries, up to the last complete round.
        int lastRound = Math.Max(samples.Count == 0 ? 0 : samples[^1].Round, roundEnds.Count);
        var roundPeaks = after.Where(s => s.Round < lastRound).GroupBy(s => s.Round)
            .Select(g => (Seconds: g.Max(s => s.Seconds), Peak: g.Max(s => s.Mebibytes))).ToList();
        return new RssCurveSummary(samples.Count, warmup.Count, warmupEnd,
            warmup.Count > 0 ? warmup.Max(s => s.Mebibytes) : double.NaN,
            after.Count > 0 ? after.Max(s => s.Mebibytes) : double.NaN,
            after.Count > 0 ? after.Average(s => s.Mebibytes) : double.NaN,
            SlopePerMinute(after.Select(s => (s.Seconds, s.Mebibytes)).ToList()),
            SlopePerMinute(roundPeaks),
            lastRound,
            SlopePerMinute(roundEnds.Where(e => e.Seconds >= warmupEnd).Select(e => (e.Seconds, e.RssMebibytes)).ToList()),
            SlopePerMinute(roundEnds.Where(e => e.Seconds >= warmupEnd).Select(e => (e.Seconds, e.HeapMebibytes)).ToList()));
    }

    /// <summary>Least-squares slope of y against x seconds, per minute; NaN with fewer than two distinct x.</summary>
    internal static double SlopePerMinute(IReadOnlyList<(double Seconds, double Value)> points)
    {
        if (points.Count < 2) return double.NaN;
        double meanX = points.Average(p => p.Seconds), meanY = points.Average(p => p.Value);
        double sxy = 0, sxx = 0;
        foreach (var (x, y) in points)
        {
            sxy += (x - meanX) * (y - meanY);
            sxx += (x - meanX) * (x - meanX);
        }
        return sxx > 0 ? sxy / sxx * 60 : double.NaN;
    }

    /// <summary>Writes the readings as CSV: <c>seconds,rss_mib,round</c>.</summary>
    public static string ToCsv(IReadOnlyList<RssSample> samples) =>
        "seconds,rss_mib,round\n" + string.Concat(samples.Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.Seconds:F1},{s.Mebibytes:F1},{s.Round}\n")));

    private void Run()
    {
        do
        {
            var sample = new RssSample(clock.Elapsed.TotalSeconds, CurrentMebibytes(), Volatile.Read(ref round));
            lock (samples) samples.Add(sample);
        }
        while (!stop.Wait(interval));
    }

    /// <summary>Stops sampling.</summary>
    public void Dispose()
    {
        stop.Set();
        thread.Join();
        stop.Dispose();
    }
}
