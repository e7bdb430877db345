namespace DeepSpike.Recognition;

/// <summary>Initialises a recognition network from a trained one before training (<c>train --init-from</c>).</summary>
public static class WarmStart
{
    /// <summary>
    /// Copies what <paramref name="trained"/> has learnt into <paramref name="target"/>: every weight when both
    /// are the same kind of network with the same shapes (fine-tuning), or, for a DS-NF target and a DS-F source,
    /// the trunk and readout (<see cref="DsNf.WarmStartFrom"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The networks are of kinds or shapes that cannot be mapped onto each other.</exception>
    public static void Apply(IRecognitionModel target, IRecognitionModel trained)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(trained);
        if (target is DsNf nf && trained is DsF f)
        {
            nf.WarmStartFrom(f);
            return;
        }
        if (target.Name != trained.Name)
            throw new ArgumentException($"cannot initialise a {target.Name} network from a {trained.Name} one (supported: the same kind, or dsnf from dsf)");
        var source = trained.Network.NamedParameters().ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, value) in target.Network.NamedParameters())
        {
            if (!source.TryGetValue(name, out var from) || !from.Shape.AsSpan().SequenceEqual(value.Shape))
                throw new ArgumentException($"cannot initialise from the trained {trained.Name}: its parameter '{name}' is missing or has another shape (architectures differ)");
            from.Data.CopyTo(value.Data, 0);
        }
    }
}
