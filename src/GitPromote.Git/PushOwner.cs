using System.Globalization;
using GitPromote.Platform;

namespace GitPromote.Git;

/// <summary>
/// The <c>git receive-pack</c> process that receives one push: it runs the push's pre-receive hook and, later, the
/// reference-transaction hooks of the same push, so (pid, start time) names that push in both. Found by walking up
/// from this process through <c>/proc</c> (Linux, where servers run the guard); null elsewhere or outside a push.
/// </summary>
public sealed record PushOwner(int Pid, long StartTime)
{
    private const int MaxDepth = 4;

    public override string ToString() => $"{Pid}:{StartTime}";

    public static PushOwner? Parse(string? text)
    {
        var colon = text?.IndexOf(':') ?? -1;
        if (colon <= 0) return null;
        return int.TryParse(text![..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new PushOwner(pid, start) : null;
    }

    /// <summary>The nearest ancestor of this process that is <c>git receive-pack</c>, read from <paramref name="files"/>' <c>/proc</c>.</summary>
    public static PushOwner? OfThisPush(IFileSystem files)
    {
        var pid = Environment.ProcessId;
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            if (Stat(files, pid) is not { } stat || stat.ParentPid <= 1) return null;
            pid = stat.ParentPid;
            if (IsReceivePack(files, pid) && Stat(files, pid) is { } parent) return new PushOwner(pid, parent.StartTime);
        }
        return null;
    }

    /// <summary>True while the process that received the push still runs (the same process: its start time matches).</summary>
    public bool IsAlive(IFileSystem files) => Stat(files, Pid) is { } stat && stat.StartTime == StartTime;

    private static bool IsReceivePack(IFileSystem files, int pid)
    {
        try
        {
            var args = files.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            return args.Length > 0 && (Path.GetFileName(args[0]).EndsWith("receive-pack", StringComparison.Ordinal)
                || args.Length > 1 && args[1] == "receive-pack");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Parent pid and start time (clock ticks since boot) from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    private static (int ParentPid, long StartTime)? Stat(IFileSystem files, int pid)
    {
        string text;
        try { text = files.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // "pid (comm) state ppid ..." where comm may hold spaces and parentheses: fields count from the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field n is fields[n - 3]: ppid is field 4, starttime field 22.
        if (fields.Length < 20) return null;
        return int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid)
            && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? (ppid, start) : null;
    }
}
