using System.Diagnostics;

namespace GitPromote.Core.Diagnostics;

/// <summary>
/// PROMOTE_TRACE: one line per call to the outside world (a git process, an AWS request), written when it ends, with how
/// long it took and how it ended: what an operator needs when a push is slow. Off unless the edge turns it on with a
/// sink (the CLI's stderr, which sanitizes); the callers say what ran without credentials. Off, it costs one read.
/// The sink belongs to the run that set it (its command context), not to the process: it flows with that run's calls,
/// so two runs in one process (tests) never see each other's lines.
/// </summary>
public static class CallTrace
{
    private static readonly AsyncLocal<Action<string>?> Sink = new();

    public static bool Enabled => Sink.Value is not null;

    /// <summary>
    /// Sends the trace lines of this run (the calling flow and everything it starts) to <paramref name="sink"/> until the
    /// returned scope is disposed. The sink may be called from several threads at once.
    /// </summary>
    public static IDisposable SendTo(Action<string> sink)
    {
        var previous = Sink.Value;
        Sink.Value = sink;
        return new Scope(previous);
    }

    private sealed class Scope(Action<string>? previous) : IDisposable
    {
        public void Dispose() => Sink.Value = previous;
    }

    /// <summary>A start time for <see cref="End"/>; 0 when tracing is off.</summary>
    public static long Begin() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>"git-promote: trace: git ls-remote origin: 48 ms, exit 0".</summary>
    public static void End(string what, long started, string outcome)
    {
        if (Sink.Value is not { } sink || started == 0) return;
        var ms = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        sink($"git-promote: trace: {what}: {ms} ms, {outcome}");
    }
}
