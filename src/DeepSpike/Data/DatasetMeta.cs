namespace DeepSpike.Data;

/// <summary>
/// The contents of a dataset's <c>meta.json</c> that the library uses: the frame rate, the indicator and, for
/// simulated sets, the generative model and each trace's true parameters.
/// </summary>
/// <param name="FrameRateHz">Sampling rate in Hz, &gt; 0 (JSON <c>frame_rate_hz</c>).</param>
/// <param name="Generative">Name of the generative model that simulated the data, e.g. <c>SCF</c>
/// (JSON <c>generative</c>); null for recorded data.</param>
/// <param name="Traces">Per-trace true parameters (JSON <c>traces</c>); null if not given.</param>
/// <param name="Indicator">Calcium indicator of the recordings, e.g. <c>GCaMP6s</c> (JSON <c>indicator</c>); null if not
/// given. <c>infer</c> uses it to pick a built-in model.</param>
/// <remarks>
/// Read and written by <see cref="Read"/> and <see cref="Write"/>; see <see cref="DatasetMetaJson"/>
/// for the JSON shape. Other properties in the file (provenance, licence, units, …) are ignored.
/// </remarks>
public sealed record DatasetMeta(double FrameRateHz, string? Generative = null, IReadOnlyList<TraceMeta>? Traces = null, string? Indicator = null)
{
    /// <summary>At most one line, naming the file, for what <see cref="DatasetMetaJson.Parse"/> ignored because it was
    /// not in the shape this library reads (another tool's <c>traces</c> list, a number where text was expected, …).
    /// Not written back.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Reads <c>meta.json</c>; see <see cref="DatasetMetaJson.Read"/>.</summary>
    public static DatasetMeta Read(string path) => DatasetMetaJson.Read(path);

    /// <summary>Atomically writes this as <c>meta.json</c>; see <see cref="DatasetMetaJson.Write"/>.</summary>
    public void Write(string path) => DatasetMetaJson.Write(path, this);
}

/// <summary>One trace's entry in <c>meta.json</c>: its name and true generative parameters.</summary>
/// <param name="Name">Trace name, matching a CSV column (JSON <c>name</c>).</param>
/// <param name="Parameters">Parameter name → value, e.g. <c>tau_decay_s</c> → 0.4 (JSON
/// <c>parameters</c>); units belong in the key.</param>
public sealed record TraceMeta(string Name, IReadOnlyDictionary<string, double> Parameters);
