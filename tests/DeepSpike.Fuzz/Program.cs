using DeepSpike.Tests.Data;
using System.IO.Compression;
using System.Text;
using DeepSpike.Fuzz;

// deepspike-fuzz fuzz TARGET          one afl++ run via SharpFuzz (stdin/shared memory from afl-fuzz)
// deepspike-fuzz run TARGET FILE...   judge inputs as the replay test does; exit 1 if any is a bug
// deepspike-fuzz seeds REPO OUT       write seed corpora OUT/<target>/ from small real and hand-made files
if (args.Length >= 2 && args[0] == "fuzz") return Fuzz(args[1]);
if (args.Length >= 3 && args[0] == "run") return RunFiles(args[1], args[2..]);
if (args.Length == 3 && args[0] == "seeds") return Seeds.Write(args[1], args[2]);
Console.Error.WriteLine($"usage: fuzz TARGET | run TARGET FILE... | seeds REPO_ROOT OUT_DIR   (targets: {string.Join(", ", FuzzTargets.Names)})");
return 2;

static int Fuzz(string target)
{
    var targets = new FuzzTargets(Path.Combine(Path.GetTempPath(), $"deepspike-fuzz-{target}-{Environment.ProcessId}"));
    // No targets.Prepare here: instrumented code may only run inside Run, where afl's coverage map exists. The checkpoint
    // fixture is built during the first input instead.
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        try { targets.Run(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length)); }
        catch (Exception e) when (FuzzTargets.IsClearError(target, e)) { }
    });
    return 0;
}

static int RunFiles(string target, string[] files)
{
    var targets = new FuzzTargets(Path.Combine(Path.GetTempPath(), $"deepspike-fuzz-run-{Environment.ProcessId}"));
    targets.Prepare(target);
    int bugs = 0;
    foreach (string file in files)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string outcome;
        try { targets.Run(target, File.ReadAllBytes(file)); outcome = "ok"; }
        catch (Exception e) when (FuzzTargets.IsClearError(target, e)) { outcome = $"clear error: {e.Message.ReplaceLineEndings(" ")}"; }
        catch (Exception e) { bugs++; outcome = $"BUG {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}\n{e.StackTrace}"; }
        Console.WriteLine($"{file} [{clock.ElapsedMilliseconds} ms]: {outcome}");
    }
    return bugs == 0 ? 0 : 1;
}

/// <summary>Seed corpora: a few small valid files per target (cut from the repository's real files where it has them)
/// plus hand-made edge cases, for afl-fuzz to mutate.</summary>
internal static class Seeds
{
    public static int Write(string repoRoot, string outDirectory)
    {
        var seeds = new Dictionary<string, List<(string Name, byte[] Bytes)>>();
        void Add(string target, string name, byte[] bytes) =>
            (seeds.TryGetValue(target, out var list) ? list : seeds[target] = []).Add((name, bytes));

        string exampleCalcium = Path.Combine(repoRoot, "examples", "gcamp6-like-sim", "calcium.csv.gz");
        string realCsv = FirstLines(exampleCalcium, rows: 12, columns: 3);
        var csvs = new (string Name, string Text)[]
        {
            ("example-cut", realCsv),
            ("quoted-names", "\"a,b\",\"say \"\"hi\"\"\", c \n1,2.5,-3e-2\n4,,6\n,,NaN\n"),
            ("padding", "x,y,\n0.1,1,\n0.2,,\n0.3,,\n"),
            ("crlf-bom", "\uFEFFcell1,cell2\r\n1E-07,inf\r\n-0.0406124,2\r\n"),
            ("duplicates", "a,a,,a_2\n1,2,3,4\n"),
        };
        foreach (var (name, text) in csvs)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            Add("csv", name, bytes);
            Add("csvgz", name, Gzip(bytes));
        }

        Add("npy", "f4-2x3", NpyTestFiles.Float32([[1, 2, 3], [4, 5, float.NaN]]));
        Add("npy", "f8-2x2", NpyTestFiles.Float64(new double[,] { { 1, 2 }, { 3, 4 } }));
        Add("npy", "i2-be-fortran", NpyTestFiles.Build(NpyTestFiles.Header(">i2", "(2, 2)", fortran: true), [0, 1, 0, 2, 0, 3, 255, 255]));
        Add("npy", "u1-1d", NpyTestFiles.Build(NpyTestFiles.Header("|u1", "(4,)"), [1, 2, 3, 4]));
        Add("npy", "b1-1d", NpyTestFiles.Build("{'descr': '|b1', 'fortran_order': False, 'shape': (3L,), }", [0, 1, 1]));
        Add("npy", "f2-1x2", NpyTestFiles.Build(NpyTestFiles.Header("<f2", "(1, 2)"), [0, 0x3C, 0, 0xC0]));

        byte[] protocol3 = Convert.FromHexString(NumpyScalarProtocol3), protocol4 = Convert.FromHexString(NumpyScalarProtocol4);
        Add("pickle", "numpy-scalar-p3", protocol3);
        Add("pickle", "numpy-scalar-p4", protocol4);
        Add("pickle", "float-dict", Npy.PickleFloatDict(("nplanes", 1), ("fs", 30)));

        foreach (string file in FuzzTargets.Suite2pFiles)
        {
            int selector = FuzzTargets.Suite2pFiles.ToList().IndexOf(file);
            Add("suite2p", file, [(byte)selector, .. FuzzTargets.ValidSuite2pFile(file)]);
        }
        Add("suite2p", "ops-numpy-scalar", [2, .. NpyTestFiles.ObjectArray(protocol4)]);

        string exampleMeta = File.ReadAllText(Path.Combine(repoRoot, "examples", "gcamp6-like-sim", "meta.json"));
        Add("metajson", "example", Encoding.UTF8.GetBytes(exampleMeta));
        Add("metajson", "minimal", """{"frame_rate_hz": 30}"""u8.ToArray());
        Add("metajson", "traces", """{"frame_rate_hz": 7.8, "indicator": " GCaMP6f ", "traces": [{"name": "c1", "parameters": {"tau_decay_s": 0.4}}, {"name": "c2"}]}"""u8.ToArray());

        // Model seeds are model files without the 8-byte checksum the target appends.
        string tiny = Path.Combine(Path.GetTempPath(), $"deepspike-seed-{Environment.ProcessId}.ckpt");
        FuzzTargets.CheckpointFixture.TrainedTrainer(tiny);
        byte[] checkpoint = File.ReadAllBytes(tiny);
        File.Delete(tiny);
        Add("checkpoint", "tiny-dsf", checkpoint[..^8]);
        string realModel = Path.Combine(repoRoot, "models", "builtin-scf-60hz.dsmodel");
        Add("model", "builtin-scf-60hz", File.ReadAllBytes(realModel)[..^8]);
        Add("model", "tiny-dsf-checkpoint", checkpoint[..^8]);

        foreach (var (target, list) in seeds)
        {
            string folder = Path.Combine(outDirectory, target);
            Directory.CreateDirectory(folder);
            foreach (var (name, bytes) in list) File.WriteAllBytes(Path.Combine(folder, "seed-" + name), bytes);
            Console.WriteLine($"{target}: {list.Count} seeds in {folder}");
        }
        return 0;
    }

    private static string FirstLines(string gzPath, int rows, int columns)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress));
        var text = new StringBuilder();
        for (int i = 0; i < rows && reader.ReadLine() is string line; i++)
            text.Append(string.Join(',', line.Split(',').Take(columns))).Append('\n');
        return text.ToString();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal)) gzip.Write(bytes);
        return output.ToArray();
    }

    // The ops.npy pickles of NpyReaderTests: {'nplanes': 1, 'tau': 1.0, 'fs': np.float64(15.5), 'save_path0': '/data/x', 'nframes': 3000}.
    private const string NumpyScalarProtocol3 =
        "8003636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b008571024301627103877104527105284b0129636e756d70790a64747970650a710658020000004f3871078988877108527109284b0358010000007c710a4e4e4e4affffffff4affffffff4b3f74710b62895d710c7d710d2858070000006e706c616e6573710e4b015803000000746175710f473ff0000000000000580200000066737110636e756d70792e636f72652e6d756c746961727261790a7363616c61720a711168065802000000663871128988877113527114284b0358010000003c71154e4e4e4affffffff4affffffff4b007471166243080000000000002f407117867118527119580a000000736176655f7061746830711a58070000002f646174612f78711b58070000006e6672616d6573711c4db80b756174711d622e";

    private const string NumpyScalarProtocol4 =
        "8004950f010000000000008c156e756d70792e636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b012968038c0564747970659493948c024f3894898887945294284b038c017c944e4e4e4affffffff4affffffff4b3f749462895d947d94288c076e706c616e6573944b018c0374617594473ff00000000000008c0266739468008c067363616c6172949394680b8c02663894898887945294284b038c013c944e4e4e4affffffff4affffffff4b0074946243080000000000002f4094869452948c0a736176655f7061746830948c072f646174612f78948c076e6672616d6573944db80b75617494622e";
}
