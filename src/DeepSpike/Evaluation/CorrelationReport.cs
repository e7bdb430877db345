using System.Text;
using System.Text.Json;
using DeepSpike.Data;

namespace DeepSpike.Evaluation;

/// <summary>Correlation between predicted and true spikes for one trace.</summary>
/// <param name="Name">Trace name.</param>
/// <param name="Correlation">Pearson r of the binned traces, in [−1, 1]; NaN if undefined
/// (a constant trace, e.g. a recording without spikes).</param>
public sealed record TraceCorrelation(string Name, double Correlation);

/// <summary>
/// Result of <see cref="SpikeMetrics.Evaluate"/>: per-trace correlations and their mean ± SEM.
/// </summary>
/// <param name="PerTrace">Every ground-truth trace, in order, including those with NaN correlation.</param>
/// <param name="Mean">Mean correlation over the <paramref name="N"/> traces with a defined
/// correlation; NaN if there are none.</param>
/// <param name="Sem">Standard error of that mean, sample standard deviation (n − 1) / √n; NaN if N &lt; 2.</param>
/// <param name="N">Number of traces with a defined (non-NaN) correlation.</param>
public sealed record CorrelationReport(IReadOnlyList<TraceCorrelation> PerTrace, double Mean, double Sem, int N)
{
    /// <summary>
    /// The report as indented JSON:
    /// <c>{"mean_correlation": r̄, "sem": s, "n": N, "per_trace": [{"name": …, "correlation": r}, …]}</c>.
    /// NaN values are written as <c>null</c>, since JSON has no NaN.
    /// </summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            WriteNumberOrNull(json, "mean_correlation", Mean);
            WriteNumberOrNull(json, "sem", Sem);
            json.WriteNumber("n", N);
            json.WriteStartArray("per_trace");
            foreach (TraceCorrelation trace in PerTrace)
            {
                json.WriteStartObject();
                json.WriteString("name", trace.Name);
                WriteNumberOrNull(json, "correlation", trace.Correlation);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Atomically writes <see cref="ToJson"/> to <paramref name="path"/> (see <see cref="AtomicFile"/>).</summary>
    public void WriteJson(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
            json.WriteNumber(name, value);
        else
            json.WriteNull(name);
    }
}
