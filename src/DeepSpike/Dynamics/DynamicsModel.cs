using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSpike.Models;

namespace DeepSpike.Dynamics;

/// <summary>
/// A trained dynamics model with what it needs to be applied: the network, what it reads (<c>spikes</c> or
/// <c>fluorescence</c>), the bin width it was trained at and a description. Stored in the checksummed model container
/// (<see cref="ModelFile"/>), so a truncated or corrupted file is refused naming it.
/// </summary>
/// <param name="Network">The network.</param>
/// <param name="Kind">The model family, e.g. <c>lfads</c>.</param>
/// <param name="Input">The trial file it reads: <see cref="TrialDataset.SpikesFileName"/> or <see cref="TrialDataset.FluorescenceFileName"/>.</param>
/// <param name="BinSeconds">Bin width of the training trials.</param>
/// <param name="Description">How it was trained, for people.</param>
public sealed record DynamicsModel(DynamicsNetwork Network, string Kind, string Input, double BinSeconds, string Description)
{
    private const string Format = "deepspike-dynamics";

    /// <summary>The <see cref="Kind"/> of a <see cref="LadderLfads"/> network; every other kind is an <see cref="Lfads"/>.</summary>
    public const string LadderKind = "ladder-lfads";

    /// <summary>Writes the model atomically.</summary>
    public void Save(string path)
    {
        var header = new JsonObject
        {
            ["format"] = Format,
            ["kind"] = Kind,
            ["input"] = Input,
            ["bin_s"] = BinSeconds,
            ["channels"] = Network.Channels,
            ["description"] = Description,
            ["options"] = JsonNode.Parse(Network.OptionsJson),
        };
        ModelFile.Write(path, JsonDocument.Parse(header.ToJsonString()),
            Network.NamedParameters().Select(p => new StoredTensor(p.Name, (int[])p.Value.Shape.Clone(), (float[])p.Value.Data.Clone())));
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a dynamics model, or is corrupt, truncated or incomplete; the message names it.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static DynamicsModel Load(string path)
    {
        var (headerDocument, tensors) = ModelFile.Read(path);
        using (headerDocument)
        {
            JsonElement header = headerDocument.RootElement;
            try
            {
                if (header.ValueKind != JsonValueKind.Object || !header.TryGetProperty("format", out var format)
                    || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
                    throw new InvalidDataException($"{path}: not a dynamics model (a spike-inference model? use it with infer, not dynamics infer)");
                int channels = header.GetProperty("channels").GetInt32();
                string kind = header.GetProperty("kind").GetString()!, options = header.GetProperty("options").GetRawText();
                DynamicsNetwork network = kind == LadderKind ? LadderLfads.FromOptionsJson(channels, options) : Lfads.FromOptionsJson(channels, options);
                var stored = tensors.ToDictionary(t => t.Name);
                foreach (var (name, value) in network.NamedParameters())
                {
                    if (!stored.TryGetValue(name, out var tensor) || !tensor.Shape.SequenceEqual(value.Shape))
                        throw new InvalidDataException($"{path}: tensor '{name}' is missing or has the wrong shape");
                    tensor.Data.CopyTo(value.Data, 0);
                }
                return new DynamicsModel(network, kind, header.GetProperty("input").GetString()!,
                    header.GetProperty("bin_s").GetDouble(), header.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "");
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or JsonException or ArgumentException or FormatException)
            {
                throw new InvalidDataException($"{path}: dynamics model header is incomplete ({e.Message})", e);
            }
        }
    }
}
