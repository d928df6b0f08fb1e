using System.Text;
using GitPromote.Platform;

namespace GitPromote.Cli.Hooks;

/// <summary>
/// Whether the push running this pre-push hook is a dry run (<c>git push --dry-run</c>, <c>-n</c>). git runs pre-push for a
/// dry run too and does not tell the hook, so the hook reads the command line of the <c>git push</c> among its nearest
/// ancestors (its parent, or a hook manager's parent): <c>/proc/&lt;pid&gt;/cmdline</c> on Linux, <c>ps</c> on macOS and the
/// BSDs. Bounded (a few ancestors, small reads, a short wait for <c>ps</c>) and fail-safe: null when it cannot tell, and
/// the caller then does what it did before it asked (a bypass is recorded).
/// </summary>
public static class GitPushDryRun
{
    /// <summary>How many processes up from this one are looked at: the hook, a shell or hook manager or two, git.</summary>
    public const int MaxAncestors = 6;

    private const int MaxCommandLineBytes = 64 * 1024;

    /// <summary>True for a dry run, false for a push for real, null when no <c>git push</c> was found among the ancestors.</summary>
    /// <param name="files">Where <c>/proc</c> is read.</param>
    /// <param name="processes">Where <c>ps</c> runs, without <c>/proc</c>.</param>
    public static bool? OfThisProcess(IFileSystem files, IProcessStarter processes)
    {
        try
        {
            Func<int, (int Parent, string[] Args)?>? read = files.FileExists("/proc/self/stat") ? pid => ReadProc(files, pid)
                : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? pid => ReadPs(processes, pid) : null;
            return read is null ? null : Detect(Environment.ProcessId, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Walks up from <paramref name="pid"/> (itself first) to the first <c>git push</c>; null when there is none within the bound.</summary>
    /// <param name="read">A process's parent and arguments, or null when they cannot be read.</param>
    public static bool? Detect(int pid, Func<int, (int Parent, string[] Args)?> read)
    {
        var seen = new HashSet<int>();
        for (var i = 0; i <= MaxAncestors && pid > 1 && seen.Add(pid); i++)
        {
            (int Parent, string[] Args)? process;
            try
            {
                process = read(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException
                or System.ComponentModel.Win32Exception)
            {
                return null;
            }
            if (process is not { } p) return null;
            if (FromArguments(p.Args) is { } dryRun) return dryRun;
            pid = p.Parent;
        }
        return null;
    }

    /// <summary>Global options of git that take their value as the next argument.</summary>
    private static readonly HashSet<string> GlobalWithValue = new(StringComparer.Ordinal) { "-c", "-C", "--git-dir", "--work-tree", "--namespace",
        "--config-env", "--super-prefix", "--list-cmds" };

    /// <summary>Options of <c>git push</c> that take their value as the next argument (when not written with <c>=</c>).</summary>
    private static readonly HashSet<string> PushWithValue = new(StringComparer.Ordinal) { "-o", "--push-option", "--repo", "--receive-pack", "--exec",
        "--recurse-submodules" };

    /// <summary>
    /// For the arguments of a <c>git ... push ...</c> command: whether it is a dry run (the last of <c>--dry-run</c>, <c>-n</c> in a
    /// bundle of short options, and <c>--no-dry-run</c> wins). Null when the arguments are not a <c>git push</c> (an alias, another program).
    /// </summary>
    public static bool? FromArguments(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return null;
        var program = Path.GetFileName(args[0].Replace('\\', '/'));
        if (program is not ("git" or "git.exe")) return null;
        var i = 1;
        while (i < args.Count && args[i].StartsWith('-'))
        {
            i += GlobalWithValue.Contains(args[i]) ? 2 : 1;
        }
        if (i >= args.Count || args[i] != "push") return null;
        var dryRun = false;
        for (i++; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--") break;
            if (a == "--dry-run") dryRun = true;
            else if (a == "--no-dry-run") dryRun = false;
            else if (PushWithValue.Contains(a)) i++;
            else if (a.Length > 1 && a[0] == '-' && a[1] != '-')
            {
                // A bundle of short options (-fn); -o takes the rest of the bundle as its value.
                foreach (var c in a[1..])
                {
                    if (c == 'o') break;
                    if (c == 'n') dryRun = true;
                }
            }
        }
        return dryRun;
    }

    /// <summary>
    /// Linux: <c>/proc/&lt;pid&gt;/stat</c> for the parent (after the command name, which may hold spaces and parentheses) and
    /// <c>cmdline</c>.
    /// </summary>
    private static (int Parent, string[] Args)? ReadProc(IFileSystem files, int pid)
    {
        var stat = files.ReadAllText($"/proc/{pid}/stat");
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2 || !int.TryParse(fields[1], out var parent)) return null;
        var args = Encoding.UTF8.GetString(files.ReadBytes($"/proc/{pid}/cmdline", MaxCommandLineBytes)).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        return (parent, args);
    }

    /// <summary>macOS and the BSDs: <c>ps -o ppid=,args= -p PID</c>, arguments split on spaces (enough to find options).</summary>
    private static (int Parent, string[] Args)? ReadPs(IProcessStarter processes, int pid)
    {
        var ps = processes.Run(new ProcessRun("ps", ["-o", "ppid=,args=", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            CaptureOutput = true,
            Timeout = TimeSpan.FromSeconds(2),
        });
        if (ps.TimedOut) return null;
        var text = ps.Output.Trim();
        if (text.Length > MaxCommandLineBytes) text = text[..MaxCommandLineBytes];
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && int.TryParse(parts[0], out var parent) ? (parent, parts[1..]) : null;
    }
}
