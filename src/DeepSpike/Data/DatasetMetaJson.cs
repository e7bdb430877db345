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
    /// <exception cref="DataFormatException">As for <see cref="Read"/>.</exception>
    public static DatasetMeta Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        MetaDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, MetaJsonContext.Default.MetaDto);
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" at line {line + 1}" : "";
            throw new DataFormatException(sourceName, $"invalid JSON{where} ({e.Message})", e);
        }
        if (dto is null)
            throw new DataFormatException(sourceName, "expected a JSON object, got null");
        if (dto.FrameRateHz is not double rate)
            throw new DataFormatException(sourceName, "missing 'frame_rate_hz' (the sampling rate in Hz)");
        if (!(rate > 0 && double.IsFinite(rate)))
            throw new DataFormatException(sourceName, $"'frame_rate_hz' must be > 0, got {rate}");

        List<TraceMeta>? traces = null;
        if (dto.Traces is not null)
        {
            traces = new List<TraceMeta>(dto.Traces.Count);
            for (int i = 0; i < dto.Traces.Count; i++)
            {
                TraceMetaDto t = dto.Traces[i]
                    ?? throw new DataFormatException(sourceName, $"'traces[{i}]' is null");
                if (string.IsNullOrEmpty(t.Name))
                    throw new DataFormatException(sourceName, $"'traces[{i}]' has no 'name'");
                traces.Add(new TraceMeta(t.Name, t.Parameters ?? new Dictionary<string, double>()));
            }
        }
        return new DatasetMeta(rate, dto.Generative, traces, string.IsNullOrWhiteSpace(dto.Indicator) ? null : dto.Indicator.Trim());
    }

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
