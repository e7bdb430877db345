using System.Text.Json;
using System.Text.Json.Serialization;
using DeepSpike.Data;

namespace DeepSpike.Benchmarks;

/// <summary>One method's row in an accuracy suite.</summary>
/// <param name="Method">Method name (e.g. "DS-F (unsupervised)", "oasis-ar1").</param>
/// <param name="MeanCorrelation">Mean Pearson r over test traces at the suite's bin width.</param>
/// <param name="Sem">Standard error of that mean.</param>
/// <param name="N">Number of traces.</param>
/// <param name="MsPerTrace">Wall-clock inference time per trace on one thread, in ms.</param>
/// <param name="Note">What the method was trained or estimated on.</param>
public sealed record MethodScore(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("mean_correlation")] double MeanCorrelation,
    [property: JsonPropertyName("sem")] double Sem,
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("ms_per_trace")] double MsPerTrace,
    [property: JsonPropertyName("note")] string Note);

/// <summary>The outcome of an accuracy suite: one row per method, on the same test traces.</summary>
/// <param name="Suite">Suite name.</param>
/// <param name="BinMs">Bin width of the correlations.</param>
/// <param name="FramesPerTrace">Frames of each test trace (the timing unit).</param>
/// <param name="Rows">Scores.</param>
public sealed record SuiteReport(
    [property: JsonPropertyName("suite")] string Suite,
    [property: JsonPropertyName("bin_ms")] double BinMs,
    [property: JsonPropertyName("frames_per_trace")] int FramesPerTrace,
    [property: JsonPropertyName("rows")] IReadOnlyList<MethodScore> Rows)
{
    /// <summary>Writes the report as JSON (atomically).</summary>
    public void WriteJson(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, ReportJson.Options) + "\n");
}

/// <summary>How benchmark reports are written as JSON: indented, NaN allowed (a score that could not be computed).</summary>
internal static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
