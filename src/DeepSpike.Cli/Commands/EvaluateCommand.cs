using System.CommandLine;
using DeepSpike.Data;
using DeepSpike.Evaluation;
using Spectre.Console;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike evaluate</c>: Pearson correlation of predictions with true spikes, per trace.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var predicted = new Option<string>("--predicted") { Description = "Predicted probabilities CSV", Required = true };
        var truth = new Option<string>("--truth") { Description = "True spike counts CSV (same trace names)", Required = true };
        var frameRate = new Option<double>("--frame-rate") { Description = "Frame rate in Hz", Required = true };
        var binMs = new Option<double>("--bin-ms") { Description = "Bin width in ms before correlating (16.6 simulated, 40 real data)", DefaultValueFactory = _ => SpikeMetrics.RealDataBinMs };
        var json = new Option<string?>("--json") { Description = "Also write mean_correlation, sem, n, per_trace to this JSON file" };
        var command = new Command("evaluate", "Correlate predicted spike probabilities with ground truth") { predicted, truth, frameRate, binMs, json };
        command.SetAction(r => CliRunner.Run(null, () =>
        {
            double rate = r.GetValue(frameRate);
            if (!(rate > 0)) throw new ArgumentException($"--frame-rate must be > 0, got {rate}");
            string predictedPath = r.GetValue(predicted)!, truthPath = r.GetValue(truth)!;
            // Predictions are this tool's own output: read exactly as written (no layout guessing).
            var predictedSet = TraceCsv.ReadTable(predictedPath, rate, layout: new TableLayout { Orientation = TraceOrientation.Usual }).Traces;
            var truthSet = TraceCsv.Read(truthPath, rate);
            CorrelationReport report;
            try { report = SpikeMetrics.Evaluate(predictedSet, truthSet, r.GetValue(binMs)); }
            catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
            {
                // The library compares two trace sets; only here are they known to be files.
                throw new ArgumentException($"{predictedPath} vs {truthPath}: {CliRunner.Flatten(e)}", e);
            }
            Print(report, r.GetValue(binMs));
            if (r.GetValue(json) is string path) report.WriteJson(path);
            return 0;
        }));
        return command;
    }

    public static void Print(CorrelationReport report, double binMs, int maxRows = 20)
    {
        var table = new Table().AddColumn("trace").AddColumn(new TableColumn("r").RightAligned());
        foreach (var t in report.PerTrace.Take(maxRows)) table.AddRow(Markup.Escape(t.Name), t.Correlation.ToString("F3"));
        if (report.PerTrace.Count > maxRows) table.AddRow($"… {report.PerTrace.Count - maxRows} more", "");
        AnsiConsole.Write(table);
        Console.WriteLine($"correlation at {binMs:G4} ms bins: {report.Mean:F3} ± {report.Sem:F3} (mean ± SEM, n = {report.N})");
    }
}
