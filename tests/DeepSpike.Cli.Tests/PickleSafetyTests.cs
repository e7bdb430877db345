using System.Buffers.Binary;
using System.Text;
using DeepSpike.Cli.Tests.TestKit;
using DeepSpike.Data;
using DeepSpike.Tests.Data;

namespace DeepSpike.Cli.Tests;

/// <summary>
/// suite2p's <c>ops.npy</c> is a pickle, and unpickling runs whatever the file says. DeepSpike only scans its bytes for the frame
/// rate: a pickle that would run <c>os.system("touch MARKER")</c> when loaded in Python must leave no marker, and the frame rate is
/// still found next to it, or, where the payload stands in for it, reported as unreadable in one line.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class PickleSafetyTests(TrainedModelFixture fixture) : IDisposable
{
    private const double FrameRateHz = 60;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// A protocol-2 pickle with opcodes as <c>pickletools</c> names them. <c>GLOBAL 'os system'</c>, an argument tuple and
    /// <c>REDUCE</c> call <c>os.system(command)</c> during unpickling.
    /// </summary>
    private static byte[] Pickle(string command, bool payloadIsTheFrameRate)
    {
        var b = new List<byte> { 0x80, 0x02 }; // PROTO 2
        void Text(string s)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(s);
            b.Add((byte)'X'); // BINUNICODE
            var length = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
            b.AddRange(length);
            b.AddRange(utf8);
        }
        void SystemCall()
        {
            b.Add((byte)'c'); b.AddRange(Encoding.ASCII.GetBytes("os\nsystem\n")); // GLOBAL
            Text(command);
            b.Add(0x85); // TUPLE1
            b.Add((byte)'R'); // REDUCE: os.system(command)
        }
        if (!payloadIsTheFrameRate)
        {
            SystemCall();
            b.Add((byte)'0'); // POP the exit status
        }
        b.Add((byte)'}'); // EMPTY_DICT
        Text("nplanes"); b.AddRange([(byte)'K', 1]); b.Add((byte)'s'); // SETITEM nplanes = 1
        Text("fs");
        if (payloadIsTheFrameRate) SystemCall(); // fs = os.system(command): 0 if run
        else
        {
            b.Add((byte)'G'); // BINFLOAT, big-endian
            var value = new byte[8];
            BinaryPrimitives.WriteDoubleBigEndian(value, FrameRateHz);
            b.AddRange(value);
        }
        b.Add((byte)'s'); // SETITEM
        b.Add((byte)'.'); // STOP
        return [.. b];
    }

    /// <summary>A suite2p plane folder with the fixture's two traces as raw fluorescence and <paramref name="opsPickle"/> as ops.npy.</summary>
    private string Plane(byte[] opsPickle)
    {
        var traces = fixture.Data.Calcium.Traces;
        int frames = traces[0].Length;
        float[] Neuropil(int shift) => Enumerable.Range(0, frames).Select(t => 1f + 0.1f * MathF.Sin((t + shift) / 50f)).ToArray();
        float[][] fneu = [Neuropil(0), Neuropil(7)];
        float[][] f = traces.Select((trace, i) => trace.Select((v, t) => 2f + v + 0.7f * fneu[i][t]).ToArray()).ToArray();
        string plane = _dir.Folder("suite2p/plane0");
        File.WriteAllBytes(Path.Combine(plane, "F.npy"), NpyTestFiles.Float32(f));
        File.WriteAllBytes(Path.Combine(plane, "Fneu.npy"), NpyTestFiles.Float32(fneu));
        File.WriteAllBytes(Path.Combine(plane, "iscell.npy"), NpyTestFiles.Float64(new double[,] { { 1, 0.9 }, { 1, 0.8 } }));
        File.WriteAllBytes(Path.Combine(plane, Suite2pFolder.OpsFileName), NpyTestFiles.ObjectArray(opsPickle));
        return plane;
    }

    [Fact]
    public void Infer_OpsPickleThatRunsAShellCommand_IsNotExecutedAndTheFrameRateBesideItIsFound()
    {
        string marker = _dir.Sub("executed");
        string plane = Plane(Pickle($"touch '{marker}'", payloadIsTheFrameRate: false));

        var result = CliHost.Succeed("infer", "--model", fixture.ModelPath, "--data", plane, "--out", _dir.Sub("out"));

        Assert.False(File.Exists(marker), "the pickle in ops.npy was executed");
        Assert.Contains($"{FrameRateHz:G} Hz (from ops.npy)", result.StdOut);
    }

    [Fact]
    public void Infer_OpsPickleWhoseFrameRateIsAShellCommand_IsNotExecutedAndFailsInOneLine()
    {
        string marker = _dir.Sub("executed");
        string plane = Plane(Pickle($"touch '{marker}'", payloadIsTheFrameRate: true));
        string output = _dir.Sub("out");

        var result = CliHost.Run("infer", "--model", fixture.ModelPath, "--data", plane, "--out", output);

        Assert.False(File.Exists(marker), "the pickle in ops.npy was executed");
        CliHost.AssertCleanFailure(result, output, plane, "ops.npy has no readable number under 'fs'", "--frame-rate");
    }
}
