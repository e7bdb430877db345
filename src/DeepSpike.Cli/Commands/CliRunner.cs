using DeepSpike.Data;
using DeepSpike.Engine;

namespace DeepSpike.Cli.Commands;

/// <summary>Runs a verb's body, turning expected failures into one-line errors and exit codes.</summary>
internal static class CliRunner
{
    /// <summary>Exit code for bad input (files, values) detected while running.</summary>
    public const int InputError = 2;

    /// <summary>Sets the thread count (if given) and runs <paramref name="body"/>.</summary>
    public static int Run(int? threads, Func<int> body)
    {
        try
        {
            if (threads is int t) Parallelism.MaxThreads = t;
            return body();
        }
        catch (Exception e) when (IsInputError(e))
        {
            Console.Error.WriteLine($"deepspike: error: {Flatten(e)}");
            return InputError;
        }
        // Only bad input is reported as one line; anything else inside a parallel loop is a bug and must surface.
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && IsInputError(e.InnerExceptions[0]))
        {
            Console.Error.WriteLine($"deepspike: error: {Flatten(e.InnerExceptions[0])}");
            return InputError;
        }
    }

    private static bool IsInputError(Exception e) =>
        e is DataFormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or ArgumentException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException;

    /// <summary>The message on one line, with the flag that fixes it when the library names a remedy.</summary>
    internal static string Flatten(Exception e)
    {
        string message = ErrorMessages.OneLine(e);
        string? fix = (e as DataFormatException)?.Remedy switch
        {
            FormatRemedy.GiveFrameRate => "pass --frame-rate",
            FormatRemedy.ReadWithoutHeader => "pass --no-header",
            FormatRemedy.Transpose => "pass --transpose (or --transpose false to read it as it is)",
            _ => null,
        };
        return fix is null ? message : $"{message}; {fix}";
    }
}
