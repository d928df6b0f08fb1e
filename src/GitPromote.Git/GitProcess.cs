using System.ComponentModel;
using System.Diagnostics;
using GitPromote.Core;
using GitPromote.Core.Diagnostics;
using GitPromote.Core.Evidence;

namespace GitPromote.Git;

/// <summary>
/// Runs the git CLI the safe way: an argument list (never a shell string), stdin closed or given bytes, stdout and
/// stderr captured with caps, a deadline (the cancellation token) that kills the whole process tree, and an environment
/// that never lets git or a credential helper prompt. The caller's environment is otherwise inherited, on purpose:
/// inside a pre-receive hook it carries the quarantine (<c>GIT_OBJECT_DIRECTORY</c>, <c>GIT_ALTERNATE_OBJECT_DIRECTORIES</c>).
/// </summary>
public sealed class GitProcess
{
    public const int DefaultStdoutLimit = 64 * 1024 * 1024;
    public const int DefaultStderrLimit = 64 * 1024;

    private static readonly KeyValuePair<string, string?>[] NeverPrompt =
    [
        new("GIT_TERMINAL_PROMPT", "0"),
        new("GCM_INTERACTIVE", "never"),
        // Stable, untranslated messages: a few of them are matched (e.g. a transport that lacks --atomic).
        new("LC_ALL", "C"),
    ];

    public GitProcess(IReadOnlyDictionary<string, string?>? environment = null, string executable = "git")
    {
        Executable = executable;
        Environment = environment ?? new Dictionary<string, string?>();
    }

    public static GitProcess Default { get; } = new();

    public string Executable { get; }

    /// <summary>Variables set (or, with a null value, removed) for every git process, on top of the inherited environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    public int StdoutLimit { get; init; } = DefaultStdoutLimit;
    public int StderrLimit { get; init; } = DefaultStderrLimit;

    /// <summary>
    /// The environment a git started here runs with: this process's own (which a child inherits, whatever a caller's
    /// <c>IProcessEnvironment</c> says), with <see cref="Environment"/> on top.
    /// </summary>
    public IProcessEnvironment ChildEnvironment => new InheritedEnvironment(this);

    /// <summary>A copy with more environment variables (the later value wins).</summary>
    public GitProcess With(IReadOnlyDictionary<string, string?> environment)
    {
        var merged = new Dictionary<string, string?>(Environment, StringComparer.Ordinal);
        foreach (var (k, v) in environment) merged[k] = v;
        return new GitProcess(merged, Executable) { StdoutLimit = StdoutLimit, StderrLimit = StderrLimit };
    }

    /// <summary>
    /// Runs git and waits for it, synchronously: for quick local commands. No thread-pool work (a cold or busy pool would
    /// add milliseconds to every call): stdout is read on this thread, stderr (and a large stdin) on a short-lived thread.
    /// Throws <see cref="OperationCanceledException"/> when the deadline passes. Remote commands use <see cref="RunAsync"/>.
    /// </summary>
    public GitResult Run(string? workingDirectory, IReadOnlyList<string> arguments, byte[]? stdin = null, CancellationToken cancellationToken = default)
    {
        var started = CallTrace.Begin();
        try
        {
            return Traced(arguments, started, RunProcess(workingDirectory, arguments, stdin, cancellationToken));
        }
        catch (Exception e) when (TraceFailure(arguments, started, e))
        {
            throw; // not reached: the filter only traces
        }
    }

    private GitResult RunProcess(string? workingDirectory, IReadOnlyList<string> arguments, byte[]? stdin, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var process = Start(workingDirectory, arguments);
        using var deadline = cancellationToken.Register(() => Kill(process));

        var input = process.StandardInput.BaseStream;
        Thread? writer = null;
        if (stdin is { Length: > SmallStdin })
        {
            writer = new Thread(() => WriteStdin(input, stdin)) { IsBackground = true, Name = "git stdin" };
            writer.Start();
        }
        else
        {
            // Fits in any pipe buffer: written before git even reads, so it cannot block on git's output.
            WriteStdin(input, stdin);
        }

        var stderr = new Capture([], false);
        var errorReader = new Thread(() => stderr = ReadCapped(process.StandardError.BaseStream, StderrLimit, stopAtLimit: false))
        {
            IsBackground = true,
            Name = "git stderr",
        };
        errorReader.Start();
        var stdout = ReadCapped(process.StandardOutput.BaseStream, StdoutLimit, stopAtLimit: true);
        if (stdout.Overflowed) Kill(process);
        errorReader.Join();
        writer?.Join();
        process.WaitForExit();
        return Finish(process, arguments, stdout, stderr, cancellationToken);
    }

    /// <summary>
    /// Runs git asynchronously; for remote commands. Reads are cancellable, so a grandchild that keeps a pipe open (an ssh
    /// control master, say) cannot hold the call past its deadline.
    /// </summary>
    public async Task<GitResult> RunAsync(string? workingDirectory, IReadOnlyList<string> arguments, byte[]? stdin = null,
        CancellationToken cancellationToken = default)
    {
        var started = CallTrace.Begin();
        try
        {
            return Traced(arguments, started, await RunProcessAsync(workingDirectory, arguments, stdin, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (TraceFailure(arguments, started, e))
        {
            throw; // not reached: the filter only traces
        }
    }

    private async Task<GitResult> RunProcessAsync(string? workingDirectory, IReadOnlyList<string> arguments, byte[]? stdin,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var process = Start(workingDirectory, arguments);
        using var pipes = new CancellationTokenSource();
        // At the deadline: kill the tree and stop reading at once. Waiting for EOF would wait on whatever still holds the
        // pipes (a grandchild that left the tree, an ssh control master): the deadline is the caller's whole budget.
        using var deadline = cancellationToken.Register(() =>
        {
            Kill(process);
            pipes.Cancel();
        });

        var stdoutTask = ReadCappedAsync(process.StandardOutput.BaseStream, StdoutLimit, stopAtLimit: true, pipes.Token);
        var stderrTask = ReadCappedAsync(process.StandardError.BaseStream, StderrLimit, stopAtLimit: false, pipes.Token);
        var stdinTask = WriteStdinAsync(process.StandardInput.BaseStream, stdin, pipes.Token);

        Capture stdout, stderr;
        try
        {
            stdout = await stdoutTask.ConfigureAwait(false);
            if (stdout.Overflowed) Kill(process);
            stderr = await stderrTask.ConfigureAwait(false);
            await stdinTask.ConfigureAwait(false);
            await process.WaitForExitAsync(pipes.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Deadline.Passed(e, cancellationToken))
        {
            throw TimedOut(arguments, cancellationToken);
        }
        return Finish(process, arguments, stdout, stderr, cancellationToken);
    }

    /// <summary>The longest command line a trace line shows; past it, "...".</summary>
    private const int MaxTracedCommand = 300;

    private static GitResult Traced(IReadOnlyList<string> arguments, long started, GitResult result)
    {
        if (started != 0) CallTrace.End(TracedCommand(arguments), started, $"exit {result.ExitCode}");
        return result;
    }

    /// <summary>Traces a git that ended without an exit code; always false, so the exception goes on unchanged.</summary>
    private static bool TraceFailure(IReadOnlyList<string> arguments, long started, Exception e)
    {
        if (started != 0)
            CallTrace.End(TracedCommand(arguments), started, e is OperationCanceledException ? "timed out"
                : $"failed: {(e is GitCommandException ? e.Message : e.GetType().Name)}");
        return false;
    }

    /// <summary>"git ls-remote https://host/repo.git": URLs without their credentials, a header setting without its value.</summary>
    internal static string TracedCommand(IReadOnlyList<string> arguments)
    {
        var shown = arguments.Select(a => a.Contains("extraheader", StringComparison.OrdinalIgnoreCase)
            ? a[..(a.IndexOf('=') is var eq and >= 0 ? eq + 1 : a.Length)] + "<redacted>" : a);
        var command = SecretRedactor.RedactUrls("git " + string.Join(' ', shown));
        return command.Length <= MaxTracedCommand ? command : command[..MaxTracedCommand] + "...";
    }

    // At most what any pipe buffer holds (Windows: 4 KiB), so writing it whole can never wait for git.
    private const int SmallStdin = 4 * 1024;

    private Process Start(string? workingDirectory, IReadOnlyList<string> arguments)
    {
        var process = new Process { StartInfo = StartInfo(workingDirectory, arguments) };
        try
        {
            process.Start();
            return process;
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new GitCommandException($"git could not be started ({Executable}): {e.Message}", -1, "");
        }
    }

    private GitResult Finish(Process process, IReadOnlyList<string> arguments, Capture stdout, Capture stderr, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) throw TimedOut(arguments, cancellationToken);
        if (stdout.Overflowed)
        {
            throw new GitCommandException(
                $"git {GitErrors.Subcommand(arguments)} produced more than {Size(StdoutLimit)} of output; stopped", -1, "");
        }
        return new GitResult(arguments, process.ExitCode, stdout.Bytes, System.Text.Encoding.UTF8.GetString(stderr.Bytes));
    }

    private ProcessStartInfo StartInfo(string? workingDirectory, IReadOnlyList<string> arguments)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        foreach (var (k, v) in NeverPrompt) psi.Environment[k] = v;
        foreach (var (k, v) in Environment)
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        return psi;
    }

    private static string Size(int bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : bytes >= 1024 ? $"{bytes / 1024} KiB" : $"{bytes} bytes";

    private static OperationCanceledException TimedOut(IReadOnlyList<string> arguments, CancellationToken token) =>
        new($"git {GitErrors.Subcommand(arguments)}: {Core.Evidence.EvidenceFailure.NoAnswerInTime()}, so it was stopped", token);

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    private static async Task WriteStdinAsync(Stream stream, byte[]? stdin, CancellationToken token)
    {
        try
        {
            if (stdin is { Length: > 0 }) await stream.WriteAsync(stdin, token).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // git exited before reading everything (it died, or needed no more): its exit code tells the story.
        }
        finally
        {
            try { stream.Dispose(); } catch (IOException) { }
        }
    }

    private static void WriteStdin(Stream stream, byte[]? stdin)
    {
        try
        {
            if (stdin is { Length: > 0 }) stream.Write(stdin);
        }
        catch (IOException)
        {
        }
        finally
        {
            try { stream.Dispose(); } catch (IOException) { }
        }
    }

    private readonly record struct Capture(byte[] Bytes, bool Overflowed);

    private static Capture ReadCapped(Stream stream, int limit, bool stopAtLimit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        var overflowed = false;
        try
        {
            while (true)
            {
                var n = stream.Read(chunk);
                if (n == 0) break;
                overflowed |= Keep(buffer, chunk, n, limit);
                if (overflowed && stopAtLimit) break;
            }
        }
        catch (IOException)
        {
            // The pipe went away with the process (killed at its deadline).
        }
        return new Capture(buffer.ToArray(), overflowed);
    }

    /// <summary>Appends what fits under <paramref name="limit"/>; true when something did not fit.</summary>
    private static bool Keep(MemoryStream buffer, byte[] chunk, int n, int limit)
    {
        var room = (int)Math.Min(n, limit - buffer.Length);
        if (room > 0) buffer.Write(chunk, 0, room);
        return room < n;
    }

    private static async Task<Capture> ReadCappedAsync(Stream stream, int limit, bool stopAtLimit, CancellationToken token)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        var overflowed = false;
        while (true)
        {
            var n = await stream.ReadAsync(chunk, token).ConfigureAwait(false);
            if (n == 0) break;
            // Past the limit, keep draining (and dropping) so git never blocks on a full pipe, unless told to stop.
            overflowed |= Keep(buffer, chunk, n, limit);
            if (overflowed && stopAtLimit) break;
        }
        return new Capture(buffer.ToArray(), overflowed);
    }

    private sealed class InheritedEnvironment(GitProcess git) : IProcessEnvironment
    {
        public string? Get(string name) => git.Environment.TryGetValue(name, out var v) ? v : System.Environment.GetEnvironmentVariable(name);

        public string CurrentDirectory => System.Environment.CurrentDirectory;
    }
}
