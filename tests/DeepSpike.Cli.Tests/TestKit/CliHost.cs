using Spectre.Console;

namespace DeepSpike.Cli.Tests.TestKit;

/// <summary>What one in-process run of <c>deepspike</c> returned and printed.</summary>
/// <param name="ExitCode">The value <see cref="Program.Main"/> returned.</param>
/// <param name="StdOut">Everything written to standard output (including Spectre tables).</param>
/// <param name="StdErr">Everything written to standard error.</param>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>The non-empty lines of standard error.</summary>
    public string[] ErrorLines => StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>Runs the command-line tool in this process with captured console output.</summary>
public static class CliHost
{
    private static readonly object Gate = new();

    /// <summary>Runs <c>deepspike <paramref name="args"/></c> and captures its output.</summary>
    public static CliResult Run(params string[] args)
    {
        lock (Gate)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            TextWriter oldOut = Console.Out, oldErr = Console.Error;
            IAnsiConsole oldAnsi = AnsiConsole.Console;
            Console.SetOut(stdout);
            Console.SetError(stderr);
            // Spectre binds its console to Console.Out once; point it at this run's writer, plain text, no live display.
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stdout),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
            try
            {
                int code = Program.Main(args);
                return new CliResult(code, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
                AnsiConsole.Console = oldAnsi;
            }
        }
    }

    /// <summary>Runs and asserts success (exit code 0), showing the output if it failed.</summary>
    public static CliResult Succeed(params string[] args)
    {
        var result = Run(args);
        Assert.True(result.ExitCode == 0, $"deepspike {string.Join(' ', args)} failed:\n{result}");
        return result;
    }

    /// <summary>
    /// Asserts the failure contract: a non-zero exit code, exactly one line on standard error that starts
    /// with "deepspike: error:" and contains every fragment, no stack trace, and nothing left in
    /// <paramref name="outputFolder"/> (no <c>probabilities.csv</c> or <c>noise_levels.csv</c>, no temporary files).
    /// </summary>
    public static void AssertCleanFailure(CliResult result, string? outputFolder, params string[] fragments)
    {
        Assert.True(result.ExitCode != 0, $"expected failure:\n{result}");
        AssertErrorLine(result, Assert.Single(result.ErrorLines), outputFolder, fragments);
    }

    /// <summary>
    /// Like <see cref="AssertCleanFailure"/>, for a failure that comes after per-trace warnings: every line on standard
    /// error but the last starts with "warning:", each of <paramref name="warnings"/> is in one of them, and the last
    /// line is the one error line with every fragment.
    /// </summary>
    public static void AssertCleanFailureAfterWarnings(CliResult result, string? outputFolder, string[] warnings, params string[] fragments)
    {
        Assert.True(result.ExitCode != 0, $"expected failure:\n{result}");
        string[] lines = result.ErrorLines;
        Assert.NotEmpty(lines);
        Assert.All(lines[..^1], l => Assert.StartsWith("warning:", l));
        foreach (string warning in warnings)
            Assert.Contains(lines[..^1], l => l.Contains(warning, StringComparison.Ordinal));
        AssertErrorLine(result, lines[^1], outputFolder, fragments);
    }

    private static void AssertErrorLine(CliResult result, string line, string? outputFolder, string[] fragments)
    {
        Assert.StartsWith("deepspike: error:", line);
        foreach (string fragment in fragments)
            Assert.Contains(fragment, line);
        Assert.DoesNotContain("Unhandled exception", result.StdOut + result.StdErr);
        Assert.DoesNotContain("   at ", result.StdOut + result.StdErr);
        if (outputFolder is not null && Directory.Exists(outputFolder))
        {
            Assert.False(File.Exists(Path.Combine(outputFolder, "probabilities.csv")), "a probabilities.csv was left behind");
            Assert.False(File.Exists(Path.Combine(outputFolder, "noise_levels.csv")), "a noise_levels.csv was left behind");
            Assert.Empty(Directory.GetFiles(outputFolder, "*.tmp", SearchOption.AllDirectories));
        }
    }
}
