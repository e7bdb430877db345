using DeepSpike.Tests.Data;
using System.Buffers.Binary;
using DeepSpike.Data;
using DeepSpike.Generative;
using DeepSpike.Models;
using DeepSpike.Recognition;
using DeepSpike.Training;

namespace DeepSpike.Fuzz;

/// <summary>
/// One fuzz target per reader: bytes in, the reader runs, and it must either succeed or throw the
/// error it documents for bad input. Compiled into the fuzzer (SharpFuzz + afl++) and into the
/// xunit test that replays the committed corpus, so both judge an input the same way.
/// </summary>
/// <remarks>
/// Readers that take a path get the bytes written to a file in <see cref="WorkDirectory"/> first.
/// The model and checkpoint targets append the FNV-1a checksum the container ends with, so that
/// mutations reach the parser instead of all stopping at the checksum check (which has its own
/// unit tests); corpus files for those targets are model files without their last 8 bytes.
/// </remarks>
public sealed class FuzzTargets
{
    /// <summary>Target names, as given on the command line and as corpus folder names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["csv", "csvgz", "npy", "pickle", "suite2p", "metajson", "model", "checkpoint", "csvlayout", "npyarray", "dynmodel"];

    /// <summary>The files of a suite2p plane folder the suite2p target can replace; the input's first byte picks one.</summary>
    public static IReadOnlyList<string> Suite2pFiles { get; } =
        [Suite2pFolder.FluorescenceFileName, Suite2pFolder.IsCellFileName, Suite2pFolder.OpsFileName, Suite2pFolder.NeuropilFileName];

    private readonly Lazy<Trainer> _checkpointTrainer;

    /// <summary>Creates the targets with a scratch folder of their own under <paramref name="workDirectory"/>.</summary>
    public FuzzTargets(string workDirectory)
    {
        WorkDirectory = workDirectory;
        Directory.CreateDirectory(workDirectory);
        Suite2pDirectory = Path.Combine(workDirectory, "plane0");
        Directory.CreateDirectory(Suite2pDirectory);
        foreach (string file in Suite2pFiles) RestoreSuite2pFile(file);
        _checkpointTrainer = new Lazy<Trainer>(() => CheckpointFixture.TrainedTrainer(Path.Combine(workDirectory, "fixture.ckpt")));
    }

    /// <summary>Scratch folder the path-based readers read from.</summary>
    public string WorkDirectory { get; }

    /// <summary>The suite2p plane folder with valid siblings of the fuzzed file.</summary>
    public string Suite2pDirectory { get; }

    /// <summary>
    /// The errors a reader may throw for bad input: <see cref="DataFormatException"/> for data files and
    /// <see cref="InvalidDataException"/> for model files and checkpoints, both naming the file. Anything
    /// else (an <see cref="IndexOutOfRangeException"/>, an <see cref="OutOfMemoryException"/>, an
    /// <see cref="ArgumentException"/> without the file name) is a bug.
    /// </summary>
    public static bool IsClearError(string target, Exception e) => target switch
    {
        "model" or "checkpoint" or "dynmodel" => e is InvalidDataException,
        _ => e is DataFormatException,
    };

    /// <summary>Builds what <paramref name="target"/> needs besides the input (the checkpoint target's trained fixture), so that
    /// the replay test's per-input time and memory limits do not see it. (Under afl the fixture is built during the first
    /// input: instrumented code cannot run before SharpFuzz sets up the coverage map.)</summary>
    public void Prepare(string target)
    {
        if (target == "checkpoint") _ = _checkpointTrainer.Value;
    }

    /// <summary>Runs <paramref name="target"/> on <paramref name="data"/>; returns normally on success, throws what the reader threw.</summary>
    public void Run(string target, ReadOnlySpan<byte> data)
    {
        switch (target)
        {
            case "csv": TraceCsv.Read(WriteInput("input.csv", data)); break;
            case "csvgz": TraceCsv.Read(WriteInput("input.csv.gz", data)); break;
            case "npy": NpyReader.ReadTraces(WriteInput("input.npy", data)); break;
            case "pickle": PickleScanner.FindNumber(data, Suite2pFolder.FrameRateKey); break;
            case "suite2p": RunSuite2p(data); break;
            case "metajson": DatasetMetaJson.Read(WriteInput("meta.json", data)); break;
            case "model": SpikeModel.Load(WriteInput("input.dsmodel", WithChecksum(data))); break;
            case "checkpoint":
                Trainer trainer = _checkpointTrainer.Value;
                string path = WriteInput("input.ckpt", WithChecksum(data));
                new TrainerCheckpoint(path, CheckpointFixture.Info).Restore(trainer);
                break;
            // The first byte picks the layout (header or not × auto, usual or transposed), the rest is the table.
            case "csvlayout" when !data.IsEmpty:
                TraceCsv.ReadTable(WriteInput("input.csv", data[1..]), layout: new TableLayout
                {
                    HasHeader = (data[0] & 1) == 0,
                    Orientation = (TraceOrientation)(data[0] / 2 % 3),
                });
                break;
            case "csvlayout": break;
            case "npyarray": NpyReader.ReadArray(WriteInput("input.npy", data)); break;
            case "dynmodel": DeepSpike.Dynamics.DynamicsModel.Load(WriteInput("input.dsdyn", WithChecksum(data))); break;
            default: throw new ArgumentException($"unknown fuzz target '{target}'; known: {string.Join(", ", Names)}", nameof(target));
        }
    }

    /// <summary>The FNV-1a 64-bit hash the model container ends with (see <see cref="ModelFile"/>).</summary>
    public static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in data) { h ^= b; h *= 1099511628211UL; }
        return h;
    }

    private static byte[] WithChecksum(ReadOnlySpan<byte> body)
    {
        var bytes = new byte[body.Length + sizeof(ulong)];
        body.CopyTo(bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(body.Length), Fnv1a(body));
        return bytes;
    }

    private void RunSuite2p(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        string file = Suite2pFiles[data[0] % Suite2pFiles.Count];
        File.WriteAllBytes(Path.Combine(Suite2pDirectory, file), data[1..]);
        try { Suite2pFolder.Load(Suite2pDirectory); }
        finally { RestoreSuite2pFile(file); }
    }

    private void RestoreSuite2pFile(string file) => File.WriteAllBytes(Path.Combine(Suite2pDirectory, file), ValidSuite2pFile(file));

    private string WriteInput(string fileName, ReadOnlySpan<byte> data)
    {
        string path = Path.Combine(WorkDirectory, fileName);
        File.WriteAllBytes(path, data);
        return path;
    }

    /// <summary>A small valid file of a suite2p plane folder: 3 ROIs × 16 frames, ROIs 0 and 2 cells, fs = 30 Hz.</summary>
    public static byte[] ValidSuite2pFile(string file)
    {
        const int Rois = 3, Frames = 16;
        float[][] Rows(float scale) => Enumerable.Range(0, Rois)
            .Select(r => Enumerable.Range(0, Frames).Select(t => scale * (100 + r + (t % 5 == 0 ? 40 : 0))).ToArray()).ToArray();
        return file switch
        {
            Suite2pFolder.FluorescenceFileName => NpyTestFiles.Float32(Rows(1f)),
            Suite2pFolder.NeuropilFileName => NpyTestFiles.Float32(Rows(0.5f)),
            Suite2pFolder.IsCellFileName => NpyTestFiles.Float64(new double[,] { { 1, 0.9 }, { 0, 0.2 }, { 1, 0.8 } }),
            Suite2pFolder.OpsFileName => NpyTestFiles.ObjectArray(Npy.PickleFloatDict(("nframes", 16.0), (Suite2pFolder.FrameRateKey, 30.0))),
            _ => throw new ArgumentException($"not a suite2p file: {file}", nameof(file)),
        };
    }

    /// <summary>A trainer on one short trace with a tiny DS-F network, trained one iteration with a checkpoint, so that
    /// checkpoints of its shape restore into it; the checkpoint seed is the file it wrote.</summary>
    public static class CheckpointFixture
    {
        /// <summary>Provenance recorded in fixture checkpoints.</summary>
        public static ModelInfo Info { get; } = new("fuzz fixture", "synthetic", "fuzz", 0, double.NaN);

        /// <summary>Trains the fixture, writing its checkpoint to <paramref name="checkpointPath"/>.</summary>
        public static Trainer TrainedTrainer(string checkpointPath)
        {
            const double FrameRateHz = 60;
            var rng = new Random(1);
            float[] trace = Enumerable.Range(0, 240).Select(t => (float)(0.05 * rng.NextDouble() + (t % 37 < 5 ? 1.0 : 0.0))).ToArray();
            var recognition = new DsF(new DsFOptions(Channels: 2, Kernels: [3], Dilations: [1], FrameRateHz: FrameRateHz), new Random(0));
            var options = new TrainingOptions(Samples: 2, ChunkFrames: 32, ChunksPerBatch: 1, MaxIterations: 1, CheckpointEvery: 1, Seed: 1);
            var trainer = new Trainer(ModelRegistry.CreateGenerative("scf"), recognition, options);
            trainer.Train(new TrainingData(new TraceSet(["cell"], [trace], FrameRateHz)), checkpoint: new TrainerCheckpoint(checkpointPath, Info));
            return trainer;
        }
    }
}
