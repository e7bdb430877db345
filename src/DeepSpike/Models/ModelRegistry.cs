using System.Text.Json;
using DeepSpike.Generative;
using DeepSpike.Recognition;

namespace DeepSpike.Models;

/// <summary>Maps the model names used in files and on the command line to their implementations.</summary>
public static class ModelRegistry
{
    /// <summary>Generative model names this build knows.</summary>
    public static IReadOnlyList<string> GenerativeNames { get; } = ["scf", "scf-ar2", "scdf", "mlphys", "mlphys-gcamp6s", "mlphys-gcamp6f"];

    /// <summary>Recognition model names this build knows.</summary>
    public static IReadOnlyList<string> RecognitionNames { get; } = ["dsf", "dsnf"];

    /// <summary>
    /// Creates a generative model by name ("scf" is AR(1), "scf-ar2" is AR(2), "scdf" is AR(1) calcium with indicator
    /// binding, "mlphys-gcamp6s"/"mlphys-gcamp6f" start MLphys from that indicator's published kinetics). Plain "mlphys"
    /// starts from the kinetics of <paramref name="indicator"/> when it is GCaMP6f, else GCaMP6s.
    /// </summary>
    public static IGenerativeModel CreateGenerative(string name, string? indicator = null) => name switch
    {
        "scf" => new ScfModel(new ScfOptions(ArOrder: 1)),
        "scf-ar2" => new ScfModel(new ScfOptions(ArOrder: 2)),
        "scdf" => new ScdfModel(new ScdfOptions(ArOrder: 1)),
        "mlphys" when string.Equals(indicator, "GCaMP6f", StringComparison.OrdinalIgnoreCase) => new MlphysModel(MlphysOptions.Gcamp6f),
        "mlphys" or "mlphys-gcamp6s" => new MlphysModel(MlphysOptions.Gcamp6s),
        "mlphys-gcamp6f" => new MlphysModel(MlphysOptions.Gcamp6f),
        _ => throw new ArgumentException($"unknown generative model '{name}'; known: {string.Join(", ", GenerativeNames)}"),
    };

    /// <summary>Creates a freshly initialised recognition model by name.</summary>
    public static IRecognitionModel CreateRecognition(string name, double frameRateHz, Random rng) => name switch
    {
        "dsf" => new DsF(new DsFOptions(FrameRateHz: frameRateHz), rng),
        "dsnf" => new DsNf(new DsNfOptions(new DsFOptions(FrameRateHz: frameRateHz)), rng),
        _ => throw new ArgumentException($"unknown recognition model '{name}'; known: {string.Join(", ", RecognitionNames)}"),
    };

    /// <summary>Recreates a recognition model's architecture from its saved options (weights loaded separately).</summary>
    public static IRecognitionModel RecognitionFromOptions(string name, JsonElement options) => name switch
    {
        "dsf" => DsF.FromOptionsJson(options.GetRawText()),
        "dsnf" => DsNf.FromOptionsJson(options.GetRawText()),
        _ => throw new InvalidDataException($"unknown recognition model '{name}'; known: {string.Join(", ", RecognitionNames)}"),
    };
}
