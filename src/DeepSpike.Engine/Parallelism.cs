namespace DeepSpike.Engine;

/// <summary>
/// The degree of parallelism used by engine kernels and by the library's loops over traces and samples.
/// </summary>
public static class Parallelism
{
    private static ParallelOptions options = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    /// <summary>Options to pass to <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>.</summary>
    public static ParallelOptions Options => options;

    /// <summary>Maximum number of threads (≥ 1).</summary>
    public static int MaxThreads
    {
        get => options.MaxDegreeOfParallelism;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"threads must be >= 1, got {value}");
            options = new ParallelOptions { MaxDegreeOfParallelism = value };
        }
    }
}
