using System.CommandLine;
using DeepSpike.Data;
using DeepSpike.Dynamics;
using DeepSpike.Preprocessing;

namespace DeepSpike.Cli.Commands;

/// <summary>
/// What <c>dynamics train</c> and <c>dynamics infer</c> read: a trial dataset folder, or — with <c>--chop-bins</c> — a
/// continuous recording in any format <c>infer</c> reads (CSV, .npy, suite2p), preprocessed to ΔF/F and cut into
/// overlapping segments that stand in for trials (one frame per bin).
/// </summary>
internal sealed class DynamicsInput
{
    private readonly Option<int?> _chopBins = new("--chop-bins")
    {
        HelpName = "N",
        Description = "Read --data as a continuous recording (CSV, .npy or suite2p folder, preprocessed to ΔF/F) and cut it into segments of N frames " +
                      "that serve as trials; outputs are stitched back into continuous traces",
    };

    private readonly Option<int> _overlap = new("--overlap")
    {
        HelpName = "M",
        Description = "Frames shared by consecutive segments of --chop-bins; stitched outputs cross-fade across them",
        DefaultValueFactory = _ => 0,
    };

    private readonly Option<double?> _frameRate = CommonOptions.FrameRate("Frame rate in Hz of a continuous recording (overrides meta.json and ops.npy; required for .npy)");

    private readonly Option<string?> _inputKind = new("--input-kind")
    {
        HelpName = "raw|dff",
        Description = "For --chop-bins: raw fluorescence (turned into ΔF/F) or ΔF/F; default raw for suite2p folders and .npy, dff for CSV",
    };

    /// <summary>The options, to add to the verb.</summary>
    public IEnumerable<Option> Options => [_chopBins, _overlap, _frameRate, _inputKind];

    /// <summary>The segmentation <c>--chop-bins</c>/<c>--overlap</c> ask for, or null for a trial dataset.</summary>
    public TrialChopper? Chopper(ParseResult r)
    {
        if (r.GetValue(_chopBins) is not int bins) return null;
        try { return new TrialChopper(bins, r.GetValue(_overlap)).Validate(); }
        catch (ArgumentOutOfRangeException bad)
        {
            throw new ArgumentException($"{(bad.ParamName == nameof(TrialChopper.SegmentBins) ? "--chop-bins" : "--overlap")}: {CliRunner.Flatten(bad)}", bad);
        }
    }

    /// <summary>
    /// The trials at <paramref name="path"/> for a model reading <paramref name="input"/>, and the continuous traces when
    /// they were cut from a recording (null for a trial dataset).
    /// </summary>
    public (TrialDataset Trials, TraceSet? Continuous) Load(ParseResult r, string path, string input)
    {
        if (Chopper(r) is not TrialChopper chopper)
            return (TrialDataset.Load(path, truth: false, primary: input), null);
        if (input != TrialDataset.FluorescenceFileName)
            throw new ArgumentException("--chop-bins cuts fluorescence; use a model of fluorescence (oasis-lfads or gaussian-lfads)");
        var recording = Recording.Load(path, r.GetValue(_frameRate));
        var result = Preprocessor.Run(recording, new PreprocessingOptions { Input = FluorescenceInput.ResolveInputKind(r.GetValue(_inputKind), path, neuropilGiven: false) });
        FluorescenceInput.WriteCapped(result.Warnings.ToList());
        var traces = result.Traces;
        if (traces.Count == 0) throw new DataFormatException(path, "every trace was skipped (the warnings above say why)");
        int frames = traces.Traces.Min(t => t.Length);
        if (traces.Traces.Any(t => t.Length != frames))
            Console.Error.WriteLine($"warning: traces differ in length; all are cut to the shortest, {frames} frames");
        var cut = traces.Traces.Select(t => t[..frames]).ToList();
        if (frames < chopper.SegmentBins)
            throw new DataFormatException(path, $"has {frames} frames, fewer than one segment of --chop-bins {chopper.SegmentBins}");
        var meta = new TrialMeta(1 / traces.FrameRateHz, CellNames: traces.Names);
        Console.WriteLine($"read {recording.Description}; cut into {chopper.Starts(frames).Length} segments of {chopper.SegmentBins} frames overlapping by {chopper.OverlapBins}");
        return (new TrialDataset(chopper.Chop(cut), meta), new TraceSet(traces.Names, cut, traces.FrameRateHz));
    }
}
