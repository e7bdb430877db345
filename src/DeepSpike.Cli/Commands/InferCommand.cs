using System.CommandLine;
using DeepSpike.Data;
using DeepSpike.Inference;
using DeepSpike.Models;
using DeepSpike.Recognition;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike infer</c>: spike probabilities from a trained (or the built-in) model.</summary>
internal static class InferCommand
{
    public const string OutputFileName = "probabilities.csv";
    public const string SamplesFolderName = "samples";

    public static Command Create()
    {
        var model = new Option<string?>("--model")
        {
            Description = "Model file, or builtin:NAME (see 'deepspike models'). Default: the built-in model for --indicator, or for the indicator " +
                          $"named in the data's meta.json, else builtin:{SpikeModel.DefaultBuiltinName}",
        };
        var indicator = new Option<string?>("--indicator") { Description = "Calcium indicator of the recordings (e.g. GCaMP6s, GCaMP6f, OGB-1): picks the built-in model made for it when no --model is given" };
        var input = new FluorescenceInput();
        var output = new Option<string>("--out")
        {
            Description = $"Output folder; receives {OutputFileName} (one column per kept trace, at the input's frame rate) and " +
                          $"{FluorescenceInput.NoiseLevelsFileName} (each kept trace's CASCADE noise level)",
            Required = true,
        };
        var samples = new Option<int?>("--samples")
        {
            Description = $"Posterior spike trains to draw per trace, written to {SamplesFolderName}/<trace>.csv (columns sample_1..N, rows frames, " +
                          "0/1 spikes, or spike counts per input frame if resampled). Default: 30 for DS-NF (whose probabilities are their mean), 0 for DS-F",
        };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("infer", "Infer per-frame spike probabilities (one forward pass per trace) and, optionally, posterior samples")
            { model, indicator };
        foreach (Option option in input.Options) command.Add(option);
        foreach (Option option in new Option[] { output, samples, seed, threads }) command.Add(option);
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            var spikeModel = r.GetValue(model) is string modelPath ? LoadModel(modelPath) : DefaultModel(r.GetValue(indicator), input.DataPath(r));
            int sampleCount = r.GetValue(samples) ?? (spikeModel.Recognition is DsNf nf ? nf.Options.MarginalSamples : 0);
            if (sampleCount < 0) throw new ArgumentException($"--samples must be >= 0, got {sampleCount}");
            string dataPath = input.DataPath(r);
            var preprocessed = input.Load(r, spikeModel.FrameRateHz);
            TraceSet traces = preprocessed.Traces;
            InferenceResult result;
            try { result = SpikeInference.Run(spikeModel, traces, r.GetValue(seed), sampleCount); }
            catch (ArgumentException bad)
            {
                // A kept trace the network still cannot take (e.g. one whose frames are almost all equal): say which input it came from.
                throw new DataFormatException(dataPath, CliRunner.Flatten(bad), bad);
            }
            if (result.Resampled)
                Console.Error.WriteLine($"note: input at {traces.FrameRateHz:G4} Hz was resampled to the model's {spikeModel.FrameRateHz:G4} Hz; output is expected spikes per input frame");
            string folder = r.GetValue(output)!;
            Directory.CreateDirectory(folder);
            // All outputs appear together or not at all (a full disk at the last file must not leave the first one new).
            using var outputs = AtomicFile.BeginGroup();
            string path = Path.Combine(folder, OutputFileName);
            TraceCsv.Write(path, result.Probabilities);
            Console.WriteLine($"wrote spike probabilities for {result.Probabilities.Count} traces to {path}");
            FluorescenceInput.WriteNoiseLevels(folder, preprocessed);
            if (result.Samples is { } drawn)
            {
                string samplesFolder = Path.Combine(folder, SamplesFolderName);
                var files = SampleFileNames(result.Probabilities.Names);
                Directory.CreateDirectory(samplesFolder);
                for (int i = 0; i < drawn.Count; i++) TraceCsv.Write(Path.Combine(samplesFolder, files[i]), drawn[i]);
                Console.WriteLine($"wrote {sampleCount} posterior samples per trace to {samplesFolder}{Path.DirectorySeparatorChar}<trace>.csv");
            }
            outputs.Commit();
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// One file name per trace: the trace's name with characters that are not letters, digits, '-', '_' or '.'
    /// replaced by '_', and, if two names still collide, the trace's 1-based column number appended.
    /// </summary>
    public static IReadOnlyList<string> SampleFileNames(IReadOnlyList<string> traceNames)
    {
        var safe = traceNames.Select(n => new string(n.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray())).ToList();
        var seen = safe.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return safe.Select((n, i) => (seen.Contains(n) || n.Length == 0 || n.Trim('.').Length == 0 ? $"{n}_{i + 1}" : n) + ".csv").ToList();
    }

    /// <summary>
    /// The built-in model for <paramref name="indicator"/> (which must exist), else for the indicator in the meta.json of
    /// <paramref name="dataPath"/> (a dataset folder, or beside a file) when a built-in model is made for it, else the
    /// default built-in model; says on stderr which one and why.
    /// </summary>
    public static SpikeModel DefaultModel(string? indicator, string dataPath)
    {
        if (indicator is not null)
        {
            string name = SpikeModel.BuiltinForIndicator(indicator) ?? throw new ArgumentException(
                $"--indicator {indicator}: no built-in model is made for it; built-in models are for {string.Join(", ", SpikeModel.BuiltinNames.Select(n => SpikeModel.Builtin(n).Info.Indicator).OfType<string>().Distinct())} (or pass --model)");
            return Announce(name, $"made for {indicator}");
        }
        if (IndicatorInMeta(dataPath) is string named && SpikeModel.BuiltinForIndicator(named) is string forData)
            return Announce(forData, $"the data's meta.json names the indicator {named}");
        return Announce(SpikeModel.DefaultBuiltinName, "the default; pass --indicator or --model to choose");

        static SpikeModel Announce(string name, string why)
        {
            var chosen = LoadModel(name == SpikeModel.DefaultBuiltinName ? null : "builtin:" + name);
            Console.Error.WriteLine($"note: no --model given; using the built-in model {name} ({why}): {chosen.Info.Description}");
            return chosen;
        }
    }

    /// <summary>The <c>indicator</c> of the meta.json in the dataset folder <paramref name="dataPath"/> or beside the file, or null.</summary>
    private static string? IndicatorInMeta(string dataPath)
    {
        string folder = Directory.Exists(dataPath) ? dataPath : Path.GetDirectoryName(Path.GetFullPath(dataPath)) ?? ".";
        string meta = Path.Combine(folder, Dataset.MetaFileName);
        if (!File.Exists(meta)) return null;
        try { return DatasetMeta.Read(meta).Indicator; }
        catch (DataFormatException) { return null; } // the reader reports a bad meta.json itself when it needs the frame rate
    }

    /// <summary>
    /// The model at <paramref name="path"/>; <c>builtin:NAME</c> for a built-in model; null or <c>builtin</c> for the
    /// default built-in model.
    /// </summary>
    /// <exception cref="FileNotFoundException">No path was given and this build has no built-in model.</exception>
    public static SpikeModel LoadModel(string? path)
    {
        const string prefix = "builtin:";
        if (path is not null && path.StartsWith(prefix, StringComparison.Ordinal)) return SpikeModel.Builtin(path[prefix.Length..]);
        if (path is not (null or "builtin")) return SpikeModel.Load(path);
        try { return SpikeModel.Builtin(); }
        catch (InvalidOperationException e)
        {
            throw new FileNotFoundException("no --model given and this build has no built-in model; train one with 'deepspike train' and pass it with --model FILE", e);
        }
    }
}
