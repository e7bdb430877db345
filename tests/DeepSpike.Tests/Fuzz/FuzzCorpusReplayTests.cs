using DeepSpike.Fuzz;
using DeepSpike.Tests.Data;

namespace DeepSpike.Tests.Fuzz;

/// <summary>
/// Replays the committed fuzz corpus (<c>tests/fuzz-corpus/&lt;target&gt;/</c>: afl-cmin-minimised inputs and every
/// input that once crashed or hung a reader) through the same targets afl-fuzz ran. Each input must end in success
/// or the reader's documented error within <see cref="PerInputLimit"/>; any other exception or a hang is a bug.
/// Needs only dotnet: no afl++ and no instrumentation.
/// </summary>
public class FuzzCorpusReplayTests : IDisposable
{
    /// <summary>Far above any reader's time on these small inputs (milliseconds); only a hang or a runaway allocation reaches it.</summary>
    private static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(5);

    /// <summary>Far above what a reader allocates for these inputs (a few MB); a reader that sizes buffers from a header or
    /// column count instead of the data reaches it (afl-fuzz ran with a 512 MiB heap limit, too coarse for small inputs).</summary>
    private const long PerInputAllocationLimitBytes = 64L << 20;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Targets() => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Replay_EveryCorpusInput_SucceedsOrThrowsClearError(string target)
    {
        string folder = Path.Combine(CorpusRoot(), target);
        string[] files = Directory.Exists(folder) ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray() : [];
        Assert.True(files.Length > 0, $"no corpus for fuzz target '{target}' in {folder}");
        var targets = new FuzzTargets(_dir.Path);
        targets.Prepare(target);

        var bugs = new List<string>();
        foreach (string file in files)
        {
            byte[] input = File.ReadAllBytes(file);
            var run = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { targets.Run(target, input); }
                finally
                {
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    if (allocated > PerInputAllocationLimitBytes)
                        lock (bugs) bugs.Add($"{Path.GetFileName(file)}: allocated {allocated >> 20} MiB for a {input.Length}-byte input");
                }
            });
            string name = Path.GetFileName(file);
            if (await Task.WhenAny(run, Task.Delay(PerInputLimit)) != run)
            {
                lock (bugs) bugs.Add($"{name}: still running after {PerInputLimit.TotalSeconds} s (hang)");
                break; // the hung run still owns the scratch files
            }
            if (run.Exception?.InnerException is Exception e && !FuzzTargets.IsClearError(target, e))
                lock (bugs) bugs.Add($"{name}: {e.GetType().Name}: {e.Message}");
        }
        Assert.True(bugs.Count == 0, $"{bugs.Count} of {files.Length} '{target}' inputs are bugs:\n{string.Join('\n', bugs)}");
    }

    [Fact]
    public void IsClearError_ModelTargetAndDataFormatException_False()
    {
        // A model file's reader documents InvalidDataException; the data readers' error type would hide a mix-up.
        Assert.False(FuzzTargets.IsClearError("model", new DeepSpike.Data.DataFormatException("f", "p")));
        Assert.True(FuzzTargets.IsClearError("csv", new DeepSpike.Data.DataFormatException("f", "p")));
        Assert.False(FuzzTargets.IsClearError("csv", new ArgumentOutOfRangeException("x")));
    }

    private static string CorpusRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeepSpike.slnx")))
                return Path.Combine(dir.FullName, "tests", "fuzz-corpus");
        }
        throw new DirectoryNotFoundException($"no DeepSpike.slnx above {AppContext.BaseDirectory}");
    }
}
