using System.Numerics.Tensors;

namespace DeepSpike.Preprocessing;

/// <summary>
/// Removes out-of-focus neuropil light from a cell's fluorescence: <c>F_c(t) = F(t) − r · F_neu(t)</c>,
/// with F_neu the mean fluorescence of a ring around the cell (suite2p's <c>Fneu.npy</c>).
/// </summary>
/// <remarks>
/// r = 0.7 is suite2p's default and the usual choice for GCaMP imaging in cortex (Chen et al. 2013,
/// Nature 499:295). NaN in either input gives NaN at that frame.
/// </remarks>
public static class NeuropilCorrection
{
    /// <summary>The neuropil coefficient r used when a neuropil trace is given and no other is chosen: 0.7.</summary>
    public const double DefaultFactor = 0.7;

    /// <summary>Writes <c>F(t) − r · F_neu(t)</c> into <paramref name="destination"/> (which may alias <paramref name="fluorescence"/>).</summary>
    /// <param name="fluorescence">The cell's raw fluorescence F.</param>
    /// <param name="neuropil">The neuropil fluorescence F_neu, as long as F.</param>
    /// <param name="factor">The coefficient r, in [0, 1].</param>
    /// <param name="destination">As long as F.</param>
    /// <exception cref="ArgumentException">Lengths differ or r is outside [0, 1].</exception>
    public static void Subtract(ReadOnlySpan<float> fluorescence, ReadOnlySpan<float> neuropil, double factor, Span<float> destination)
    {
        CheckFactor(factor);
        if (neuropil.Length != fluorescence.Length)
            throw new ArgumentException($"neuropil has {neuropil.Length} frames but the fluorescence has {fluorescence.Length}", nameof(neuropil));
        if (destination.Length != fluorescence.Length)
            throw new ArgumentException($"destination has {destination.Length} frames but the fluorescence has {fluorescence.Length}", nameof(destination));
        // destination = neuropil · (−r) + F
        TensorPrimitives.MultiplyAdd(neuropil, (float)-factor, fluorescence, destination);
    }

    /// <summary><c>F(t) − r · F_neu(t)</c> as a new array; see <see cref="Subtract(ReadOnlySpan{float}, ReadOnlySpan{float}, double, Span{float})"/>.</summary>
    public static float[] Subtract(ReadOnlySpan<float> fluorescence, ReadOnlySpan<float> neuropil, double factor)
    {
        var result = new float[fluorescence.Length];
        Subtract(fluorescence, neuropil, factor, result);
        return result;
    }

    /// <summary>Throws unless 0 ≤ r ≤ 1: a ring cannot contaminate the cell more than it glows itself.</summary>
    internal static void CheckFactor(double factor)
    {
        if (!(factor >= 0 && factor <= 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"neuropil factor r must be in [0, 1] (suite2p uses 0.7), got {factor}");
    }
}
