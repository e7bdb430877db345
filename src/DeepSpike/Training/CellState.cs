using DeepSpike.Engine.Optim;
using DeepSpike.Generative;

namespace DeepSpike.Training;

/// <summary>
/// What training keeps for one trace: its raw and normalised fluorescence, its own generative
/// parameters θ and their own Adam state (the paper loads these per batch).
/// </summary>
internal sealed class CellState
{
    public CellState(string name, float[] fluorescence, float[] normalized, GenerativeParameters theta, AdamOptions adam)
    {
        Name = name;
        Fluorescence = fluorescence;
        Normalized = normalized;
        Theta = theta;
        Optimizer = new Adam(theta.Parameters(), adam);
    }

    public string Name { get; }
    public float[] Fluorescence { get; }
    public float[] Normalized { get; }
    public GenerativeParameters Theta { get; }
    public Adam Optimizer { get; }
}
