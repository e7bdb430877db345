using System.Globalization;
using DeepSpike.Data;
using DeepSpike.Generative;

namespace DeepSpike.Simulation;

/// <summary>
/// Collects simulated traces — i.i.d. Bernoulli spikes through a generative model — with their true
/// parameters, named <c>cell{NNN}_r{rate}</c>, into a <see cref="SimulatedDataset"/>.
/// </summary>
internal sealed class SimulatedDatasetBuilder(IGenerativeModel model, int frames, double frameRateHz)
{
    private readonly List<string> names = [];
    private readonly List<float[]> calcium = [];
    private readonly List<float[]> spikes = [];
    private readonly List<TraceMeta> truth = [];

    /// <summary>Simulates one trace of cell <paramref name="cell"/> firing at <paramref name="rateHz"/>.</summary>
    public void Add(int cell, double rateHz, GenerativeParameters theta, double snr, Random rng)
    {
        var s = new float[frames];
        double perFrame = rateHz / frameRateHz;
        for (int t = 0; t < frames; t++) s[t] = rng.NextDouble() < perFrame ? 1f : 0f;
        var f = model.Simulate(theta, s, rng);
        string name = $"cell{cell:D3}_r{rateHz.ToString(CultureInfo.InvariantCulture)}";
        names.Add(name);
        calcium.Add(f);
        spikes.Add(s);
        truth.Add(new TraceMeta(name, new Dictionary<string, double>(model.Describe(theta, frameRateHz)) { ["snr"] = snr }));
    }

    /// <summary>The dataset so far.</summary>
    public SimulatedDataset Build() => new(
        new TraceSet(names, calcium, frameRateHz),
        new TraceSet(names, spikes, frameRateHz),
        new DatasetMeta(frameRateHz, model.Name, truth));
}
