using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSpike.Engine;
using DeepSpike.Generative;
using DeepSpike.Recognition;

namespace DeepSpike.Models;

/// <summary>Provenance of a trained model, stored in its file.</summary>
/// <param name="Description">What the model is for.</param>
/// <param name="TrainingData">Where its training traces came from.</param>
/// <param name="Command">The command that trained it.</param>
/// <param name="Iterations">Training iterations of the saved weights.</param>
/// <param name="ValidationBoundPerFrame">The validation criterion at the saved weights (nats/frame), NaN if none.</param>
/// <param name="Indicator">The calcium indicator it was trained for (e.g. "GCaMP6s"), or null if not stated.</param>
public sealed record ModelInfo(string Description, string TrainingData, string Command, int Iterations, double ValidationBoundPerFrame, string? Indicator = null);

/// <summary>
/// A trained DeepSpike model: the amortized recognition network plus what is needed to use it honestly
/// (its frame rate, the generative model it was trained with, provenance). Saved as one file.
/// </summary>
public sealed class SpikeModel
{
    private const string Format = "deepspike-model";
    private const string BuiltinPrefix = "DeepSpike.Models.builtin-", BuiltinSuffix = ".dsmodel";

    /// <summary>The built-in model used when none is named.</summary>
    public const string DefaultBuiltinName = "scf-60hz";
    // NaN marks "no validation data"; JSON has no NaN, so it is written as the literal "NaN".
    private static readonly JsonSerializerOptions InfoJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Bundles a recognition network with its metadata.</summary>
    public SpikeModel(IRecognitionModel recognition, string generativeName, double frameRateHz, ModelInfo info)
    {
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        Recognition = recognition;
        GenerativeName = generativeName;
        FrameRateHz = frameRateHz;
        Info = info;
    }

    /// <summary>The amortized posterior network.</summary>
    public IRecognitionModel Recognition { get; }

    /// <summary>Name of the generative model used in training (see <see cref="ModelRegistry"/>).</summary>
    public string GenerativeName { get; }

    /// <summary>The frame rate the network was trained at; other rates are resampled to it.</summary>
    public double FrameRateHz { get; }

    /// <summary>Provenance.</summary>
    public ModelInfo Info { get; }

    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    public void Save(string path, IEnumerable<StoredTensor>? extraTensors = null, JsonObject? extraHeader = null)
    {
        var header = new JsonObject
        {
            ["format"] = Format,
            ["version"] = 1,
            ["recognition"] = Recognition.Name,
            ["recognition_options"] = JsonNode.Parse(Recognition.OptionsJson),
            ["generative"] = GenerativeName,
            ["frame_rate_hz"] = FrameRateHz,
            ["info"] = JsonSerializer.SerializeToNode(Info, InfoJson),
        };
        if (extraHeader is not null) header["extra"] = extraHeader;
        var tensors = Recognition.Network.NamedParameters()
            .Select(p => new StoredTensor("recognition/" + p.Name, p.Value.Shape, p.Value.Data))
            .Concat(extraTensors ?? []);
        ModelFile.Write(path, JsonDocument.Parse(header.ToJsonString()), tensors);
    }

    /// <summary>Loads a model file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid model; the message names it and the problem.</exception>
    public static SpikeModel Load(string path)
    {
        var file = ModelFile.Read(path);
        using (file.Header) return FromFile(file, path);
    }

    /// <summary>Loads a model or checkpoint, also returning the header and all tensors.</summary>
    public static (SpikeModel Model, JsonDocument Header, IReadOnlyList<StoredTensor> Tensors) LoadWithState(string path)
    {
        var file = ModelFile.Read(path);
        return (FromFile(file, path), file.Header, file.Tensors);
    }

    /// <summary>Names of the models embedded in this build (<c>models/builtin-&lt;name&gt;.dsmodel</c> in the repository), sorted.</summary>
    public static IReadOnlyList<string> BuiltinNames { get; } = Assembly.GetExecutingAssembly().GetManifestResourceNames()
        .Where(n => n.StartsWith(BuiltinPrefix, StringComparison.Ordinal) && n.EndsWith(BuiltinSuffix, StringComparison.Ordinal))
        .Select(n => n[BuiltinPrefix.Length..^BuiltinSuffix.Length]).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The built-in model made for <paramref name="indicator"/> (its <see cref="ModelInfo.Indicator"/>, compared
    /// ignoring case), or null if there is none.
    /// </summary>
    public static string? BuiltinForIndicator(string indicator) =>
        BuiltinIndicators.Value.FirstOrDefault(b => string.Equals(b.Indicator, indicator.Trim(), StringComparison.OrdinalIgnoreCase)).Name;

    /// <summary>Each built-in model's indicator, read once: finding it means deserialising the model.</summary>
    private static readonly Lazy<IReadOnlyList<(string Name, string? Indicator)>> BuiltinIndicators =
        new(() => BuiltinNames.Select(name => (name, Builtin(name).Info.Indicator)).ToList());

    /// <summary>A built-in model by name (default <see cref="DefaultBuiltinName"/>: DS-F trained on GCaMP6-like SCF simulations at 60 Hz).</summary>
    /// <exception cref="ArgumentException">No built-in model has that name; the message lists those that exist.</exception>
    /// <exception cref="InvalidOperationException">This build has no built-in models at all.</exception>
    public static SpikeModel Builtin(string name = DefaultBuiltinName)
    {
        if (BuiltinNames.Count == 0) throw new InvalidOperationException("this build has no built-in model embedded");
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(BuiltinPrefix + name + BuiltinSuffix)
            ?? throw new ArgumentException($"no built-in model '{name}'; built-in models: {string.Join(", ", BuiltinNames)}");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var file = ModelFile.Read(memory.ToArray(), $"builtin model {name}");
        using (file.Header) return FromFile(file, $"builtin model {name}");
    }

    /// <summary>Whether input at <paramref name="frameRateHz"/> must be resampled to the model's rate
    /// (relative difference above <see cref="Inference.SpikeInference.FrameRateTolerance"/>).</summary>
    public bool NeedsResampling(double frameRateHz) => Math.Abs(frameRateHz / FrameRateHz - 1) > Inference.SpikeInference.FrameRateTolerance;

    /// <summary>Creates the generative model the network was trained with.</summary>
    public IGenerativeModel CreateGenerative() => ModelRegistry.CreateGenerative(GenerativeName);

    private static SpikeModel FromFile((JsonDocument Header, IReadOnlyList<StoredTensor> Tensors) file, string source)
    {
        var root = file.Header.RootElement;
        try
        {
            if (!root.TryGetProperty("format", out var format) || format.GetString() != Format)
                throw new InvalidDataException($"{source}: not a DeepSpike model (header format is not '{Format}')");
            var recognition = ModelRegistry.RecognitionFromOptions(root.GetProperty("recognition").GetString()!, root.GetProperty("recognition_options"));
            var info = root.GetProperty("info").Deserialize<ModelInfo>(InfoJson) ?? throw new InvalidDataException($"{source}: model info is missing");
            var stored = file.Tensors.Where(t => t.Name.StartsWith("recognition/", StringComparison.Ordinal))
                .ToDictionary(t => t.Name["recognition/".Length..]);
            foreach (var (name, tensor) in recognition.Network.NamedParameters())
            {
                if (!stored.TryGetValue(name, out var s))
                    throw new InvalidDataException($"{source}: parameter '{name}' is missing");
                if (!s.Shape.AsSpan().SequenceEqual(tensor.Shape))
                    throw new InvalidDataException($"{source}: parameter '{name}' has shape [{string.Join(", ", s.Shape)}], expected [{string.Join(", ", tensor.Shape)}]");
                s.Data.CopyTo(tensor.Data, 0);
            }
            return new SpikeModel(recognition, root.GetProperty("generative").GetString()!, root.GetProperty("frame_rate_hz").GetDouble(), info);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: model header is malformed ({e.Message})", e);
        }
    }
}
