namespace DeepSpike.Cli.Tests.TestKit;

/// <summary>A fresh folder under the system temp directory, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "deepspike-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Full path of <paramref name="relative"/> inside this folder (nothing is created).</summary>
    public string Sub(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>Creates the sub-folder <paramref name="relative"/> and returns its full path.</summary>
    public string Folder(string relative) => Directory.CreateDirectory(Sub(relative)).FullName;

    /// <summary>Writes <paramref name="text"/> to <paramref name="relative"/> (creating folders) and returns its full path.</summary>
    public string WriteText(string relative, string text)
    {
        string path = Sub(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="relative"/> (creating folders) and returns its full path.</summary>
    public string WriteBytes(string relative, byte[] bytes)
    {
        string path = Sub(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
