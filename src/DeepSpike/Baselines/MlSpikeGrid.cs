namespace DeepSpike.Baselines;

/// <summary>
/// The discretisation MLspike's inference runs on: calcium levels <c>c_i = c_max (i / (I − 1))^p</c> for
/// <c>i = 0..I−1</c> (p = <see cref="CalciumSpacing"/>; 1 is MLspike's even grid, larger p puts more levels at low
/// calcium, where a trace spends most of its time),
/// baseline levels <c>b_j</c> evenly spaced from <see cref="BaselineMin"/> to <see cref="BaselineMax"/> (one level
/// when the baseline is known), and 0..<see cref="MaxSpikesPerFrame"/> spikes per frame.
/// </summary>
/// <param name="CalciumLevels">Number of calcium levels, ≥ 2 (MLspike: 100).</param>
/// <param name="CalciumMax">Highest calcium level in one-spike units, &gt; 0 (MLspike: 10); calcium is clipped there.</param>
/// <param name="BaselineLevels">Number of baseline levels, ≥ 1.</param>
/// <param name="BaselineMin">Lowest baseline level, trace units.</param>
/// <param name="BaselineMax">Highest baseline level, ≥ <paramref name="BaselineMin"/> (equal when there is one level).</param>
/// <param name="MaxSpikesPerFrame">Largest spike count in one frame, 1..<see cref="SpikeLimit"/> (MLspike: 3).</param>
/// <param name="CalciumSpacing">p in [1, <see cref="SpacingLimit"/>].</param>
public sealed record MlSpikeGrid(int CalciumLevels, double CalciumMax, int BaselineLevels, double BaselineMin, double BaselineMax, int MaxSpikesPerFrame = 3, double CalciumSpacing = 1)
{
    /// <summary>Upper bound on <see cref="MaxSpikesPerFrame"/>.</summary>
    public const int SpikeLimit = 15;

    /// <summary>Upper bound on the number of levels per dimension.</summary>
    public const int LevelLimit = 4096;

    /// <summary>Upper bound on <see cref="CalciumSpacing"/>.</summary>
    public const double SpacingLimit = 4;

    /// <summary>Throws if a value is out of range; returns this.</summary>
    public MlSpikeGrid Validate()
    {
        if (CalciumLevels < 2 || CalciumLevels > LevelLimit)
            throw new ArgumentOutOfRangeException(nameof(CalciumLevels), CalciumLevels, $"calcium levels must be in 2..{LevelLimit}, got {CalciumLevels}");
        if (!(CalciumMax > 0 && double.IsFinite(CalciumMax)))
            throw new ArgumentOutOfRangeException(nameof(CalciumMax), CalciumMax, $"highest calcium level must be finite and > 0, got {CalciumMax}");
        if (BaselineLevels < 1 || BaselineLevels > LevelLimit)
            throw new ArgumentOutOfRangeException(nameof(BaselineLevels), BaselineLevels, $"baseline levels must be in 1..{LevelLimit}, got {BaselineLevels}");
        if (!double.IsFinite(BaselineMin) || !double.IsFinite(BaselineMax))
            throw new ArgumentOutOfRangeException(nameof(BaselineMin), $"baseline range must be finite, got [{BaselineMin}, {BaselineMax}]");
        if (BaselineLevels == 1 ? BaselineMax != BaselineMin : !(BaselineMax > BaselineMin))
            throw new ArgumentException($"baseline range [{BaselineMin}, {BaselineMax}] must be non-empty for {BaselineLevels} levels, or one point for 1 level", nameof(BaselineMax));
        if (!(CalciumSpacing >= 1 && CalciumSpacing <= SpacingLimit))
            throw new ArgumentOutOfRangeException(nameof(CalciumSpacing), CalciumSpacing, $"calcium spacing exponent must be in [1, {SpacingLimit}], got {CalciumSpacing}");
        if (MaxSpikesPerFrame < 1 || MaxSpikesPerFrame > SpikeLimit)
            throw new ArgumentOutOfRangeException(nameof(MaxSpikesPerFrame), MaxSpikesPerFrame, $"maximum spikes per frame must be in 1..{SpikeLimit}, got {MaxSpikesPerFrame}");
        return this;
    }


    /// <summary>Spacing of the baseline levels (0 for one level).</summary>
    public double BaselineStep => BaselineLevels == 1 ? 0 : (BaselineMax - BaselineMin) / (BaselineLevels - 1);

    /// <summary>Calcium level <c>i</c>.</summary>
    public double Calcium(int i) => CalciumSpacing == 1
        ? i * CalciumMax / (CalciumLevels - 1)
        : CalciumMax * Math.Pow((double)i / (CalciumLevels - 1), CalciumSpacing);

    /// <summary>
    /// The two levels around calcium <paramref name="x"/> in [0, c_max] and the linear-interpolation weight of the
    /// upper one: <c>x = (1 − w) c_k + w c_{k+1}</c>, <c>w ∈ [0, 1)</c>; at c_max, <c>(I − 1, 0)</c>.
    /// </summary>
    public (int Lower, double UpperWeight) Bracket(double x)
    {
        double position = (CalciumLevels - 1) * (CalciumSpacing == 1 ? x / CalciumMax : Math.Pow(x / CalciumMax, 1 / CalciumSpacing));
        int k = Math.Clamp((int)Math.Floor(position), 0, CalciumLevels - 1);
        // Rounding in the power can put x just outside [c_k, c_{k+1}): step to the right bracket.
        while (k > 0 && Calcium(k) > x) k--;
        while (k < CalciumLevels - 1 && Calcium(k + 1) <= x) k++;
        if (k == CalciumLevels - 1) return (k, 0);
        double lower = Calcium(k);
        return (k, (x - lower) / (Calcium(k + 1) - lower));
    }

    /// <summary>Baseline level <c>j</c>.</summary>
    public double Baseline(int j) => BaselineLevels == 1 ? BaselineMin : BaselineMin + j * BaselineStep;
}
