namespace GitPromote.Platform;

/// <summary>
/// Programs other than git (git runs through <c>GitPromote.Git.GitProcess</c>): a hook chained after the guard, the
/// demo's steps, <c>ps</c>. Each is run to its end, or its time limit.
/// </summary>
public interface IProcessStarter
{
    /// <summary>
    /// Runs <paramref name="run"/> and waits for it. Throws <see cref="System.ComponentModel.Win32Exception"/> when it cannot
    /// be started (no such program, not executable).
    /// </summary>
    ProcessResult Run(ProcessRun run);
}

/// <summary>One program to run: its path (or a name looked up on PATH) and arguments, as a list, never a shell string.</summary>
public sealed record ProcessRun(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>Where it runs; null: this process's working directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set (or, with a null value, removed) on top of this process's environment.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>
    /// Its standard input: these bytes, then closed (empty: closed at once); null: this process's own. A program that exits
    /// without reading them all is not an error.
    /// </summary>
    public byte[]? Input { get; init; }

    /// <summary>True: its standard output and error are captured (<see cref="ProcessResult"/>); false: they are this process's own.</summary>
    public bool CaptureOutput { get; init; }

    /// <summary>How long it may take; after that it is killed, with its children (<see cref="ProcessResult.TimedOut"/>). Null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>How a program ended; its output when it was captured. A program killed at its time limit has no exit code or output.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error, bool TimedOut);
