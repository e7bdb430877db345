using System.Text.Json;
using DeepSpike.Data;
using DeepSpike.Models;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DeepSpike.Tests.Data;

/// <summary>
/// Property tests of every writer against its reader: what a writer accepts must read back identically (names,
/// values bit for bit, headers byte for byte), and what it refuses it refuses with an <see cref="ArgumentException"/>
/// before leaving any file. The reference is the input itself.
/// </summary>
public class WriterRoundTripProperties : IDisposable
{
    private const int Cases = 200;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Characters that stress quoting, trimming, encodings and line handling in a CSV header.</summary>
    private static readonly char[] TrickyChars =
        ['a', 'Z', '7', '_', ',', '"', ' ', '\t', 'é', '中', '\u00A0', '\u2028', '\uFEFF', '\u0001', '\u007F', '\u0085', '\r', '\n', '\uD83D', '\uDE00'];

    private static Gen<string> AnyName() => Gen.OneOf(
        Gen.Elements(TrickyChars).ArrayOf().Select(c => new string(c)),
        ArbMap.Default.GeneratorFor<string>().Where(s => s is not null),
        Gen.Elements("cell1", "roi 3", "\"quoted\"", "a,b", " padded ", "😀 emoji", "Ünïcødé"));

    /// <summary>Names a user would reasonably give: non-empty, printable, valid UTF-16, possibly needing quotes.</summary>
    private static Gen<string> WellFormedName() => Gen.Elements(TrickyChars.Where(c => !char.IsControl(c) && !char.IsSurrogate(c)).ToArray())
        .ArrayOf().Where(c => c.Length > 0).Select(c => new string(c)).Where(s => s != "\uFEFF" && !s.StartsWith('\uFEFF'));

    /// <summary>Finite floats from random bit patterns (subnormals, ±0, extreme exponents) plus the edge values.</summary>
    private static Gen<float> FiniteFloat() => Gen.OneOf(
        Gen.Choose(int.MinValue, int.MaxValue).Select(BitConverter.Int32BitsToSingle).Where(float.IsFinite),
        Gen.Elements(0f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1e-38f, 0.1f, 1e7f, 16777217f));

    private static Gen<float[]> Trace() => Gen.Choose(1, 60).SelectMany(length => FiniteFloat().ArrayOf(length));

    private static bool IsValidUtf16(string text) =>
        System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text)) == text;

    private static Gen<(string[] Names, float[][] Traces, bool Gzip)> TraceSets(Gen<string> names) =>
        from count in Gen.Choose(1, 5)
        from n in names.ArrayOf(count)
        from traces in Trace().ArrayOf(count)
        from gzip in ArbMap.Default.GeneratorFor<bool>()
        select (n, traces, gzip);

    [Property(MaxTest = Cases)]
    public Property TraceCsvWrite_AnyInput_ReadsBackIdenticallyOrIsRefused() =>
        Prop.ForAll(TraceSets(AnyName()).ToArbitrary(), set => AssertTraceCsvRoundTrip(set, mustAccept: false));

    [Property(MaxTest = Cases)]
    public Property TraceCsvWrite_WellFormedNames_ReadsBackIdentically() =>
        Prop.ForAll(TraceSets(WellFormedName()).Where(s => s.Names.Distinct().Count() == s.Names.Length).ToArbitrary(),
            set => AssertTraceCsvRoundTrip(set, mustAccept: true));

    private void AssertTraceCsvRoundTrip((string[] Names, float[][] Traces, bool Gzip) set, bool mustAccept)
    {
        string path = _dir.File(set.Gzip ? "p.csv.gz" : "p.csv");
        try
        {
            TraceCsv.Write(path, set.Names, set.Traces);
        }
        catch (ArgumentException) when (!mustAccept)
        {
            Assert.False(File.Exists(path), "a refused write left a file");
            Assert.Empty(_dir.FileNames());
            return;
        }
        // The writer's promise is to its reader in the usual layout read as written (Auto may also drop a clock-like first column).
        TraceSet back = TraceCsv.ReadTable(path, layout: new TableLayout { Orientation = TraceOrientation.Usual }).Traces;
        File.Delete(path);
        Assert.Equal(set.Names, back.Names);
        Assert.Equal(set.Traces.Length, back.Count);
        for (int j = 0; j < set.Traces.Length; j++)
            Assert.Equal(set.Traces[j].Select(BitConverter.SingleToInt32Bits), back.Traces[j].Select(BitConverter.SingleToInt32Bits));
    }

    private static Gen<StoredTensor> Tensors() =>
        from name in ArbMap.Default.GeneratorFor<string>().Where(s => s is not null)
        from shape in Gen.Choose(0, 4).ArrayOf().Select(s => s.Length > 3 ? s[..3] : s)
        from extra in Gen.Frequency((9, Gen.Constant(0)), (1, Gen.Elements(-1, 1)))
        from bits in Gen.Choose(int.MinValue, int.MaxValue).ArrayOf(Math.Max(0, shape.Aggregate(1, (p, d) => p * d) + extra))
        select new StoredTensor(name, shape, bits.Select(BitConverter.Int32BitsToSingle).ToArray());

    private static Gen<string> JsonHeaders() =>
        from keys in ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).ArrayOf()
        from number in ArbMap.Default.GeneratorFor<double>().Where(double.IsFinite)
        select JsonSerializer.Serialize(keys.Distinct().ToDictionary(k => k, k => (object)(k.Length % 2 == 0 ? number : k)));

    [Property(MaxTest = Cases)]
    public Property ModelFileWrite_AnyTensors_ReadsBackIdenticallyOrIsRefused() =>
        Prop.ForAll((from header in JsonHeaders() from tensors in Tensors().ArrayOf() select (header, tensors)).ToArbitrary(), input =>
        {
            string path = _dir.File("m.dsmodel");
            using var header = JsonDocument.Parse(input.header);
            try
            {
                ModelFile.Write(path, header, input.tensors);
            }
            catch (ArgumentException)
            {
                Assert.Empty(_dir.FileNames());
                return;
            }
            var (backHeader, backTensors) = ModelFile.Read(path);
            File.Delete(path);
            using (backHeader) Assert.Equal(header.RootElement.GetRawText(), backHeader.RootElement.GetRawText());
            Assert.Equal(input.tensors.Length, backTensors.Count);
            for (int i = 0; i < input.tensors.Length; i++)
            {
                Assert.Equal(input.tensors[i].Name, backTensors[i].Name);
                Assert.Equal(input.tensors[i].Shape, backTensors[i].Shape);
                Assert.Equal(input.tensors[i].Data.Select(BitConverter.SingleToInt32Bits), backTensors[i].Data.Select(BitConverter.SingleToInt32Bits));
            }
        });

    [Property(MaxTest = Cases)]
    public Property DatasetMetaWrite_AnyMeta_ReadsBackIdenticallyOrIsRefused() =>
        Prop.ForAll((
            from rate in ArbMap.Default.GeneratorFor<double>()
            from generative in Gen.Elements<string?>(null, "SCF", "scdf", "é")
            from indicator in Gen.Elements<string?>(null, "GCaMP6f", "OGB-1")
            from hasTraces in ArbMap.Default.GeneratorFor<bool>()
            // System.Text.Json writes an unpaired surrogate as U+FFFD; trace names are checked by the CSV writer instead.
            from traces in (from name in AnyName().Where(IsValidUtf16)
                            from parameters in ArbMap.Default.GeneratorFor<Dictionary<string, double>>().Where(p => p.Keys.All(IsValidUtf16))
                            select new TraceMeta(name, parameters)).ArrayOf()
            select new DatasetMeta(rate, generative, hasTraces ? traces : null, indicator)).ToArbitrary(), meta =>
        {
            string path = _dir.File("meta.json");
            try
            {
                DatasetMetaJson.Write(path, meta);
            }
            catch (ArgumentException)
            {
                Assert.Empty(_dir.FileNames());
                return;
            }
            DatasetMeta back = DatasetMetaJson.Read(path);
            File.Delete(path);
            Assert.Equal(BitConverter.DoubleToInt64Bits(meta.FrameRateHz), BitConverter.DoubleToInt64Bits(back.FrameRateHz));
            Assert.Equal(meta.Generative, back.Generative);
            Assert.Equal(meta.Indicator, back.Indicator);
            Assert.Equal(meta.Traces is null, back.Traces is null);
            for (int i = 0; i < (meta.Traces?.Count ?? 0); i++)
            {
                Assert.Equal(meta.Traces![i].Name, back.Traces![i].Name);
                Assert.Equal(meta.Traces[i].Parameters.OrderBy(p => p.Key, StringComparer.Ordinal), back.Traces[i].Parameters.OrderBy(p => p.Key, StringComparer.Ordinal));
            }
        });

    // Regressions: inputs the properties above found, each once written as a file its reader refused or altered.

    [Theory]
    [InlineData("\u001FO=")]
    [InlineData("a\u007Fb")]
    [InlineData("x\u0085")]
    public void TraceCsvWrite_UnreadableName_ThrowsAndLeavesNoFile(string name)
    {
        string path = _dir.File("r.csv");

        Assert.Throws<ArgumentException>(() => TraceCsv.Write(path, [name], [[1f]]));

        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void TraceCsvWrite_NameWithLoneSurrogate_ThrowsAndLeavesNoFile()
    {
        // Not an [InlineData]: attribute strings are stored as UTF-8, which would already replace the surrogate.
        string name = "lone " + '\uD83D' + " surrogate";

        Assert.Throws<ArgumentException>(() => TraceCsv.Write(_dir.File("r.csv"), [name], [[1f]]));

        Assert.Empty(_dir.FileNames());
    }

    [Theory]
    [InlineData("\uFEFFcell")]
    [InlineData("\uFEFF")]
    [InlineData("tab\tinside")]
    public void TraceCsvWrite_NameStartingWithByteOrderMarkOrWithTab_ReadsBack(string name)
    {
        string path = _dir.File("r.csv");

        TraceCsv.Write(path, [name, "b"], [[1f], [2f]]);

        Assert.Equal([name, "b"], TraceCsv.Read(path).Names);
    }

    [Fact]
    public void DatasetMetaWrite_TraceWithoutName_ThrowsAndLeavesNoFile()
    {
        var meta = new DatasetMeta(30, Traces: [new TraceMeta("c1", new Dictionary<string, double>()), new TraceMeta("", new Dictionary<string, double>())]);

        var e = Assert.Throws<ArgumentException>(() => DatasetMetaJson.Write(_dir.File("meta.json"), meta));

        Assert.Contains("trace 1 has no name", e.Message);
        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void ModelFileWrite_ValueCountNotShapeProduct_ThrowsAndLeavesNoFile()
    {
        using var header = JsonDocument.Parse("{}");

        var e = Assert.Throws<ArgumentException>(() => ModelFile.Write(_dir.File("m.dsmodel"), header, [new StoredTensor("w", [4], new float[3])]));

        Assert.Contains("tensor 'w' has 3 values for shape [4]", e.Message);
        Assert.Empty(_dir.FileNames());
    }
}
