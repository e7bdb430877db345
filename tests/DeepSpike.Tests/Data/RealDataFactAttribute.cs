namespace DeepSpike.Tests.Data;

/// <summary>
/// A fact that needs the real ground-truth recordings; skipped (not failed) on machines without
/// them, so the suite stays runnable anywhere. The folder is <c>$DEEPSPIKE_DATA</c> if set,
/// else <c>/work/shared/data</c>.
/// </summary>
public sealed class RealDataFactAttribute : FactAttribute
{
    private const string DefaultRoot = "/work/shared/data";

    public RealDataFactAttribute(string datasetFolder)
    {
        if (!Directory.Exists(PathOf(datasetFolder)))
            Skip = $"real dataset '{datasetFolder}' not found under {Root}";
    }

    public static string Root => Environment.GetEnvironmentVariable("DEEPSPIKE_DATA") is { Length: > 0 } root ? root : DefaultRoot;

    public static string PathOf(string datasetFolder) => Path.Combine(Root, datasetFolder);
}
