using DeepSpike.Data;

namespace DeepSpike.Training;

/// <summary>The traces training uses.</summary>
/// <param name="Training">Fluorescence of the training cells (the only input of unsupervised training).</param>
/// <param name="Validation">Fluorescence of held-out cells for early stopping, or null.</param>
/// <param name="TrainingSpikes">True spikes of the training cells, used only by the supervised objective.</param>
/// <param name="ValidationSpikes">True spikes of the validation cells, used only for early stopping: by the supervised
/// objective, and by unsupervised training when <see cref="TrainingOptions.ValidationCorrelationBinMs"/> is set.</param>
/// <param name="LabeledCalcium">Semi-supervised training: fluorescence of other recordings whose spikes are known
/// (never the cells the model will be tested on); each unsupervised step adds a weighted cross-entropy term on a
/// batch of them (<see cref="TrainingOptions.SupervisedWeight"/>).</param>
/// <param name="LabeledSpikes">The known spikes of <paramref name="LabeledCalcium"/>, matched by trace name.</param>
public sealed record TrainingData(TraceSet Training, TraceSet? Validation = null, TraceSet? TrainingSpikes = null, TraceSet? ValidationSpikes = null,
    TraceSet? LabeledCalcium = null, TraceSet? LabeledSpikes = null);
