using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSpike.Data;

namespace DeepSpike.Dynamics;

/// <summary>
/// JSON form of <see cref="TrialMeta"/>: <c>{ "bin_s": 0.1, "trial_names": […], "cell_names": […], "generative": "lorenz", "seed": 1 }</c>.
/// Only <c>bin_s</c> is required; other properties are ignored.
/// </summary>
public static class TrialMetaJson
{
    /// <summary>Reads <paramref name="path"/> and checks it against the data's shape.</summary>
    /// <exception cref="DataFormatException">The file is missing or not a JSON object; <c>bin_s</c> is absent, not a number or
    /// ≤ 0; <c>trial_names</c> or <c>cell_names</c> is not a list of <paramref name="trials"/> or <paramref name="cells"/> texts.</exception>
    public static TrialMeta Read(string path, int trials, int cells)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "file not found; a trial dataset's meta.json gives at least bin_s (the bin width in seconds)");
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid JSON ({e.Message})", e); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read file ({e.Message})", e); }
        if (root is not JsonObject json) throw new DataFormatException(path, "expected a JSON object");

        double binSeconds = json["bin_s"] is JsonValue bin && bin.TryGetValue(out double value) ? value
            : throw new DataFormatException(path, json.ContainsKey("bin_s") ? "'bin_s' must be a number (the bin width in seconds)" : "missing 'bin_s' (the bin width in seconds)");
        if (!(binSeconds > 0 && double.IsFinite(binSeconds)))
            throw new DataFormatException(path, $"'bin_s' must be > 0, got {binSeconds.ToString(CultureInfo.InvariantCulture)}");
        int? seed = json["seed"] is JsonValue s && s.TryGetValue(out int seedValue) ? seedValue : null;
        string? generative = json["generative"] is JsonValue g && g.TryGetValue(out string? text) ? text : null;
        return new TrialMeta(binSeconds, Names(json, "trial_names", trials, path), Names(json, "cell_names", cells, path), generative, seed);
    }

    /// <summary>Writes <paramref name="meta"/> atomically.</summary>
    public static void Write(string path, TrialMeta meta)
    {
        var json = new JsonObject { ["bin_s"] = meta.BinSeconds };
        if (meta.Generative is not null) json["generative"] = meta.Generative;
        if (meta.Seed is int seed) json["seed"] = seed;
        if (meta.TrialNames is not null) json["trial_names"] = new JsonArray([.. meta.TrialNames.Select(n => (JsonNode?)n)]);
        if (meta.CellNames is not null) json["cell_names"] = new JsonArray([.. meta.CellNames.Select(n => (JsonNode?)n)]);
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static List<string>? Names(JsonObject json, string key, int count, string path)
    {
        if (json[key] is null) return null;
        if (json[key] is not JsonArray list || list.Any(n => n is not JsonValue v || !v.TryGetValue(out string? _)))
            throw new DataFormatException(path, $"'{key}' must be a list of texts");
        if (list.Count != count)
            throw new DataFormatException(path, $"'{key}' has {list.Count} names but the data have {count}");
        return list.Select(n => n!.GetValue<string>()).ToList();
    }
}
