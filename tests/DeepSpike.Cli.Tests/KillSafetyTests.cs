using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Models;
using Xunit.Abstractions;

namespace DeepSpike.Cli.Tests;

/// <summary>
/// <c>kill -9</c> at random moments: training resumed after each kill ends with the same model file, byte for byte, as a run
/// never interrupted; <c>infer</c> and <c>deconvolve</c> leave each output either as it was or complete, never partial.
/// The CLI runs as a separate process (<see cref="CliProcess"/>) so that SIGKILL really stops it mid-write.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class KillSafetyTests(TrainedModelFixture fixture, ITestOutputHelper log) : IDisposable
{
    private const int Kills = 10;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Train_KilledTenTimesAndResumedEachTime_WritesTheUninterruptedRunsModelByteForByte()
    {
        string output = _dir.Sub("model.dsm"), checkpoint = output + ".ckpt";
        // Validation, weight averaging and a checkpoint every 3 iterations put every kind of state in the checkpoint: best and
        // averaged weights, every Adam moment, every trace's θ, the counters. The same command line every time (with --resume
        // also on the first, uninterrupted run, which finds no checkpoint), since the model file records it.
        string[] train =
        [
            "train", "--data", fixture.DataFolder, "--validation", fixture.DataFolder, "--out", output, "--max-iterations", "1000",
            "--checkpoint-every", "3", "--validate-every", "25", "--weight-averaging", "0.98", "--seed", "7", "--resume",
            .. TrainedModelFixture.QuickTraining,
        ];
        const string started = "training ";
        double trainingSeconds;

        using (var straight = CliProcess.Start(train, started))
        {
            Assert.True(straight.WaitForMarker(TimeSpan.FromMinutes(2)), "the uninterrupted run never printed its 'training' line");
            var trainingStart = straight.Started.Elapsed;
            var result = straight.WaitForExit(TimeSpan.FromMinutes(5));
            Assert.True(result.ExitCode == 0, result.ToString());
            trainingSeconds = (straight.Started.Elapsed - trainingStart).TotalSeconds;
        }
        byte[] reference = File.ReadAllBytes(output);
        File.Delete(output);
        File.Delete(checkpoint);
        log.WriteLine($"uninterrupted: {trainingSeconds:F2} s from the 'training' line to exit");

        // Each kill lands 2-15 % of the uninterrupted training time after the 'training' line of its run, so the ten together
        // interrupt most of the way through (a run also redoes up to 3 iterations and its start-up) and some hit a checkpoint write.
        var random = new Random(20261206);
        int killed = 0;
        for (int k = 0; k < Kills; k++)
        {
            double delay = trainingSeconds * (0.02 + 0.13 * random.NextDouble());
            using var run = CliProcess.Start(train, started);
            Assert.True(run.WaitForMarker(TimeSpan.FromMinutes(2)), $"run {k + 1} never started training");
            Thread.Sleep(TimeSpan.FromSeconds(delay));
            bool wasKilled = run.Kill();
            killed += wasKilled ? 1 : 0;
            // Whatever the moment, the checkpoint on disk is whole: written to a temporary file, then renamed.
            string at = File.Exists(checkpoint) ? $"checkpoint at iteration {CheckpointIteration(checkpoint)}" : "no checkpoint yet";
            log.WriteLine($"run {k + 1}: {(wasKilled ? "killed" : "had finished")} {delay * 1000:F0} ms after 'training'; {at}; model file {(File.Exists(output) ? "present" : "absent")}");
        }

        var final = CliProcess.Succeed(train);
        Assert.Contains("resuming from", final.StdOut);
        bool identical = reference.AsSpan().SequenceEqual(File.ReadAllBytes(output));
        log.WriteLine($"{killed} of {Kills} runs killed; final model byte-identical to the uninterrupted run: {(identical ? "yes" : "no")}");
        Assert.True(killed >= Kills / 2, $"only {killed} of {Kills} runs were still training when killed; the test did not test much");
        Assert.True(identical, "the model after kills and resumes differs from the uninterrupted run's");
        AssertOnlyHiddenLeftovers(_dir.Path);
    }

    [Theory]
    [InlineData("40")] // the last checkpoint falls on the last iteration
    [InlineData("41")] // it is the extra one written after the loop
    public void Train_KilledBetweenTheLastCheckpointAndTheModel_ResumeWritesTheSameModel(string iterations)
    {
        // The moment a random kill rarely hits: the final checkpoint is on disk, the model is not.
        string output = _dir.Sub("model.dsm");
        string[] train = ["train", "--data", fixture.DataFolder, "--validation", fixture.DataFolder, "--out", output, "--max-iterations", iterations,
            "--checkpoint-every", "5", "--validate-every", "10", "--seed", "7", "--resume", .. TrainedModelFixture.QuickTraining];
        CliHost.Succeed(train);
        byte[] reference = File.ReadAllBytes(output);
        File.Delete(output);

        var resumed = CliHost.Succeed(train);

        Assert.Contains($"{iterations} iterations (0 in this run)", resumed.StdOut);
        Assert.Equal(reference, File.ReadAllBytes(output));
    }

    private static int CheckpointIteration(string path)
    {
        var (header, _) = ModelFile.Read(path);
        using (header) return header.RootElement.GetProperty("extra").GetProperty("iteration").GetInt32();
    }

    public static TheoryData<string> Verbs => new() { "infer", "deconvolve" };

    [Theory]
    [MemberData(nameof(Verbs))]
    public void InferOrDeconvolve_KilledAtRandomMoments_LeavesEachOutputOldOrComplete(string verb)
    {
        // Large enough that reading, inferring and writing each take a noticeable share of the run.
        string data = _dir.Sub("big");
        CliHost.Succeed("simulate", "--cells", "20", "--rates", "1", "--frames", "20000", "--seed", "3", "--out", data);
        string[] Command(string output) => verb == "infer"
            ? ["infer", "--model", fixture.ModelPath, "--data", data, "--out", output, "--samples", "2", "--threads", "1"]
            : ["deconvolve", "--method", "oasis-ar1", "--data", data, "--out", output, "--threads", "1"];

        string complete = _dir.Sub("complete");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        CliProcess.Succeed(Command(complete));
        double seconds = clock.Elapsed.TotalSeconds;
        var expected = OutputFiles(complete);
        Assert.Contains(InferCommandOutput, expected.Keys);

        string output = _dir.Folder("out");
        const string old = "old,output\n1,2\n";
        foreach (string name in expected.Keys) WriteOld(Path.Combine(output, name), old);

        var random = new Random(verb == "infer" ? 41 : 43);
        int killed = 0;
        // Five kills at random moments, then one the moment the first temporary output file appears: mid-write for sure.
        for (int k = 0; k <= Kills / 2; k++)
        {
            bool midWrite = k == Kills / 2;
            double delay = seconds * (0.1 + 1.0 * random.NextDouble());
            using var run = CliProcess.Start(Command(output));
            string moment;
            if (midWrite)
            {
                string? temporary = null;
                while (!run.HasExited && (temporary = Directory.GetFiles(output, "*" + AtomicFile.TempSuffix, SearchOption.AllDirectories).FirstOrDefault()) is null)
                    Thread.Sleep(2);
                moment = temporary is null ? "before any temporary file was seen" : $"while {Path.GetFileName(temporary)} was being written";
            }
            else
            {
                Thread.Sleep(TimeSpan.FromSeconds(delay));
                moment = $"after {delay * 1000:F0} ms of ~{seconds * 1000:F0} ms";
            }
            bool wasKilled = run.Kill();
            killed += wasKilled ? 1 : 0;
            var found = OutputFiles(output);
            int fresh = found.Count(f => expected.TryGetValue(f.Key, out var e) && e.AsSpan().SequenceEqual(f.Value));
            log.WriteLine($"{verb} run {k + 1}: {(wasKilled ? "killed" : "had finished")} {moment}; {fresh} of {found.Count} outputs new, the rest old");
            foreach (var (name, bytes) in found)
            {
                Assert.True(expected.ContainsKey(name), $"{name} appeared, which a complete run does not write");
                bool isOld = bytes.AsSpan().SequenceEqual(System.Text.Encoding.UTF8.GetBytes(old));
                Assert.True(isOld || bytes.AsSpan().SequenceEqual(expected[name]), $"{name} is neither the old file nor the complete new one ({bytes.Length} bytes)");
            }
            foreach (string name in expected.Keys.Where(n => !found.ContainsKey(n)))
                Assert.Fail($"{name} disappeared: a kill must leave the old file in place");
            // Restore the old outputs, so the next kill can show partial writes again.
            foreach (string name in expected.Keys) WriteOld(Path.Combine(output, name), old);
        }
        log.WriteLine($"{verb}: {killed} of {Kills / 2 + 1} runs killed before they finished");
        Assert.True(killed >= 1, $"no {verb} run was killed before it finished; the kill moments are too late");
        AssertOnlyHiddenLeftovers(output);
    }

    private const string InferCommandOutput = "probabilities.csv";

    private static void WriteOld(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>The output files under <paramref name="folder"/> by relative path, leaving out hidden temporary files.</summary>
    private static Dictionary<string, byte[]> OutputFiles(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !IsTemporary(f))
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    private static bool IsTemporary(string path) =>
        Path.GetFileName(path).StartsWith('.') && path.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal);

    /// <summary>What a killed process cannot clean up must be recognisable: hidden, ending in .tmp, never an output's name.</summary>
    private void AssertOnlyHiddenLeftovers(string folder)
    {
        var leftovers = Directory.GetFiles(folder, "*" + AtomicFile.TempSuffix, SearchOption.AllDirectories);
        log.WriteLine($"{leftovers.Length} temporary files left by killed runs under {folder}");
        Assert.All(leftovers, f => Assert.True(IsTemporary(f), $"{f} looks like an output"));
    }
}
