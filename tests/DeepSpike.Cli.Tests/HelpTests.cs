using DeepSpike.Cli.Tests.TestKit;

namespace DeepSpike.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class HelpTests
{
    [Theory]
    [InlineData("", "simulate", "train", "infer", "evaluate", "bench", "demo")]
    [InlineData("simulate", "--generative", "--cells", "--rates", "--frames", "--frame-rate", "--protocol", "--seed", "--out")]
    [InlineData("train", "--data", "--validation", "--out", "--objective", "--max-minutes", "--max-iterations", "--samples", "--chunk-frames", "--batch-chunks", "--checkpoint", "--resume", "--init-from", "--frame-rate", "--seed", "--threads")]
    [InlineData("infer", "--model", "--data", "--out", "--samples", "--frame-rate", "--seed", "--threads", "suite2p", ".npy",
        "--neuropil <FILE>", "--neuropil-factor <R>", "[default: 0.7]", "--input-kind <raw|dff>", "--baseline-window-s", "[default: 100]",
        "--baseline-percentile", "[default: 5]", "--max-gap-s", "[default: 0.5]", "noise_levels.csv")]
    [InlineData("deconvolve", "--method", "--data", "--out", "--frame-rate", "--neuropil", "--neuropil-factor", "--input-kind",
        "--baseline-window-s", "--baseline-percentile", "--max-gap-s", "noise_levels.csv")]
    [InlineData("evaluate", "--predicted", "--truth", "--frame-rate", "--bin-ms", "--json")]
    [InlineData("bench", "speed", "accuracy", "posterior")]
    [InlineData("bench accuracy", "--suite", "scf-sim", "genie", "spikefinder", "--data-root", "--folds", "--dsnf-minutes", "--json")]
    [InlineData("bench posterior", "--suite", "scdf-sim", "amortization", "--samples", "--per-cell-minutes", "--json")]
    [InlineData("bench speed", "--traces", "--frames", "--train-seconds", "--model", "--threads")]
    [InlineData("demo", "--out", "--threads")]
    public void Help_EveryVerb_ExitsZeroAndListsItsOptions(string verb, params string[] mentions)
    {
        string[] args = [.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];

        var result = CliHost.Run(args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.StdErr);
        // In-process the root command is named after the host executable, so only the verb path is checked.
        string usage = result.StdOut.Split('\n').SkipWhile(l => !l.StartsWith("Usage:", StringComparison.Ordinal)).Skip(1).First();
        Assert.Contains($"{verb} [".TrimStart(), usage);
        foreach (string mention in mentions)
            Assert.Contains(mention, result.StdOut);
    }
}
