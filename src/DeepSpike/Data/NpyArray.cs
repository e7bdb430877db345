namespace DeepSpike.Data;

/// <summary>A numeric array of any rank as 32-bit floats in C order (last index fastest).</summary>
/// <param name="Shape">Dimensions; empty for a 0-d array.</param>
/// <param name="Data">The values; length = product of <paramref name="Shape"/>.</param>
public sealed record NpyArray(int[] Shape, float[] Data)
{
    /// <summary>The shape as NumPy prints it, e.g. <c>(1040, 100, 30)</c>.</summary>
    public string ShapeText => Shape.Length == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";
}
