using System.CommandLine;
using DeepSpike.Baselines;
using DeepSpike.Data;
using DeepSpike.Inference;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike deconvolve</c>: spikes from a baseline method (OASIS, MCMC or MLspike), per trace.</summary>
internal static class DeconvolveCommand
{
    /// <summary>Seconds between progress lines on stderr.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        string units = string.Join("; ", BaselineMethods.Names.Select(n => $"{n}: {CreateMethod(n).OutputUnit}"));
        var method = new Option<string>("--method") { Description = $"Baseline method and what it outputs per frame — {units}", DefaultValueFactory = _ => "oasis-ar1" };
        var input = new FluorescenceInput();
        var output = new Option<string>("--out")
        {
            Description = $"Output folder; receives {InferCommand.OutputFileName} (one column per kept trace) and " +
                          $"{FluorescenceInput.NoiseLevelsFileName} (each kept trace's CASCADE noise level)",
            Required = true,
        };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("deconvolve", "Infer spikes with a baseline: OASIS deconvolution (AR(1)/AR(2), parameters estimated per trace) , MCMC sampling of the SCF model, or MLspike (forward-backward on a calcium × drifting-baseline grid, autocalibrated per trace)")
            { method };
        foreach (Option option in input.Options) command.Add(option);
        foreach (Option option in new Option[] { output, seed, threads }) command.Add(option);
        command.SetAction(r => CliRunner.Run(r.GetValue(threads), () =>
        {
            var chosen = CreateMethod(r.GetValue(method)!);
            string dataPath = input.DataPath(r);
            var preprocessed = input.Load(r);
            var traces = preprocessed.Traces;
            TraceSet result;
            try { result = SpikeInferenceMethods.Run(chosen, traces, r.GetValue(seed), Progress(chosen.Name, traces.Count)); }
            catch (ArgumentException bad) when (bad is not ArgumentOutOfRangeException)
            {
                // A kept trace the method still cannot take (e.g. too short for AR(2)): say which input file it came from.
                throw new DataFormatException(dataPath, CliRunner.Flatten(bad), bad);
            }
            string folder = r.GetValue(output)!;
            Directory.CreateDirectory(folder);
            // All outputs appear together or not at all (a full disk at the last file must not leave the first one new).
            using var outputs = AtomicFile.BeginGroup();
            string path = Path.Combine(folder, InferCommand.OutputFileName);
            TraceCsv.Write(path, result);
            Console.WriteLine($"wrote {chosen.Name} output ({chosen.OutputUnit}) for {result.Count} traces to {path}");
            FluorescenceInput.WriteNoiseLevels(folder, preprocessed);
            outputs.Commit();
            return 0;
        }));
        return command;
    }

    /// <summary>The baseline called <paramref name="name"/> with default settings.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ISpikeInferenceMethod CreateMethod(string name) => BaselineMethods.Create(name);

    /// <summary>A line on stderr at most every <see cref="ProgressInterval"/>: slow methods (MCMC) take minutes on large sets.</summary>
    private static IProgress<int> Progress(string name, int total)
    {
        var last = DateTime.UtcNow;
        var gate = new object();
        return new SynchronousProgress(done =>
        {
            lock (gate)
            {
                if (DateTime.UtcNow - last < ProgressInterval) return;
                last = DateTime.UtcNow;
                Console.Error.WriteLine($"{name}: {done}/{total} traces");
            }
        });
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
