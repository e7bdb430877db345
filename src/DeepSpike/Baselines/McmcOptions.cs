namespace DeepSpike.Baselines;

/// <summary>Settings of <see cref="ScfGibbsSampler"/>.</summary>
/// <param name="Sweeps">Sweeps averaged into the marginals, after the burn-in. One sweep visits every frame once.</param>
/// <param name="BurnIn">Sweeps discarded first.</param>
/// <param name="SampleParameters">Also sample β, A, σ² and ρ from their conditionals after every sweep (flat
/// priors on β and A &gt; 0, 1/σ² on σ², Beta(1, 1) on ρ); γ and m_0 stay at their given values.</param>
/// <param name="ShiftMoves">After each frame's update, propose moving a spike to the neighbouring empty frame
/// (Metropolis–Hastings). Single-frame Gibbs updates alone must pass through a state with one spike too few or
/// too many to move one, which is slow at high SNR.</param>
public sealed record McmcOptions(int Sweeps = 2000, int BurnIn = 500, bool SampleParameters = true, bool ShiftMoves = true)
{
    /// <summary>Throws if a value is out of range; returns this.</summary>
    public McmcOptions Validate()
    {
        if (Sweeps < 1) throw new ArgumentOutOfRangeException(nameof(Sweeps), Sweeps, $"sweeps must be >= 1, got {Sweeps}");
        if (BurnIn < 0) throw new ArgumentOutOfRangeException(nameof(BurnIn), BurnIn, $"burn-in must be >= 0, got {BurnIn}");
        return this;
    }
}
