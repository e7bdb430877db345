namespace DeepSpike.Cli.Tests.TestKit;

/// <summary>
/// Every CLI test runs <see cref="Program.Main"/> in-process and swaps the global
/// <see cref="Console"/> writers, so they all belong to this one collection and never run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliCollection : ICollectionFixture<TrainedModelFixture>
{
    public const string Name = "cli";
}
