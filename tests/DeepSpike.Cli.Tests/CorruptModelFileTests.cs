using DeepSpike.Cli.Tests.TestKit;

namespace DeepSpike.Cli.Tests;

/// <summary>
/// A damaged model or checkpoint — cut short, or one bit flipped anywhere (header JSON, tensor data, the checksum itself) — must
/// stop every verb that reads one with exactly one line naming the file, exit code 2 and no output: never a stack trace, and never
/// numbers computed from the damaged weights.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class CorruptModelFileTests(TrainedModelFixture fixture) : IDisposable
{
    private const string Corrupt = "corrupt or truncated";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The ways a file is damaged, and the problem the error line must state.</summary>
    public static TheoryData<string, string> Damage => new()
    {
        { "cut-last-byte", Corrupt },
        { "cut-half", Corrupt },
        { "cut-after-signature", "truncated" },
        { "cut-to-nothing", "not a DeepSpike model file" },
        { "flip-signature", "not a DeepSpike model file" },
        { "flip-json-length", Corrupt },
        { "flip-json-start", Corrupt },
        { "flip-json-middle", Corrupt },
        { "flip-tensor-count", Corrupt },
        { "flip-tensor-data-middle", Corrupt },
        { "flip-last-tensor-byte", Corrupt },
        { "flip-checksum-first-bit", Corrupt },
        { "flip-checksum-last-bit", Corrupt },
    };

    /// <summary>
    /// <paramref name="valid"/> damaged as <paramref name="kind"/> says. The layout (see <c>ModelFile</c>): 8 bytes signature,
    /// int32 JSON length, the JSON, int32 tensor count, the tensors, 8 bytes checksum.
    /// </summary>
    private static byte[] Damaged(byte[] valid, string kind)
    {
        int jsonLength = BitConverter.ToInt32(valid, 8);
        int checksum = valid.Length - 8;
        return kind switch
        {
            "cut-last-byte" => valid[..^1],
            "cut-half" => valid[..(valid.Length / 2)],
            "cut-after-signature" => valid[..10],
            "cut-to-nothing" => [],
            "flip-signature" => Flip(valid, 3, 0),
            "flip-json-length" => Flip(valid, 8, 0),
            "flip-json-start" => Flip(valid, 12, 1),
            "flip-json-middle" => Flip(valid, 12 + jsonLength / 2, 5),
            "flip-tensor-count" => Flip(valid, 12 + jsonLength, 2),
            "flip-tensor-data-middle" => Flip(valid, 12 + jsonLength + (checksum - 12 - jsonLength) / 2, 6),
            "flip-last-tensor-byte" => Flip(valid, checksum - 1, 7),
            "flip-checksum-first-bit" => Flip(valid, checksum, 0),
            "flip-checksum-last-bit" => Flip(valid, valid.Length - 1, 7),
            _ => throw new ArgumentException($"unknown damage '{kind}'", nameof(kind)),
        };
    }

    private static byte[] Flip(byte[] valid, int offset, int bit)
    {
        var copy = (byte[])valid.Clone();
        copy[offset] ^= (byte)(1 << bit);
        return copy;
    }

    private string DamagedCopy(string source, string kind, string name) => _dir.WriteBytes(name, Damaged(File.ReadAllBytes(source), kind));

    private static void AssertOneLineNaming(CliResult result, string file, string problem, string? outputFolder)
    {
        Assert.True(result.ExitCode == 2, $"expected exit code 2:\n{result}");
        CliHost.AssertCleanFailure(result, outputFolder, file, problem);
    }

    [Theory]
    [MemberData(nameof(Damage))]
    public void Infer_DamagedModel_FailsWithOneLineNamingTheFile(string kind, string problem)
    {
        string model = DamagedCopy(fixture.ModelPath, kind, "damaged.dsm"), output = _dir.Folder("out");

        var result = CliHost.Run("infer", "--model", model, "--data", fixture.DataFolder, "--out", output);

        AssertOneLineNaming(result, model, problem, output);
    }

    [Theory]
    [MemberData(nameof(Damage))]
    public void BenchSpeed_DamagedModel_FailsWithOneLineNamingTheFile(string kind, string problem)
    {
        string model = DamagedCopy(fixture.ModelPath, kind, "damaged.dsm");

        var result = CliHost.Run("bench", "speed", "--model", model, "--traces", "2", "--frames", "100", "--train-seconds", "0.1");

        AssertOneLineNaming(result, model, problem, null);
    }

    [Theory]
    [MemberData(nameof(Damage))]
    public void TrainInitFrom_DamagedModel_FailsWithOneLineNamingTheFileAndWritesNoModel(string kind, string problem)
    {
        string model = DamagedCopy(fixture.ModelPath, kind, "damaged.dsm"), output = _dir.Sub("trained.dsm");

        var result = CliHost.Run(["train", "--data", fixture.DataFolder, "--out", output, "--max-iterations", "5", "--init-from", model, .. TrainedModelFixture.QuickTraining]);

        AssertOneLineNaming(result, model, problem, null);
        Assert.False(File.Exists(output), "a model was written from a damaged --init-from");
    }

    [Theory]
    [MemberData(nameof(Damage))]
    public void TrainResume_DamagedCheckpoint_FailsWithOneLineNamingTheFileAndKeepsIt(string kind, string problem)
    {
        string output = _dir.Sub("trained.dsm");
        string checkpoint = DamagedCopy(fixture.ModelPath + ".ckpt", kind, "trained.dsm.ckpt");
        byte[] damaged = File.ReadAllBytes(checkpoint);

        var result = CliHost.Run(["train", "--data", fixture.DataFolder, "--out", output, "--max-iterations", "40", "--seed", "5", "--resume", .. TrainedModelFixture.QuickTraining]);

        AssertOneLineNaming(result, checkpoint, problem, null);
        Assert.False(File.Exists(output), "a model was written although the checkpoint to resume from is damaged");
        // The user may want to inspect or repair it; training must not silently start over and overwrite it.
        Assert.Equal(damaged, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void TrainResume_IntactCheckpointOfTheFixture_Resumes()
    {
        // The reference for the theory above: the same command with the checkpoint undamaged succeeds.
        string output = _dir.Sub("trained.dsm");
        File.Copy(fixture.ModelPath + ".ckpt", output + ".ckpt");

        var result = CliHost.Succeed(["train", "--data", fixture.DataFolder, "--out", output, "--max-iterations", "40", "--seed", "5", "--resume", .. TrainedModelFixture.QuickTraining]);

        Assert.Contains("at iteration 30", result.StdOut);
    }

    [Fact]
    public void Models_EveryBuiltinModelPassesItsChecksumAndIsListed()
    {
        // `models` reads each embedded file through the same checked reader: the files made before this test still load.
        var result = CliHost.Succeed("models");

        Assert.Equal(["gcamp6f", "gcamp6s", "ogb1", "scf-60hz"], DeepSpike.Models.SpikeModel.BuiltinNames);
        Assert.All(DeepSpike.Models.SpikeModel.BuiltinNames, name => Assert.Contains(name, result.StdOut));
    }
}
