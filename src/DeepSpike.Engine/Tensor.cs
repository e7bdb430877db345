namespace DeepSpike.Engine;

/// <summary>
/// A dense, row-major float32 tensor that can take part in reverse-mode differentiation.
/// </summary>
/// <remarks>
/// Data is owned by the tensor and never shared implicitly. <see cref="Grad"/> is allocated on first
/// use by the backward pass (<see cref="Tape.Backward(Tensor, float)"/>), so forward-only inference allocates no
/// gradient storage. Tensors created by operations while a <see cref="Tape"/> is active and any input
/// requires a gradient are themselves marked <see cref="RequiresGrad"/>.
/// </remarks>
public sealed class Tensor
{
    /// <summary>Creates a tensor over <paramref name="data"/> (not copied) with the given shape.</summary>
    /// <exception cref="ArgumentException">The product of <paramref name="shape"/> differs from the data length.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (shape.Length == 0) shape = [data.Length];
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape dimensions must be >= 0, got [{string.Join(", ", shape)}]");
            n *= d;
        }
        if (n != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {n} values but data has {data.Length}");
        Data = data;
        Shape = shape;
    }

    /// <summary>The values, row-major.</summary>
    public float[] Data { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>Number of values.</summary>
    public int Length => Data.Length;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Whether gradients flow into this tensor during <see cref="Tape.Backward(Tensor, float)"/>.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Accumulated gradient of the last backward pass, or null if none reached this tensor.</summary>
    public float[]? Grad { get; private set; }

    /// <summary>Optional name, used in error messages and checkpoints.</summary>
    public string? Name { get; init; }

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => Shape[axis < 0 ? Shape.Length + axis : axis];

    /// <summary>The gradient buffer, allocated (zeroed) if absent.</summary>
    public Span<float> GradSpan() => Grad ??= new float[Data.Length];

    /// <summary>Drops the gradient buffer contents (sets to zero if allocated).</summary>
    public void ZeroGrad()
    {
        if (Grad is not null) Array.Clear(Grad);
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item() => Data.Length == 1 ? Data[0] : throw new InvalidOperationException($"Item() needs one value, tensor has shape [{ShapeString}]");

    internal string ShapeString => string.Join(", ", Shape);

    /// <summary>A zero-filled tensor.</summary>
    public static Tensor Zeros(params int[] shape) => new(new float[Product(shape)], shape);

    /// <summary>A one-element tensor.</summary>
    public static Tensor Scalar(float value) => new([value], 1);

    /// <summary>A trainable leaf tensor (<see cref="RequiresGrad"/> set).</summary>
    public static Tensor Parameter(float[] data, params int[] shape) => new(data, shape) { RequiresGrad = true };

    /// <summary>A copy of this tensor's values that is cut off from the graph (no gradient flows back).</summary>
    public Tensor Detach() => new((float[])Data.Clone(), (int[])Shape.Clone());

    internal static int Product(ReadOnlySpan<int> shape)
    {
        int n = 1;
        foreach (int d in shape) n = checked(n * d);
        return n;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Tensor[{ShapeString}]{(Name is null ? "" : " " + Name)}";
}
