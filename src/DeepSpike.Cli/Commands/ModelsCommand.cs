using System.CommandLine;
using DeepSpike.Models;
using Spectre.Console;

namespace DeepSpike.Cli.Commands;

/// <summary><c>deepspike models</c>: lists the built-in models with what they were trained for.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the built-in models (use one with --model builtin:NAME)");
        command.SetAction(_ => CliRunner.Run(null, () =>
        {
            var table = new Table().AddColumn("name").AddColumn("network").AddColumn("generative").AddColumn(new TableColumn("frame rate").RightAligned())
                .AddColumn("indicator").AddColumn("trained on");
            foreach (string name in SpikeModel.BuiltinNames)
            {
                var model = SpikeModel.Builtin(name);
                string label = name == SpikeModel.DefaultBuiltinName ? $"{name} (default)" : name;
                table.AddRow(Markup.Escape(label), model.Recognition.Name, model.GenerativeName, $"{model.FrameRateHz:G4} Hz",
                    Markup.Escape(model.Info.Indicator ?? "-"), Markup.Escape(model.Info.Description));
            }
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }
}
