using System.Diagnostics;

namespace DeepSpike.Benchmarks;

/// <summary>Best-of-N wall time, the Stopwatch harnesses' one measure: the minimum is the least disturbed by other load.</summary>
public static class BestOf
{
    /// <summary>Runs <paramref name="run"/> <paramref name="warmups"/> times untimed, then returns its fastest of <paramref name="repeats"/> runs, in seconds.</summary>
    public static double Seconds(Action run, int repeats, int warmups)
    {
        for (int i = 0; i < warmups; i++) run();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }
}
