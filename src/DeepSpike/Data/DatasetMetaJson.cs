using System.Text.Json;

namespace DeepSpike.Data;

/// <summary>
/// JSON form of <see cref="DatasetMeta"/>:
/// <code>
/// { "frame_rate_hz": 60.0, "generative": "SCF",
///   "traces": [ { "name": "cell1", "parameters": { "tau_decay_s": 0.4 } } ] }
/// </code>
/// Only <c>frame_rate_hz</c> is required; unknown properties are ignored so that real datasets'
/// richer files (provenance, per-column notes) load unchanged.
/// </summary>
public static class DatasetMetaJson
{
    /// <summary>Reads and validates a <c>meta.json</c> file.</summary>
    /// <exception cref="DataFormatException">The file is missing or not valid JSON, or
    /// <c>frame_rate_hz</c> is absent, not a number, or ≤ 0; the message names the file.</exception>
    public static DatasetMeta Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new DataFormatException(path, "file not found");
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (IOException e)
        {
            throw new DataFormatException(path, $"cannot read file ({e.Message})", e);
        }
    }

    /// <summary>Parses <c>meta.json</c> text; <paramref name="sourceName"/> is used in error messages.</summary>
    /// <remarks>
    /// Files written by other tools load as long as they give the frame rate: unknown properties are skipped, and
    /// known ones in another shape — a <c>traces</c> list in another schema, a number where text was expected, text
    /// where a number was expected in a trace's <c>parameters</c> — are ignored and listed in one line of
    /// <see cref="DatasetMeta.Warnings"/>. <c>frame_rate_hz</c> may be a number or a string holding one. Comments and
    /// trailing commas are allowed.
    /// </remarks>
    /// <exception cref="DataFormatException">As for <see cref="Read"/>.</exception>
    public static DatasetMeta Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" at line {line + 1}" : "";
            throw new DataFormatException(sourceName, $"invalid JSON{where} ({e.Message})", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new DataFormatException(sourceName, $"expected a JSON object, got {Describe(root)}");
            double rate = FrameRate(root, sourceName);
            var ignored = new List<string>();
            string? generative = OptionalText(root, "generative", ignored);
            string? indicator = OptionalText(root, "indicator", ignored);
            List<TraceMeta>? traces = root.TryGetProperty("traces", out JsonElement list) ? Traces(list, ignored) : null;
            IReadOnlyList<string> warnings = ignored.Count == 0
                ? []
                : [$"{sourceName}: ignored what is not in the shape this tool reads: {string.Join("; ", ignored)}"];
            return new DatasetMeta(rate, generative, traces, string.IsNullOrWhiteSpace(indicator) ? null : indicator.Trim()) { Warnings = warnings };
        }
    }

    private static double FrameRate(JsonElement root, string source)
    {
        if (!root.TryGetProperty("frame_rate_hz", out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            throw new DataFormatException(source, "missing 'frame_rate_hz' (the sampling rate in Hz)");
        double rate = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDouble(out double number) => number,
            JsonValueKind.String when double.TryParse(value.GetString(), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out double number) => number,
            _ => throw new DataFormatException(source, $"'frame_rate_hz' must be a number (the sampling rate in Hz), got {Describe(value)}"),
        };
        if (!(rate > 0 && double.IsFinite(rate)))
            throw new DataFormatException(source, $"'frame_rate_hz' must be > 0, got {rate}");
        return rate;
    }

    private static string? OptionalText(JsonElement root, string name, List<string> ignored)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        ignored.Add($"'{name}' ({Describe(value)}, expected text)");
        return null;
    }

    /// <summary>This library's per-trace list, or null (noted) when the list is another tool's: every entry must be an
    /// object with a text <c>name</c>. A parameter that is not a number is dropped (noted); the rest of the entry stays.</summary>
    private static List<TraceMeta>? Traces(JsonElement list, List<string> ignored)
    {
        if (list.ValueKind == JsonValueKind.Null) return null;
        if (list.ValueKind != JsonValueKind.Array)
        {
            ignored.Add($"'traces' ({Describe(list)}, expected a list of {{\"name\", \"parameters\"}})");
            return null;
        }
        var traces = new List<TraceMeta>(list.GetArrayLength());
        var droppedParameters = new List<string>();
        int i = 0;
        foreach (JsonElement entry in list.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("name", out JsonElement name)
                || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
            {
                ignored.Add($"'traces' (entry {i} is {(entry.ValueKind == JsonValueKind.Object ? "an object without a text 'name'" : Describe(entry))}; " +
                            "another tool's list, not per-trace parameters)");
                return null;
            }
            var parameters = new Dictionary<string, double>();
            if (entry.TryGetProperty("parameters", out JsonElement given) && given.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty parameter in given.EnumerateObject())
                {
                    if (parameter.Value.ValueKind == JsonValueKind.Number && parameter.Value.TryGetDouble(out double number))
                        parameters[parameter.Name] = number;
                    else
                        droppedParameters.Add($"traces[{i}].parameters.{parameter.Name}");
                }
            }
            traces.Add(new TraceMeta(name.GetString()!, parameters));
            i++;
        }
        if (droppedParameters.Count > 0)
            ignored.Add($"{droppedParameters.Count} parameter(s) that are not numbers ({string.Join(", ", droppedParameters.Take(3))}{(droppedParameters.Count > 3 ? ", …" : "")})");
        return traces;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the text '{TraceCsv.Truncate(value.GetString())}'",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => $"'{value.GetRawText()}'",
        _ => "null",
    };

    /// <summary>Serialises <paramref name="meta"/> as indented JSON; null optional members are omitted.</summary>
    /// <exception cref="ArgumentException">The frame rate is not a finite number &gt; 0, or a trace has no name.</exception>
    public static string Serialize(DatasetMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        if (!(meta.FrameRateHz > 0 && double.IsFinite(meta.FrameRateHz)))
            throw new ArgumentException($"frame rate must be > 0, got {meta.FrameRateHz}", nameof(meta));
        // Parse refuses a trace without a name, so a written file would not read back.
        int unnamed = meta.Traces?.ToList().FindIndex(t => string.IsNullOrEmpty(t?.Name)) ?? -1;
        if (unnamed >= 0)
            throw new ArgumentException($"trace {unnamed} has no name", nameof(meta));
        var dto = new MetaDto
        {
            FrameRateHz = meta.FrameRateHz,
            Generative = meta.Generative,
            Indicator = meta.Indicator,
            Traces = meta.Traces?.Select(t => (TraceMetaDto?)new TraceMetaDto
            {
                Name = t.Name,
                Parameters = new Dictionary<string, double>(t.Parameters),
            }).ToList(),
        };
        return JsonSerializer.Serialize(dto, MetaJsonContext.Default.MetaDto);
    }

    /// <summary>Atomically writes <paramref name="meta"/> to <paramref name="path"/> (see <see cref="AtomicFile"/>).</summary>
    public static void Write(string path, DatasetMeta meta) => AtomicFile.WriteAllText(path, Serialize(meta) + "\n");
}
