using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSpike.Models;

namespace DeepSpike.Dynamics;

/// <summary>
/// The state of an <see cref="LfadsTrainer"/> in the checksummed model container: weights, Adam's moments and step count,
/// the best weights so far and every counter, written atomically, so that a run killed at any moment resumes from the
/// last checkpoint and ends with the same bits as an uninterrupted run.
/// </summary>
/// <param name="Path">The checkpoint file.</param>
public sealed record DynamicsCheckpoint(string Path)
{
    private const string Format = "deepspike-dynamics-checkpoint";

    /// <summary>Writes <paramref name="trainer"/>'s state.</summary>
    public void Save(LfadsTrainer trainer)
    {
        var named = trainer.Model.NamedParameters().ToList();
        var tensors = new List<StoredTensor>();
        for (int p = 0; p < named.Count; p++)
        {
            var (name, value) = named[p];
            tensors.Add(new StoredTensor($"weights/{name}", value.Shape, value.Data));
            tensors.Add(new StoredTensor($"adam.m/{name}", value.Shape, trainer.Optimizer.FirstMoments[p]));
            tensors.Add(new StoredTensor($"adam.v/{name}", value.Shape, trainer.Optimizer.SecondMoments[p]));
            if (trainer.Best is not null) tensors.Add(new StoredTensor($"best/{name}", value.Shape, trainer.Best[p]));
        }
        var header = new JsonObject
        {
            ["format"] = Format,
            ["step"] = trainer.Step,
            ["adam_steps"] = trainer.Optimizer.Steps,
            ["learning_rate"] = trainer.LearningRate,
            ["best_validation"] = double.IsFinite(trainer.BestValidation) ? trainer.BestValidation : null,
            ["best_step"] = trainer.BestStep,
            ["since_best"] = trainer.SinceBest,
            ["since_plateau"] = trainer.SincePlateau,
            ["seconds"] = trainer.SecondsBefore,
            ["data"] = trainer.DataFingerprint.ToString("x16"),
            ["architecture"] = JsonNode.Parse(trainer.Model.OptionsJson),
            ["recipe"] = JsonSerializer.SerializeToNode(trainer.Options with { MaxMinutes = 0, MaxSteps = 0 }),
        };
        ModelFile.Write(Path, JsonDocument.Parse(header.ToJsonString()), tensors);
    }

    /// <summary>Loads the state into <paramref name="trainer"/>, which must train the same network on the same data with the same recipe
    /// (its time and step limits may differ).</summary>
    /// <exception cref="InvalidDataException">The file is corrupt, not a dynamics checkpoint, or was made for other data, another
    /// network or another recipe; the message names it.</exception>
    public void Restore(LfadsTrainer trainer)
    {
        var (document, stored) = ModelFile.Read(Path);
        using (document)
        {
            try { RestoreChecked(trainer, document.RootElement, stored.ToDictionary(t => t.Name)); }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or JsonException)
            {
                throw new InvalidDataException($"{Path}: not a usable dynamics checkpoint ({e.Message})", e);
            }
        }
    }

    private void RestoreChecked(LfadsTrainer trainer, JsonElement header, Dictionary<string, StoredTensor> stored)
    {
        if (!header.TryGetProperty("format", out var format) || format.GetString() != Format)
            throw new InvalidDataException($"{Path}: not a dynamics training checkpoint");
        if (header.GetProperty("data").GetString() != trainer.DataFingerprint.ToString("x16"))
            throw new InvalidDataException($"{Path}: checkpoint was made for other training or validation trials; remove it or drop --resume");
        if (!JsonNode.DeepEquals(JsonNode.Parse(header.GetProperty("architecture").GetRawText()), JsonNode.Parse(trainer.Model.OptionsJson))
            || !JsonNode.DeepEquals(JsonNode.Parse(header.GetProperty("recipe").GetRawText()), JsonSerializer.SerializeToNode(trainer.Options with { MaxMinutes = 0, MaxSteps = 0 })))
            throw new InvalidDataException($"{Path}: checkpoint was made with another network or training recipe; remove it or drop --resume");

        var named = trainer.Model.NamedParameters().ToList();
        bool hasBest = stored.ContainsKey($"best/{named[0].Name}");
        var best = hasBest ? new float[named.Count][] : null;
        for (int p = 0; p < named.Count; p++)
        {
            var (name, value) = named[p];
            Copy(stored, $"weights/{name}", value.Data);
            Copy(stored, $"adam.m/{name}", trainer.Optimizer.FirstMoments[p]);
            Copy(stored, $"adam.v/{name}", trainer.Optimizer.SecondMoments[p]);
            if (best is not null)
            {
                best[p] = new float[value.Length];
                Copy(stored, $"best/{name}", best[p]);
            }
        }
        int step = header.GetProperty("step").GetInt32(), adamSteps = header.GetProperty("adam_steps").GetInt32();
        if (step < 0 || adamSteps < 0) throw new InvalidDataException($"{Path}: negative step count");
        trainer.Step = step;
        trainer.Optimizer.RestoreSteps(adamSteps);
        trainer.LearningRate = header.GetProperty("learning_rate").GetDouble();
        trainer.Optimizer.Options = trainer.Optimizer.Options with { LearningRate = (float)trainer.LearningRate };
        trainer.Best = best;
        trainer.BestValidation = header.GetProperty("best_validation").ValueKind == JsonValueKind.Number ? header.GetProperty("best_validation").GetDouble() : double.PositiveInfinity;
        trainer.BestStep = header.GetProperty("best_step").GetInt32();
        trainer.SinceBest = header.GetProperty("since_best").GetInt32();
        trainer.SincePlateau = header.GetProperty("since_plateau").GetInt32();
        trainer.SecondsBefore = header.GetProperty("seconds").GetDouble();
    }

    private void Copy(Dictionary<string, StoredTensor> stored, string name, float[] destination)
    {
        if (!stored.TryGetValue(name, out var tensor) || tensor.Data.Length != destination.Length)
            throw new InvalidDataException($"{Path}: tensor '{name}' is missing or has the wrong size");
        tensor.Data.CopyTo(destination, 0);
    }
}
