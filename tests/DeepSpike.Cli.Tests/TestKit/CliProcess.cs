using System.Diagnostics;
using System.Text;

namespace DeepSpike.Cli.Tests.TestKit;

/// <summary>
/// <c>deepspike</c> run as a separate process (<c>dotnet deepspike.dll</c>, the build copied beside the tests), for what an
/// in-process run cannot show: being killed with SIGKILL.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new(), _stderr = new();
    private readonly TaskCompletionSource _marker = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _markerPrefix;

    private CliProcess(string[] args, string? markerPrefix)
    {
        _markerPrefix = markerPrefix;
        var start = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "deepspike.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stdout) _stdout.AppendLine(e.Data);
            if (_markerPrefix is not null && e.Data.StartsWith(_markerPrefix, StringComparison.Ordinal)) _marker.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.AppendLine(e.Data);
        };
        Started = Stopwatch.StartNew();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The <c>dotnet</c> that runs these tests (the SDK sets <c>DOTNET_HOST_PATH</c>), else the one on the PATH.</summary>
    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Time since the process was started.</summary>
    public Stopwatch Started { get; }

    /// <summary>
    /// Starts <c>deepspike <paramref name="args"/></c>. With <paramref name="markerPrefix"/>, <see cref="WaitForMarker"/> waits
    /// for the first line of standard output that starts with it.
    /// </summary>
    public static CliProcess Start(string[] args, string? markerPrefix = null) => new(args, markerPrefix);

    /// <summary>Runs to the end and asserts exit code 0.</summary>
    public static CliResult Succeed(params string[] args)
    {
        using var run = Start(args);
        var result = run.WaitForExit(TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, $"deepspike {string.Join(' ', args)} failed:\n{result}");
        return result;
    }

    /// <summary>Waits until the marker line appeared; false if the process ended (or time ran out) first.</summary>
    public bool WaitForMarker(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        return Task.WhenAny(_marker.Task, exited, Task.Delay(timeout)).GetAwaiter().GetResult() == _marker.Task || _marker.Task.IsCompleted;
    }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Sends SIGKILL (no handler, no finally block, no flush runs) unless the process already ended; true if it was killed.
    /// </summary>
    public bool Kill()
    {
        if (_process.HasExited) return false;
        try { _process.Kill(); }
        catch (InvalidOperationException) { return false; } // it ended between the check and the signal
        _process.WaitForExit();
        return true;
    }

    /// <summary>Waits for the end (killing the process if <paramref name="timeout"/> passes) and returns what it printed.</summary>
    public CliResult WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill();
            _process.WaitForExit();
            Assert.Fail($"deepspike did not finish within {timeout}:\n{Output()}");
        }
        _process.WaitForExit(); // drains the redirected streams
        return Output();
    }

    private CliResult Output()
    {
        string stdout, stderr;
        lock (_stdout) stdout = _stdout.ToString();
        lock (_stderr) stderr = _stderr.ToString();
        return new CliResult(_process.HasExited ? _process.ExitCode : -1, stdout, stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
