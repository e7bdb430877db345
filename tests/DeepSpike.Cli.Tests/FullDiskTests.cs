using System.Diagnostics;
using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using Xunit.Abstractions;

namespace DeepSpike.Cli.Tests;

/// <summary>
/// A full disk must give one error line naming the file that could not be written, exit code 2, no partial or temporary file, and
/// the old outputs untouched. The disk is a 64 KiB tmpfs, which needs root (or CAP_SYS_ADMIN): elsewhere each test says so on
/// its output and passes without testing (xunit 2 cannot skip at run time). RLIMIT_FSIZE is no substitute: .NET does not start
/// under a small one.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class FullDiskTests : IDisposable
{
    private const string DiskSize = "64k";
    private const string Old = "old,output\n1,2\n";
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _log;
    private readonly string _disk;
    private readonly string? _cannotMount;
    private readonly TrainedModelFixture _fixture;

    public FullDiskTests(TrainedModelFixture fixture, ITestOutputHelper log)
    {
        _fixture = fixture;
        _log = log;
        _disk = _dir.Folder("disk");
        _cannotMount = Mount(_disk);
    }

    public void Dispose()
    {
        if (_cannotMount is null) RunTool("umount", _disk);
        _dir.Dispose();
    }

    /// <summary>Mounts a small tmpfs at <paramref name="folder"/>; null if it worked, else why not.</summary>
    private static string? Mount(string folder)
    {
        if (!OperatingSystem.IsLinux()) return "a tmpfs needs Linux";
        return RunTool("mount", "-t", "tmpfs", "-o", $"size={DiskSize}", "tmpfs", folder);
    }

    /// <summary>Runs a system tool; null on success, else what it said.</summary>
    private static string? RunTool(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{tool} failed ({process.ExitCode}): {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{tool} could not be started: {e.Message}";
        }
    }

    private bool Skipped()
    {
        if (_cannotMount is null) return false;
        _log.WriteLine($"SKIPPED: cannot make a {DiskSize} disk: {_cannotMount}");
        return true;
    }

    /// <summary>A recording whose outputs are far larger than the disk: 4 traces × 10,000 frames.</summary>
    private string LargeData()
    {
        string data = _dir.Sub("data");
        CliHost.Succeed("simulate", "--cells", "4", "--rates", "1", "--frames", "10000", "--seed", "1", "--out", data);
        return data;
    }

    private void AssertFullDiskError(CliResult result, string file)
    {
        _log.WriteLine(result.StdErr.Trim());
        Assert.Equal(2, result.ExitCode);
        CliHost.AssertCleanFailure(result, null, file, "No space left on device");
        Assert.Empty(Directory.GetFiles(_disk, "*" + AtomicFile.TempSuffix, SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("infer")]
    [InlineData("deconvolve")]
    public void InferOrDeconvolve_DiskFull_FailsNamingTheFileAndKeepsTheOldOutputs(string verb)
    {
        if (Skipped()) return;
        string data = LargeData(), output = Path.Combine(_disk, "out");
        Directory.CreateDirectory(output);
        string probabilities = Path.Combine(output, "probabilities.csv"), noise = Path.Combine(output, "noise_levels.csv");
        File.WriteAllText(probabilities, Old);
        File.WriteAllText(noise, Old);

        var result = verb == "infer" ? CliHost.Run("infer", "--model", _fixture.ModelPath, "--data", data, "--out", output, "--threads", "1")
            : CliHost.Run("deconvolve", "--data", data, "--out", output, "--threads", "1");

        AssertFullDiskError(result, probabilities);
        Assert.Equal(Old, File.ReadAllText(probabilities));
        Assert.Equal(Old, File.ReadAllText(noise));
        Assert.Equal(2, Directory.GetFiles(output, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void Infer_DiskFullOnlyAtTheSamples_WritesNoneOfTheOutputs()
    {
        if (Skipped()) return;
        // probabilities.csv and noise_levels.csv fit; the posterior samples do not. Written one by one, the first two would be new
        // beside missing samples; as a group, none appears.
        string data = _dir.Sub("small");
        CliHost.Succeed("simulate", "--cells", "1", "--rates", "1", "--frames", "2000", "--seed", "1", "--out", data);
        string output = Path.Combine(_disk, "out");

        var result = CliHost.Run("infer", "--model", _fixture.ModelPath, "--data", data, "--out", output, "--samples", "30", "--threads", "1");

        AssertFullDiskError(result, Path.Combine(output, "samples"));
        Assert.Empty(Directory.GetFiles(output, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Train_DiskFull_FailsNamingTheCheckpointAndWritesNoModel()
    {
        if (Skipped()) return;
        string model = Path.Combine(_disk, "model.dsm");

        // Fewer iterations than the first progress line (25), so the error is the only line on stderr.
        var result = CliHost.Run(["train", "--data", LargeData(), "--out", model, "--max-iterations", "10", "--samples", "8", "--chunk-frames", "200", "--batch-chunks", "2", "--threads", "1"]);

        AssertFullDiskError(result, model);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Simulate_DiskFull_FailsNamingTheFile()
    {
        if (Skipped()) return;
        string output = Path.Combine(_disk, "sim");

        var result = CliHost.Run("simulate", "--cells", "4", "--rates", "1", "--frames", "10000", "--seed", "1", "--out", output);

        AssertFullDiskError(result, Path.Combine(output, Dataset.CalciumFileName));
    }
}
