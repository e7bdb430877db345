using DeepSpike.Data;

namespace DeepSpike.Training;

/// <summary>The traces training uses.</summary>
/// <param name="Training">Fluorescence of the training cells (the only input of unsupervised training).</param>
/// <param name="Validation">Fluorescence of held-out cells for early stopping, or null.</param>
/// <param name="TrainingSpikes">True spikes of the training cells, used only by the supervised objective.</param>
/// <param name="ValidationSpikes">True spikes of the validation cells, used only by the supervised objective.</param>
public sealed record TrainingData(TraceSet Training, TraceSet? Validation = null, TraceSet? TrainingSpikes = null, TraceSet? ValidationSpikes = null);
