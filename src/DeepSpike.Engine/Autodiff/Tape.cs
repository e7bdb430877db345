namespace DeepSpike.Engine;

/// <summary>
/// Records differentiable operations while active and replays their backward functions in reverse.
/// </summary>
/// <remarks>
/// A tape is active on the creating thread from construction until <see cref="Dispose"/>; tapes nest.
/// Operations record a backward closure only when a tape is active and one of their inputs
/// <see cref="Tensor.RequiresGrad"/>, so inference pays nothing. The backward pass is a loop over the
/// recorded closures (no recursion), so a recurrence unrolled over 10^4 frames cannot overflow the stack.
/// </remarks>
public sealed class Tape : IDisposable
{
    [ThreadStatic] private static Tape? current;

    private readonly List<Action> backwards = new(256);
    private readonly Tape? previous;
    private bool disposed;

    /// <summary>Starts recording on this thread.</summary>
    public Tape()
    {
        previous = current;
        current = this;
    }

    /// <summary>The tape recording on this thread, if any.</summary>
    public static Tape? Current => current;

    /// <summary>Number of recorded operations.</summary>
    public int Count => backwards.Count;

    /// <summary>
    /// Back-propagates from <paramref name="output"/>, seeding its gradient with <paramref name="seed"/>
    /// (1 by default), and accumulates into every reachable tensor's <see cref="Tensor.Grad"/>.
    /// </summary>
    public void Backward(Tensor output, float seed = 1f)
    {
        output.GradSpan().Fill(seed);
        Replay();
    }

    /// <summary>
    /// Back-propagates a vector–Jacobian product: seeds <paramref name="output"/>'s gradient with
    /// <paramref name="outputGradient"/> (one value per output element), so every input's gradient becomes
    /// <c>Σ_i outputGradient_i · ∂output_i/∂input</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The seed's length differs from the output's.</exception>
    public void Backward(Tensor output, ReadOnlySpan<float> outputGradient)
    {
        if (outputGradient.Length != output.Length)
            throw new ArgumentException($"output gradient has {outputGradient.Length} values but output [{output.ShapeString}] has {output.Length}", nameof(outputGradient));
        outputGradient.CopyTo(output.GradSpan());
        Replay();
    }

    private void Replay()
    {
        for (int i = backwards.Count - 1; i >= 0; i--)
            backwards[i]();
        backwards.Clear();
    }

    /// <summary>Stops recording and restores the previously active tape.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        current = previous;
    }

    /// <summary>
    /// If recording applies to an op with these inputs, marks <paramref name="output"/> as requiring a
    /// gradient and records <paramref name="backward"/>; the closure runs only if the output received one.
    /// </summary>
    internal static void Record(Tensor output, Action backward, Tensor a, Tensor? b = null, Tensor? c = null, Tensor? d = null)
    {
        var tape = current;
        if (tape is null) return;
        if (!(a.RequiresGrad || (b?.RequiresGrad ?? false) || (c?.RequiresGrad ?? false) || (d?.RequiresGrad ?? false))) return;
        output.RequiresGrad = true;
        tape.backwards.Add(() => { if (output.Grad is not null) backward(); });
    }

    /// <summary>As <see cref="Record(Tensor, Action, Tensor, Tensor?, Tensor?, Tensor?)"/> for many inputs.</summary>
    internal static void Record(Tensor output, Action backward, IReadOnlyList<Tensor> inputs)
    {
        var tape = current;
        if (tape is null) return;
        bool any = false;
        foreach (var t in inputs) any |= t.RequiresGrad;
        if (!any) return;
        output.RequiresGrad = true;
        tape.backwards.Add(() => { if (output.Grad is not null) backward(); });
    }
}
