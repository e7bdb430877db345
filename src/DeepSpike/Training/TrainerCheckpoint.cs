using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSpike.Engine.Optim;
using DeepSpike.Models;

namespace DeepSpike.Training;

/// <summary>
/// Periodic training state in a model file: the current network (so a checkpoint is itself a usable
/// model), plus the best weights so far (and their running average, when averaging), every Adam state, every trace's θ and the counters, so that
/// <c>--resume</c> continues exactly where training stopped.
/// </summary>
/// <param name="Path">The checkpoint file.</param>
/// <param name="Info">Provenance recorded in the file.</param>
public sealed record TrainerCheckpoint(string Path, ModelInfo Info)
{
    internal void Save(Trainer trainer, string generativeName, double frameRateHz)
    {
        var tensors = new List<StoredTensor>();
        for (int i = 0; i < trainer.Phi.Count; i++)
        {
            var shape = trainer.Phi[i].Shape;
            tensors.Add(new StoredTensor($"state/best/{i}", shape, trainer.BestPhi[i]));
            if (trainer.AveragePhi is not null) tensors.Add(new StoredTensor($"state/average/{i}", shape, trainer.AveragePhi[i]));
        }
        AddAdam(tensors, "state/phi", trainer.PhiOptimizer, trainer.Phi.Select(p => p.Shape).ToList());
        foreach (var (group, list) in new[] { ("cell", trainer.Cells), ("validation", trainer.ValidationCells) })
            for (int c = 0; c < list.Count; c++)
            {
                var cell = list[c];
                foreach (var (name, value) in cell.Theta.NamedParameters())
                    tensors.Add(new StoredTensor($"state/{group}/{c}/theta/{name}", value.Shape, value.Data));
                AddAdam(tensors, $"state/{group}/{c}", cell.Optimizer, cell.Theta.Parameters().Select(p => p.Shape).ToList());
            }
        var header = new JsonObject
        {
            ["iteration"] = trainer.Iteration,
            ["best_iteration"] = trainer.BestIteration,
            ["best_validation"] = double.IsFinite(trainer.BestValidation) ? trainer.BestValidation : null,
            ["evaluations_since_improvement"] = trainer.EvaluationsSinceImprovement,
            ["elapsed_s"] = trainer.ElapsedSecondsBefore,
            ["phi_steps"] = trainer.PhiOptimizer.Steps,
            ["validation_names"] = new JsonArray(trainer.ValidationCells.Select(c => (JsonNode)JsonValue.Create(c.Name)!).ToArray()),
            ["cell_names"] = new JsonArray(trainer.Cells.Select(c => (JsonNode)JsonValue.Create(c.Name)!).ToArray()),
            ["cell_steps"] = new JsonArray(trainer.Cells.Select(c => (JsonNode)JsonValue.Create(c.Optimizer.Steps)!).ToArray()),
            ["validation_steps"] = new JsonArray(trainer.ValidationCells.Select(c => (JsonNode)JsonValue.Create(c.Optimizer.Steps)!).ToArray()),
            ["options"] = JsonSerializer.SerializeToNode(trainer.Options),
        };
        var model = new SpikeModel(trainer.Recognition, generativeName, frameRateHz, Info with { Iterations = trainer.Iteration });
        model.Save(Path, tensors, header);
    }

    internal void Restore(Trainer trainer)
    {
        try { RestoreChecked(trainer); }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or JsonException)
        {
            throw new InvalidDataException($"{Path}: not a usable training checkpoint ({e.Message})", e);
        }
    }

    private void RestoreChecked(Trainer trainer)
    {
        var (model, headerDoc, tensors) = SpikeModel.LoadWithState(Path);
        var header = headerDoc.RootElement.GetProperty("extra");
        var names = header.GetProperty("cell_names").EnumerateArray().Select(e => e.GetString()).ToList();
        if (!names.SequenceEqual(trainer.Cells.Select(c => c.Name)))
            throw new InvalidDataException($"{Path}: checkpoint was made for other training traces ({names.Count} traces, first '{names.FirstOrDefault()}'); remove it or drop --resume");
        if (model.Recognition.Name != trainer.Recognition.Name || model.Recognition.OptionsJson != trainer.Recognition.OptionsJson)
            throw new InvalidDataException($"{Path}: checkpoint holds a {model.Recognition.Name} network with other settings than this run's {trainer.Recognition.Name}; remove it or drop --resume");
        var saved = header.GetProperty("options").Deserialize<TrainingOptions>()
            ?? throw new InvalidDataException($"{Path}: checkpoint has no training options");
        if (saved with { MaxMinutes = 0, MaxIterations = 0, CheckpointEvery = 0, ValidateEvery = 0, Patience = 0 } !=
            trainer.Options with { MaxMinutes = 0, MaxIterations = 0, CheckpointEvery = 0, ValidateEvery = 0, Patience = 0 })
            throw new InvalidDataException($"{Path}: checkpoint was made with other training options ({saved}); resume with the same seed, samples, chunks and learning rates");
        var validationNames = header.GetProperty("validation_names").EnumerateArray().Select(e => e.GetString()).ToList();
        if (!validationNames.SequenceEqual(trainer.ValidationCells.Select(c => c.Name)))
            throw new InvalidDataException($"{Path}: checkpoint was made with other validation traces; remove it or drop --resume");
        var byName = tensors.ToDictionary(t => t.Name);
        float[] Get(string name, int length) => byName.TryGetValue(name, out var t)
            ? t.Data.Length == length ? t.Data : throw new InvalidDataException($"{Path}: '{name}' has {t.Data.Length} values, this run needs {length}")
            : throw new InvalidDataException($"{Path}: checkpoint lacks '{name}'");

        var current = model.Recognition.Network.Parameters();
        for (int i = 0; i < trainer.Phi.Count; i++)
        {
            current[i].Data.CopyTo(trainer.Phi[i].Data, 0);
            trainer.BestPhi[i] = (float[])Get($"state/best/{i}", trainer.Phi[i].Length).Clone();
            if (trainer.AveragePhi is not null) trainer.AveragePhi[i] = (float[])Get($"state/average/{i}", trainer.Phi[i].Length).Clone();
        }
        RestoreAdam(Get, "state/phi", trainer.PhiOptimizer, header.GetProperty("phi_steps").GetInt32());
        var cellSteps = header.GetProperty("cell_steps").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var validationSteps = header.GetProperty("validation_steps").EnumerateArray().Select(e => e.GetInt32()).ToList();
        foreach (var (group, list, steps) in new[] { ("cell", trainer.Cells, cellSteps), ("validation", trainer.ValidationCells, validationSteps) })
            for (int c = 0; c < list.Count && c < steps.Count; c++)
            {
                foreach (var (name, value) in list[c].Theta.NamedParameters())
                    Get($"state/{group}/{c}/theta/{name}", value.Length).CopyTo(value.Data, 0);
                RestoreAdam(Get, $"state/{group}/{c}", list[c].Optimizer, steps[c]);
            }
        trainer.Iteration = header.GetProperty("iteration").GetInt32();
        trainer.BestIteration = header.GetProperty("best_iteration").GetInt32();
        var best = header.GetProperty("best_validation");
        trainer.BestValidation = best.ValueKind == JsonValueKind.Number ? best.GetDouble() : double.NegativeInfinity;
        trainer.EvaluationsSinceImprovement = header.GetProperty("evaluations_since_improvement").GetInt32();
        trainer.ElapsedSecondsBefore = header.GetProperty("elapsed_s").GetDouble();
    }

    private static void AddAdam(List<StoredTensor> tensors, string prefix, Adam adam, IReadOnlyList<int[]> shapes)
    {
        for (int i = 0; i < shapes.Count; i++)
        {
            tensors.Add(new StoredTensor($"{prefix}/adam_m/{i}", shapes[i], adam.FirstMoments[i]));
            tensors.Add(new StoredTensor($"{prefix}/adam_v/{i}", shapes[i], adam.SecondMoments[i]));
        }
    }

    private static void RestoreAdam(Func<string, int, float[]> get, string prefix, Adam adam, int steps)
    {
        // Adam's bias correction 1 − β^t is negative for t < 0: training would go on with flipped steps, silently.
        if (steps < 0) throw new FormatException($"'{prefix}' has {steps} Adam steps; a step count is >= 0");
        for (int i = 0; i < adam.FirstMoments.Count; i++)
        {
            get($"{prefix}/adam_m/{i}", adam.FirstMoments[i].Length).CopyTo(adam.FirstMoments[i], 0);
            get($"{prefix}/adam_v/{i}", adam.SecondMoments[i].Length).CopyTo(adam.SecondMoments[i], 0);
        }
        adam.RestoreSteps(steps);
    }
}
