namespace DeepSpike;

/// <summary>Error text for people, not for debuggers.</summary>
public static class ErrorMessages
{
    /// <summary>
    /// The message on one line, without the " (Parameter 'x')" and "Actual value was …" that
    /// <see cref="ArgumentException"/> appends: the message already names the value, and a C#
    /// parameter name means nothing to a command-line user.
    /// </summary>
    public static string OneLine(Exception e)
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
