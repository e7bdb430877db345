using DeepSpike.Training;
using Spectre.Console;

namespace DeepSpike.Cli.Commands;

/// <summary>Shows training progress: a live bar on a terminal, a line every few seconds otherwise.</summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    public static TrainingResult Run(string title, Func<IProgress<TrainingProgress>, TrainingResult> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            var last = DateTime.MinValue;
            return work(new SynchronousProgress(p =>
            {
                if (DateTime.UtcNow - last < LogInterval) return;
                last = DateTime.UtcNow;
                Console.Error.WriteLine($"{title}: {Describe(p)}");
            }));
        }
        TrainingResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1.0);
                result = work(new SynchronousProgress(p =>
                {
                    task.Value = p.Fraction;
                    task.Description = Markup.Escape($"{title} {Describe(p)}");
                }));
                task.Value = 1.0;
            });
        return result!;
    }

    /// <summary><see cref="Run"/> in the shape the benchmark suites take.</summary>
    public static TrainingResult Train(string title, Func<IProgress<TrainingProgress>?, TrainingResult> work) => Run(title, p => work(p));

    private static string Describe(TrainingProgress p) =>
        $"iter {p.Iteration} | {p.IterationsPerSecond:F1} it/s | objective {p.Objective:F4}/frame" +
        (double.IsNaN(p.Validation) ? "" : $" | validation {p.Validation:F4} (best {p.BestValidation:F4})");

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
