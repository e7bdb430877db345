namespace DeepSpike.Generative;

/// <summary>Conversions between AR(1) calcium coefficients and decay time constants.</summary>
public static class CalciumKernel
{
    /// <summary>AR(1) coefficient <c>γ = exp(−1 / (τ · rate))</c> for a decay time constant τ in seconds.</summary>
    public static double FromTau(double tauDecaySeconds, double frameRateHz)
    {
        if (!(tauDecaySeconds > 0)) throw new ArgumentOutOfRangeException(nameof(tauDecaySeconds), $"decay time constant must be > 0 s, got {tauDecaySeconds}");
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        return Math.Exp(-1.0 / (tauDecaySeconds * frameRateHz));
    }

    /// <summary>Decay time constant <c>τ = −1 / (rate · ln γ)</c> in seconds; exact inverse of <see cref="FromTau"/>.</summary>
    public static double ToTau(double gamma, double frameRateHz)
    {
        if (!(gamma > 0 && gamma < 1)) throw new ArgumentOutOfRangeException(nameof(gamma), $"AR(1) coefficient must be in (0, 1) for a decaying kernel, got {gamma}");
        if (!(frameRateHz > 0)) throw new ArgumentOutOfRangeException(nameof(frameRateHz), $"frame rate must be > 0, got {frameRateHz}");
        return -1.0 / (frameRateHz * Math.Log(gamma));
    }
}
