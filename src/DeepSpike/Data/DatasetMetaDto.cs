using System.Text.Json.Serialization;

namespace DeepSpike.Data;

// Wire shapes for meta.json. Kept apart from DatasetMeta so that a missing frame_rate_hz reads as
// null (and gets a clear error) instead of silently defaulting to 0.

internal sealed class MetaDto
{
    [JsonPropertyName("frame_rate_hz")]
    public double? FrameRateHz { get; set; }

    [JsonPropertyName("generative")]
    public string? Generative { get; set; }

    [JsonPropertyName("indicator")]
    public string? Indicator { get; set; }

    [JsonPropertyName("traces")]
    public List<TraceMetaDto?>? Traces { get; set; }
}

internal sealed class TraceMetaDto
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("parameters")]
    public Dictionary<string, double>? Parameters { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MetaDto))]
internal sealed partial class MetaJsonContext : JsonSerializerContext;
