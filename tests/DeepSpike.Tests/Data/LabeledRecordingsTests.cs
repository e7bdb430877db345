using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public sealed class LabeledRecordingsTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private string Folder(string name, double rateHz, bool withSpikes, params (string Name, float[] Calcium, float[] Spikes)[] traces)
    {
        string folder = Path.Combine(dir.Path, name);
        Directory.CreateDirectory(folder);
        TraceCsv.Write(Path.Combine(folder, Dataset.CalciumFileName), traces.Select(t => t.Name).ToList(), traces.Select(t => t.Calcium).ToList());
        if (withSpikes) TraceCsv.Write(Path.Combine(folder, Dataset.SpikesFileName), traces.Select(t => t.Name).ToList(), traces.Select(t => t.Spikes).ToList());
        new DatasetMeta(rateHz).Write(Path.Combine(folder, Dataset.MetaFileName));
        return folder;
    }

    private static (string, float[], float[]) Trace(string name, int frames, params int[] spikeFrames)
    {
        var spikes = new float[frames];
        foreach (int t in spikeFrames) spikes[t] += 1;
        return (name, Enumerable.Range(0, frames).Select(t => MathF.Sin(t * 0.1f)).ToArray(), spikes);
    }

    [Fact]
    public void ResampledTo_OtherRate_KeepsEverySpikeAndTheDuration()
    {
        var data = Dataset.Load(Folder("a", 100, true, Trace("x", 1000, 0, 1, 2, 500, 999), Trace("y", 400, 10, 10, 399)));

        var resampled = data.ResampledTo(60);

        Assert.Equal(60, resampled.FrameRateHz);
        Assert.Equal(60, resampled.Calcium.FrameRateHz);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(data.Spikes!.Traces[i].Sum(), resampled.Spikes!.Traces[i].Sum());
            Assert.Equal(resampled.Calcium.Traces[i].Length, resampled.Spikes.Traces[i].Length);
            // Linear interpolation covers the span of the original frames: (n − 1)/100 s at 60 Hz.
            Assert.Equal((int)Math.Floor((data.Calcium.Traces[i].Length - 1) * 0.6) + 1, resampled.Calcium.Traces[i].Length);
        }
        Assert.Equal(3, resampled.Spikes!.Traces[0].Take(3).Sum()); // the first three frames (0–20 ms) land in the first two
    }

    [Fact]
    public void ResampledTo_SameRate_ReturnsTheDatasetItself()
    {
        var data = Dataset.Load(Folder("a", 60, true, Trace("x", 100, 5)));

        Assert.Same(data, data.ResampledTo(60));
    }

    [Fact]
    public void Load_TwoFoldersAtOtherRates_PoolsThemAtTheTargetRateUnderFolderPrefixes()
    {
        string a = Folder("setA", 60, true, Trace("cell1", 600, 3, 300));
        string b = Folder("setB", 120, true, Trace("cell1", 1200, 7), Trace("cell2", 240, 1, 2));

        var pooled = LabeledRecordings.Load([a, b], 60);

        Assert.Equal(["setA/cell1", "setB/cell1", "setB/cell2"], pooled.Calcium.Names);
        Assert.Equal(pooled.Calcium.Names, pooled.Spikes!.Names);
        Assert.Equal(60, pooled.Calcium.FrameRateHz);
        Assert.Equal([2f, 1f, 2f], pooled.Spikes.Traces.Select(t => t.Sum()).ToArray());
        Assert.Equal(600, pooled.Calcium.Traces[0].Length);
        Assert.Equal(600, pooled.Calcium.Traces[1].Length);
    }

    [Fact]
    public void Load_FolderWithoutSpikes_FailsNamingIt()
    {
        string a = Folder("unlabeled", 60, false, Trace("cell1", 100));

        var e = Assert.Throws<DataFormatException>(() => LabeledRecordings.Load([a], 60));

        Assert.Contains("unlabeled", e.Message);
        Assert.Contains(Dataset.SpikesFileName, e.Message);
    }

    [Fact]
    public void Load_NoFolders_Throws() => Assert.Throws<ArgumentException>(() => LabeledRecordings.Load([], 60));

    [Fact]
    public void Append_DatasetAtOtherRate_ResamplesAndPrefixesAfterThePool()
    {
        var pooled = LabeledRecordings.Load([Folder("setA", 60, true, Trace("cell1", 600, 3))], 60);
        var more = Dataset.Load(Folder("setB", 120, true, Trace("cell9", 1200, 7, 8)));

        var appended = LabeledRecordings.Append(pooled, "tested", more, 60);

        Assert.Equal(["setA/cell1", "tested/cell9"], appended.Calcium.Names);
        Assert.Equal(appended.Calcium.Names, appended.Spikes!.Names);
        Assert.Equal([1f, 2f], appended.Spikes.Traces.Select(t => t.Sum()).ToArray());
        Assert.Equal(600, appended.Calcium.Traces[1].Length);
    }

    [Fact]
    public void Append_PoolAtAnotherRate_Throws()
    {
        var pooled = LabeledRecordings.Load([Folder("setA", 60, true, Trace("cell1", 600, 3))], 60);
        var more = Dataset.Load(Folder("setB", 60, true, Trace("cell9", 600, 7)));

        var e = Assert.Throws<ArgumentException>(() => LabeledRecordings.Append(pooled, "tested", more, 100));
        Assert.Contains("60", e.Message);
    }
}
