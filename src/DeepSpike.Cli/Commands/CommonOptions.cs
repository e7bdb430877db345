using System.CommandLine;

namespace DeepSpike.Cli.Commands;

/// <summary>Options that several verbs share, with the same names and help everywhere.</summary>
internal static class CommonOptions
{
    public static Option<int> Seed() => new("--seed") { Description = "Seed for every random draw: the same seed gives the same bits, whatever --threads (see README, Reproducibility)", DefaultValueFactory = _ => 0 };

    public static Option<int?> Threads() => new("--threads") { Description = "Maximum worker threads (default: all cores)" };

    public static Option<double?> FrameRate(string description = "Frame rate in Hz (overrides meta.json)") => new("--frame-rate") { Description = description };
}
