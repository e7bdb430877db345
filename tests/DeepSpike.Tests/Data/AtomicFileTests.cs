using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteAllText_NewFile_WritesUtf8WithoutBomAndNoTempFile()
    {
        string path = _dir.File("out.json");
        AtomicFile.WriteAllText(path, "{\"ü\": 1}");

        Assert.Equal("{\"ü\": 1}"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(["out.json"], _dir.FileNames());
    }

    [Fact]
    public void WriteAllBytes_ExistingFile_Replaced()
    {
        string path = _dir.WriteText("model.bin", "old old old");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["model.bin"], _dir.FileNames());
    }

    [Fact]
    public void Write_CallbackThrowsMidway_LeavesNoTempFileAndOldContent()
    {
        string path = _dir.WriteText("out.csv", "previous\n");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new InvalidOperationException("disk on fire");
        }));

        Assert.Equal(["out.csv"], _dir.FileNames());
        Assert.Equal("previous\n", File.ReadAllText(path));
    }

    [Fact]
    public void Write_CallbackThrowsForNewFile_LeavesNothing()
    {
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(_dir.File("new.csv"), stream =>
            {
                stream.WriteByte(1);
                throw new InvalidOperationException("interrupted");
            }));

        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void Write_MissingDirectory_ThrowsNamingPath()
    {
        string path = Path.Combine(_dir.Path, "no-such-dir", "out.csv");
        var e = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.WriteAllText(path, "x"));

        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public async Task Group_BeforeCommit_OnlyTemporaryFilesExist_ThenAllAppear()
    {
        string first = _dir.WriteText("a.csv", "old a"), second = _dir.File("b.csv");
        using var group = AtomicFile.BeginGroup();
        AtomicFile.WriteAllText(first, "new a");
        // Files written on worker threads belong to the group too, as parallel writers expect.
        await Task.Run(() => AtomicFile.WriteAllText(second, "new b"));

        Assert.Equal("old a", File.ReadAllText(first));
        Assert.False(File.Exists(second));
        Assert.Equal(3, Directory.GetFiles(_dir.Path).Length);

        group.Commit();

        Assert.Equal(("new a", "new b"), (File.ReadAllText(first), File.ReadAllText(second)));
        Assert.Equal(["a.csv", "b.csv"], _dir.FileNames());
    }

    [Fact]
    public void Group_DisposedWithoutCommit_LeavesTheOldFilesAndNoTemporaryFile()
    {
        string first = _dir.WriteText("a.csv", "old a");
        using (AtomicFile.BeginGroup())
        {
            AtomicFile.WriteAllText(first, "new a");
            AtomicFile.WriteAllText(_dir.File("b.csv"), "new b");
        }

        Assert.Equal(["a.csv"], _dir.FileNames());
        Assert.Equal("old a", File.ReadAllText(first));
        // The group is closed: later writes go straight to their files again.
        AtomicFile.WriteAllText(first, "newer a");
        Assert.Equal("newer a", File.ReadAllText(first));
    }

    [Fact]
    public void Group_OpenedTwice_Throws()
    {
        using var group = AtomicFile.BeginGroup();

        Assert.Throws<InvalidOperationException>(() => AtomicFile.BeginGroup());
    }
}
