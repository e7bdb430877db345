using System.CommandLine;
using System.Globalization;
using DeepSpike.Data;
using DeepSpike.Simulation;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike simulate</c>: writes a simulated dataset with ground truth.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var generative = new Option<string>("--generative") { Description = "Generative model: scf (AR(1)), scf-ar2, scdf (SCF calcium with indicator binding) or mlphys (MLspike physiology, paper eq. 4)", DefaultValueFactory = _ => "scf" };
        var cells = new Option<int>("--cells") { Description = "Number of cells", DefaultValueFactory = _ => 10 };
        var rates = new Option<string>("--rates") { Description = "Comma-separated firing rates in Hz; one trace per cell and rate", DefaultValueFactory = _ => "0.6,0.9,1.1" };
        var frames = new Option<int>("--frames") { Description = "Frames per trace", DefaultValueFactory = _ => 10_000 };
        var frameRate = new Option<double>("--frame-rate") { Description = "Frame rate in Hz", DefaultValueFactory = _ => 60 };
        var protocol = new Option<string>("--protocol") { Description = "Parameter distribution: paper (SCF: tau 0.5-1 s, SNR 2-5; SCDF: base set ±20 %; MLphys: GCaMP6s) or gcamp6 (SCF: tau 0.3-2 s, SNR 1.5-8; SCDF: slower, steeper Hill, ±40 %; MLphys: GCaMP6s); for mlphys also gcamp6s or gcamp6f (published GENIE-calibrated values ±20 %)", DefaultValueFactory = _ => "paper" };
        var seed = CommonOptions.Seed();
        var output = new Option<string>("--out") { Description = "Output folder (calcium.csv, spikes.csv, meta.json)", Required = true };
        var command = new Command("simulate", "Simulate fluorescence traces with known spikes and parameters") { generative, cells, rates, frames, frameRate, protocol, seed, output };
        command.SetAction(r => CliRunner.Run(null, () =>
        {
            var model = r.GetValue(generative)!;
            if (model is not ("scf" or "scf-ar2" or "scdf" or "mlphys"))
                throw new ArgumentException($"--generative must be scf, scf-ar2, scdf or mlphys, got '{model}'");
            string protocolName = r.GetValue(protocol)!;
            if (!(protocolName is "paper" or "gcamp6" || (model == "mlphys" && protocolName is "gcamp6s" or "gcamp6f")))
                throw new ArgumentException($"--protocol must be paper or gcamp6 (or, for mlphys, gcamp6s or gcamp6f), got '{protocolName}'");
            bool paper = protocolName == "paper";
            var rateList = ParseRates(r.GetValue(rates)!);
            int count = r.GetValue(cells), length = r.GetValue(frames), seedValue = r.GetValue(seed);
            double rate = r.GetValue(frameRate);
            var data = model switch
            {
                "scdf" => (paper ? ScdfSimulationProtocol.Paper : ScdfSimulationProtocol.Gcamp6Like).Simulate(count, rateList, length, rate, seedValue),
                "mlphys" => (protocolName == "gcamp6f" ? MlphysSimulationProtocol.Gcamp6f : MlphysSimulationProtocol.Gcamp6s).Simulate(count, rateList, length, rate, seedValue),
                _ => (paper ? ScfSimulationProtocol.Paper : ScfSimulationProtocol.Gcamp6Like).Simulate(count, rateList, length, rate, seedValue, model == "scf" ? 1 : 2),
            };
            string folder = r.GetValue(output)!;
            // calcium.csv, spikes.csv and meta.json appear together: a full disk at the second must not leave a new first beside old ones.
            using (var outputs = AtomicFile.BeginGroup())
            {
                data.Write(folder);
                outputs.Commit();
            }
            Console.WriteLine($"wrote {data.Calcium.Count} traces × {r.GetValue(frames)} frames at {r.GetValue(frameRate)} Hz to {folder}");
            return 0;
        }));
        return command;
    }

    internal static double[] ParseRates(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new ArgumentException("--rates needs at least one rate");
        return parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0
            ? v : throw new ArgumentException($"--rates: '{p}' is not a non-negative number")).ToArray();
    }
}
