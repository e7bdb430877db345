using System.CommandLine;
using DeepSpike.Cli.Commands;

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
        };
        return root.Parse(args).Invoke();
    }
}
