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
        catch (Exception e) when (e is DataFormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
                                   or ArgumentException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"deepspike: error: {Flatten(e)}");
            return InputError;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            Console.Error.WriteLine($"deepspike: error: {Flatten(e.InnerExceptions[0])}");
            return InputError;
        }
    }

    /// <summary>
    /// The message on one line, without the " (Parameter 'x')" and "Actual value was …" that
    /// <see cref="ArgumentException"/> appends: the message already names the value, and the C#
    /// parameter name means nothing to a command-line user.
    /// </summary>
    internal static string Flatten(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentOutOfRangeException { ActualValue: not null })
        {
            int at = message.LastIndexOf(Environment.NewLine + "Actual value was ", StringComparison.Ordinal);
            if (at >= 0) message = message[..at];
        }
        if (e is ArgumentException { ParamName: { } name })
            message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        return message.ReplaceLineEndings(" ");
    }
}
