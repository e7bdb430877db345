using System.Numerics.Tensors;

namespace DeepSpike.Engine.Optim;

/// <summary>Adam hyperparameters (Kingma &amp; Ba 2014).</summary>
/// <param name="LearningRate">Step size α; range &gt; 0.</param>
/// <param name="Beta1">First-moment decay; [0, 1).</param>
/// <param name="Beta2">Second-moment decay; [0, 1).</param>
/// <param name="Epsilon">Denominator guard; &gt; 0.</param>
public sealed record AdamOptions(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-8f)
{
    /// <summary>Throws if a value is out of range.</summary>
    public AdamOptions Validate()
    {
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"learning rate must be > 0, got {LearningRate}");
        // Written as negated ranges so NaN fails them (NaN compares false to everything).
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), $"beta1 must be in [0, 1), got {Beta1}");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), $"beta2 must be in [0, 1), got {Beta2}");
        if (!(Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), $"epsilon must be > 0, got {Epsilon}");
        return this;
    }
}

/// <summary>
/// Adam over a fixed list of tensors, minimising: <c>θ ← θ − α m̂ / (√v̂ + ε)</c> with bias-corrected moments
/// <c>m̂ = m / (1 − β₁ᵗ)</c>, <c>v̂ = v / (1 − β₂ᵗ)</c> (ε added to √v̂, as in PyTorch's <c>torch.optim.Adam</c>).
/// One instance per parameter group; DeepSpike keeps one per cell for the generative parameters.
/// </summary>
public sealed class Adam
{
    private readonly IReadOnlyList<Tensor> parameters;
    private readonly float[][] m, v;

    /// <summary>Creates the optimiser state (zero moments) for <paramref name="parameters"/>.</summary>
    public Adam(IReadOnlyList<Tensor> parameters, AdamOptions options)
    {
        this.parameters = parameters;
        Options = options;
        m = parameters.Select(p => new float[p.Length]).ToArray();
        v = parameters.Select(p => new float[p.Length]).ToArray();
    }

    /// <summary>The hyperparameters; validated when set.</summary>
    public AdamOptions Options { get; set => field = value.Validate(); }

    /// <summary>Number of steps taken.</summary>
    public int Steps { get; private set; }

    /// <summary>The moment buffers, in parameter order (for checkpoints).</summary>
    public IReadOnlyList<float[]> FirstMoments => m;

    /// <inheritdoc cref="FirstMoments"/>
    public IReadOnlyList<float[]> SecondMoments => v;

    /// <summary>Restores the step count (for checkpoints; moments are restored through the buffers).</summary>
    public void RestoreSteps(int steps) => Steps = steps;

    /// <summary>
    /// Applies one update from the parameters' current gradients. A parameter whose gradient was never
    /// allocated (no backward pass reached it) is skipped: neither it nor its moments change.
    /// </summary>
    public void Step()
    {
        Steps++;
        float b1 = Options.Beta1, b2 = Options.Beta2, eps = Options.Epsilon;
        // θ −= α m̂ / (√v̂ + ε) = (α / c₁) m / (√v / √c₂ + ε), with cᵢ = 1 − βᵢᵗ. Folding √c₂ into the step
        // instead would scale ε by 1/√c₂ (≈ 32× at step 1 for β₂ = 0.999) and change the update.
        float stepSize = Options.LearningRate / (float)(1 - Math.Pow(b1, Steps));
        float invSqrtC2 = 1f / (float)Math.Sqrt(1 - Math.Pow(b2, Steps));
        for (int p = 0; p < parameters.Count; p++)
        {
            var g = parameters[p].Grad;
            if (g is null) continue;
            var w = parameters[p].Data; var mp = m[p]; var vp = v[p];
            for (int i = 0; i < w.Length; i++)
            {
                float gi = g[i];
                mp[i] = b1 * mp[i] + (1 - b1) * gi;
                vp[i] = b2 * vp[i] + (1 - b2) * gi * gi;
                w[i] -= stepSize * mp[i] / (MathF.Sqrt(vp[i]) * invSqrtC2 + eps);
            }
        }
    }

    /// <summary>Zeroes the parameters' gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters) p.ZeroGrad();
    }
}

/// <summary>Gradient norm clipping (Pascanu et al. 2013).</summary>
public static class GradientClipping
{
    /// <summary>
    /// The L2 norm of all gradients together, <c>√Σ_p Σ_i g²</c>, summed in double so that gradients up to
    /// float's maximum give a finite norm. NaN if any gradient is NaN.
    /// </summary>
    public static float GlobalNorm(IEnumerable<Tensor> parameters) => (float)GlobalNormDouble(parameters);

    private static double GlobalNormDouble(IEnumerable<Tensor> parameters)
    {
        double s = 0;
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            foreach (float g in p.Grad) s += (double)g * g;
        }
        return Math.Sqrt(s);
    }

    /// <summary>
    /// Rescales all gradients by <c>maxNorm / norm</c> when their global norm exceeds <paramref name="maxNorm"/>.
    /// Returns the norm before clipping; a NaN norm (some gradient is NaN) is returned and nothing is rescaled,
    /// so the caller can skip the step.
    /// </summary>
    public static float ClipGlobalNorm(IReadOnlyList<Tensor> parameters, float maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"clip threshold must be > 0, got {maxNorm}");
        double norm = GlobalNormDouble(parameters);
        if (norm > maxNorm)
        {
            // In double: the norm itself may exceed float's range.
            float scale = (float)(maxNorm / norm);
            foreach (var p in parameters)
                if (p.Grad is not null) TensorPrimitives.Multiply(p.Grad, scale, p.Grad);
        }
        return (float)norm;
    }
}
