using System.CommandLine;
using DeepSpike.Cli.Commands;
using Spectre.Console;

namespace DeepSpike.Cli;

/// <summary>Entry point of the <c>deepspike</c> command-line tool: parses, then calls the library.</summary>
public static class Program
{
    /// <summary>Runs the tool; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("DeepSpike: unsupervised, amortized spike inference from calcium imaging (Speiser et al. 2017).")
        {
            SimulateCommand.Create(),
            TrainCommand.Create(),
            InferCommand.Create(),
            EvaluateCommand.Create(),
            DeconvolveCommand.Create(),
            BenchCommand.Create(),
            DemoCommand.Create(),
            ModelsCommand.Create(),
            DynamicsCommand.Create(),
        };
        // Redirected to a file or a pipe, the console has no width and tables would wrap at 80 columns;
        // bench tables are read in logs and notes, so give them room.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;
        return root.Parse(args).Invoke();
    }
}
