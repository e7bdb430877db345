using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using DeepSpike.Benchmarks;

// `--quick`: Stopwatch timings in a few seconds; `--oasis`: OASIS AR(1) time per trace; `--csv`: trace CSV parsing; `--lfads`: one LFADS training step; `--likelihood`: the
// generative models' log p(f | s) forward + backward at the training batch size. Otherwise
// BenchmarkDotNet; without a `--job` argument a short run (3 iterations after warm-up) is used, which is
// enough for kernels that take milliseconds.
if (args.Contains("--quick"))
{
    QuickTiming.Run(Console.Out);
    return;
}
if (args.Contains("--likelihood"))
{
    LikelihoodTiming.Run(Console.Out);
    return;
}
if (args.Contains("--lfads"))
{
    LfadsTiming.Run(Console.Out);
    return;
}
if (args.Contains("--csv"))
{
    CsvTiming.Run(Console.Out);
    return;
}
if (args.Contains("--oasis"))
{
    OasisTiming.Run(Console.Out);
    return;
}
var config = args.Contains("--job") ? DefaultConfig.Instance : DefaultConfig.Instance.AddJob(Job.ShortRun);
BenchmarkSwitcher.FromAssembly(typeof(Conv1dBenchmarks).Assembly).Run(args, config);
