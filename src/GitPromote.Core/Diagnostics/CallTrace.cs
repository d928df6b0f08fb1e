using System.Diagnostics;
using GitPromote.Core.Settings;

namespace GitPromote.Core.Diagnostics;

/// <summary>
/// PROMOTE_TRACE: one line per call to the outside world (a git process, an AWS request), written when it ends, with how
/// long it took and how it ended: what an operator needs when a push is slow. Off unless the edge turns it on with a
/// sink (the CLI's stderr, which sanitizes); the callers say what ran without credentials. Off, it costs one read.
/// </summary>
public static class CallTrace
{
    public const string Variable = PromoteSettings.Variables.Trace;

    private static Action<string>? _sink;

    public static bool Enabled => Volatile.Read(ref _sink) is not null;

    /// <summary>Sends trace lines to <paramref name="sink"/> (null: off). The sink may be called from several threads at once.</summary>
    public static void SendTo(Action<string>? sink) => Volatile.Write(ref _sink, sink);

    /// <summary>A start time for <see cref="End"/>; 0 when tracing is off.</summary>
    public static long Begin() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>"git-promote: trace: git ls-remote origin: 48 ms, exit 0".</summary>
    public static void End(string what, long started, string outcome)
    {
        if (Volatile.Read(ref _sink) is not { } sink || started == 0) return;
        var ms = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        sink($"git-promote: trace: {what}: {ms} ms, {outcome}");
    }
}
