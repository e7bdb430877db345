namespace DeepSpike.Engine.Nn;

/// <summary>A layer or network: owns named trainable tensors.</summary>
public abstract class Module
{
    /// <summary>All trainable tensors with stable, unique, dotted names (used in model files).</summary>
    public abstract IEnumerable<(string Name, Tensor Value)> NamedParameters();

    /// <summary>The trainable tensors in <see cref="NamedParameters"/> order.</summary>
    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Value).ToList();

    /// <summary>Total number of trainable values.</summary>
    public int ParameterCount => NamedParameters().Sum(p => p.Value.Length);

    /// <summary>Prefixes child parameter names with <paramref name="prefix"/> and a dot.</summary>
    protected static IEnumerable<(string, Tensor)> Prefixed(string prefix, Module child) =>
        child.NamedParameters().Select(p => ($"{prefix}.{p.Name}", p.Value));
}
