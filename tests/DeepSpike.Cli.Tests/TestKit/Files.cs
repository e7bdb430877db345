using System.Globalization;
using System.Text;
using DeepSpike.Models;

namespace DeepSpike.Cli.Tests.TestKit;

/// <summary>Small helpers for building inputs and reading outputs.</summary>
public static class Files
{
    /// <summary>Copies the files of <paramref name="source"/> named in <paramref name="names"/> into <paramref name="target"/> (created).</summary>
    public static string CopyFiles(string source, string target, params string[] names)
    {
        Directory.CreateDirectory(target);
        foreach (string name in names)
            File.Copy(Path.Combine(source, name), Path.Combine(target, name));
        return target;
    }

    /// <summary>
    /// A trace CSV written by hand (not by <c>TraceCsv.Write</c>): header, then one row per frame up to the
    /// longest trace; a shorter trace's column is left empty after its end.
    /// </summary>
    public static string Csv(IReadOnlyList<string> names, IReadOnlyList<float[]> traces)
    {
        var text = new StringBuilder(string.Join(',', names)).Append('\n');
        int frames = traces.Max(t => t.Length);
        for (int t = 0; t < frames; t++)
        {
            for (int j = 0; j < traces.Count; j++)
            {
                if (j > 0) text.Append(',');
                if (t < traces[j].Length) text.Append(traces[j][t].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The recognition network's weights in a model file, by parameter name.</summary>
    public static Dictionary<string, float[]> RecognitionWeights(string modelPath) =>
        ModelFile.Read(modelPath).Tensors
            .Where(t => t.Name.StartsWith("recognition/", StringComparison.Ordinal))
            .ToDictionary(t => t.Name, t => t.Data);

    /// <summary>Asserts two weight sets have the same names and bit-identical values.</summary>
    public static void AssertSameWeights(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, values) in expected)
            Assert.True(values.AsSpan().SequenceEqual(actual[name]), $"parameter '{name}' differs");
    }
}
