using DeepSpike.Engine;
using DeepSpike.Engine.Nn;

namespace DeepSpike.Generative;

/// <summary>
/// One cell's generative parameters θ, held unconstrained (e.g. log σ) so that any real value is valid
/// and Adam can move them freely; each model maps them to constrained values inside its ops.
/// </summary>
public sealed class GenerativeParameters : Module
{
    private readonly List<(string Name, Tensor Value)> entries = [];

    /// <summary>Adds (or replaces) a named unconstrained parameter.</summary>
    public GenerativeParameters Set(string name, params float[] values)
    {
        var tensor = Tensor.Parameter(values, values.Length);
        int i = entries.FindIndex(e => e.Name == name);
        if (i >= 0) entries[i] = (name, tensor); else entries.Add((name, tensor));
        return this;
    }

    /// <summary>The tensor for <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such parameter.</exception>
    public Tensor this[string name] =>
        entries.FirstOrDefault(e => e.Name == name).Value ?? throw new KeyNotFoundException($"generative parameter '{name}' is not defined");

    /// <summary>First value of a parameter, for plain arithmetic outside the graph.</summary>
    public float Value(string name, int index = 0) => this[name].Data[index];

    /// <summary>A deep copy (values only, no gradients).</summary>
    public GenerativeParameters Clone()
    {
        var copy = new GenerativeParameters();
        foreach (var (name, value) in entries) copy.Set(name, (float[])value.Data.Clone());
        return copy;
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor Value)> NamedParameters() => entries;
}
