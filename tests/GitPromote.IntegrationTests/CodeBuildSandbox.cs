using System.Diagnostics;
using System.Text;

namespace GitPromote.IntegrationTests;

/// <summary>
/// A build run as CodeBuild Lambda compute runs a buildspec 0.2 phase, with what its images document and nothing more:
/// <list type="bullet">
/// <item>one shell for every command, in order, stopping at the first that fails;</item>
/// <item>a <c>PATH</c> holding only <see cref="DocumentedTools"/>, as symlinks in a folder of their own (no <c>find</c>);</item>
/// <item>no privilege: every capability dropped (Lambda runs no root tools), and every mount read-only except a temporary
/// folder standing for <c>/tmp</c>, the only place Lambda compute lets a build write;</item>
/// <item>only the variables given (the project's, the pipeline action's, CodeBuild's own), and a 15-minute deadline.</item>
/// </list>
/// The privilege drop and the read-only mounts need a mount namespace: as root, <c>unshare --mount</c>; otherwise an
/// unprivileged user namespace (<c>unshare --map-root-user --mount</c>). Without either the run fails, it never falls back.
/// </summary>
public sealed class CodeBuildSandbox : IDisposable
{
    /// <summary>Lambda compute stops a build after 15 minutes (CodeBuild user guide, "Limitations of AWS Lambda compute").</summary>
    public static readonly TimeSpan LambdaLimit = TimeSpan.FromMinutes(15);

    /// <summary>
    /// GNU coreutils' programs: the Lambda base images are Amazon Linux 2023 minimal, whose coreutils-single package
    /// carries all of them (and bash). <c>find</c> and <c>xargs</c> are findutils, which that image does not have
    /// (aws/aws-lambda-base-images#173), and which several al-lambda Dockerfiles (nodejs20, python3.12, corretto21,
    /// dotnet8) do not install.
    /// </summary>
    public static readonly IReadOnlyList<string> CoreUtils =
    [
        "[", "b2sum", "base32", "base64", "basename", "basenc", "cat", "chgrp", "chmod", "chown", "cksum", "comm", "cp", "csplit", "cut", "date",
        "dd", "df", "dir", "dircolors", "dirname", "du", "echo", "env", "expand", "expr", "factor", "false", "fmt", "fold", "groups", "head",
        "hostid", "id", "install", "join", "link", "ln", "logname", "ls", "md5sum", "mkdir", "mkfifo", "mknod", "mktemp", "mv", "nice", "nl",
        "nohup", "nproc", "numfmt", "od", "paste", "pathchk", "pr", "printenv", "printf", "ptx", "pwd", "readlink", "realpath", "rm", "rmdir",
        "seq", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "shred", "shuf", "sleep", "sort", "split", "stat", "stdbuf", "stty",
        "sum", "sync", "tac", "tail", "tee", "test", "timeout", "touch", "tr", "true", "truncate", "tsort", "tty", "uname", "unexpand", "uniq",
        "unlink", "vdir", "wc", "whoami", "yes",
    ];

    /// <summary>
    /// What every al-lambda x86_64 Dockerfile the construct accepts installs on top (aws/aws-codebuild-docker-images,
    /// al-lambda/x86_64/*/Dockerfile): tar, gzip and which from its dnf list, git built from source, the AWS CLI v2.
    /// </summary>
    public static readonly IReadOnlyList<string> ImageTools = ["bash", "tar", "gzip", "which", "git", "aws"];

    public static IReadOnlyList<string> DocumentedTools { get; } = [.. CoreUtils, .. ImageTools];

    private readonly TestSupport.TempDirectory _root = new();

    public CodeBuildSandbox()
    {
        Tmp = Directory.CreateDirectory(Path.Combine(_root.Path, "tmp")).FullName;
        Tools = Directory.CreateDirectory(Path.Combine(_root.Path, "tools")).FullName;
        SourceDirectory = Directory.CreateDirectory(Path.Combine(Tmp, "codebuild", "output", "src", "src")).FullName;
        File.WriteAllText(Path.Combine(SourceDirectory, "README.md"), "the commit's files, as the source artifact holds them\n");
        foreach (var tool in DocumentedTools)
        {
            if (Resolve(tool) is { } path) File.CreateSymbolicLink(Path.Combine(Tools, tool), path);
            else if (ImageTools.Contains(tool)) throw new InvalidOperationException($"{tool} is not installed here; the sandbox needs it");
        }
        // Amazon Linux's /bin/sh is bash.
        File.CreateSymbolicLink(Path.Combine(Tools, "sh"), Resolve("bash")!);
        // The sandbox is entered through the host's unshare and setpriv, and the setup script runs before the drop; the
        // folders above must be readable by a user namespace's mapped user as well.
        if (!OperatingSystem.IsWindows())
            foreach (var dir in new[] { _root.Path, Tmp, Tools })
                File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
    }

    /// <summary>Stands for <c>/tmp</c>: the one folder the build may write (its <c>TMPDIR</c> and <c>HOME</c>).</summary>
    public string Tmp { get; }

    /// <summary>The build's <c>PATH</c>: a symlink per documented tool.</summary>
    public string Tools { get; }

    /// <summary>CODEBUILD_SRC_DIR: where CodeBuild unpacks the source artifact, under /tmp on Lambda compute.</summary>
    public string SourceDirectory { get; }

    /// <summary>
    /// Runs <paramref name="commands"/> as one buildspec phase with exactly <paramref name="variables"/> (plus PATH, HOME,
    /// TMPDIR and CODEBUILD_SRC_DIR, set here).
    /// </summary>
    public Run Run(IReadOnlyList<string> commands, IReadOnlyDictionary<string, string?> variables, TimeSpan? deadline = null)
    {
        var script = new StringBuilder();
        for (var i = 0; i < commands.Count; i++)
        {
            // Each command as CodeBuild runs it: in the phase's one shell; a failing command ends the phase.
            script.Append("{ ").Append(commands[i]).Append("\n}\n");
            script.Append($"__status=$?; if [ \"$__status\" -ne 0 ]; then echo \"[sandbox] command {i + 1} of {commands.Count} exited $__status\" >&2; ")
                .Append("exit \"$__status\"; fi\n");
        }
        var build = Path.Combine(_root.Path, "build-" + Guid.NewGuid().ToString("N")[..8] + ".sh");
        File.WriteAllText(build, script.ToString());
        var setup = Path.Combine(_root.Path, "enter.sh");
        File.WriteAllText(setup, EnterScript);

        var start = new ProcessStartInfo("unshare")
        {
            WorkingDirectory = SourceDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (!IsRoot) start.ArgumentList.Add("--map-root-user");
        foreach (var a in new[] { "--mount", "--propagation", "private", "--", "sh", setup, Tmp }) start.ArgumentList.Add(a);
        var environment = new SortedDictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PATH"] = Tools,
            ["HOME"] = Tmp,
            ["TMPDIR"] = Tmp,
            ["CODEBUILD_SRC_DIR"] = SourceDirectory,
        };
        foreach (var (k, v) in variables) environment[k] = v;
        foreach (var (k, v) in environment.Where(e => e.Value is not null)) start.ArgumentList.Add($"{k}={v}");
        start.ArgumentList.Add(Path.Combine(Tools, "sh"));
        start.ArgumentList.Add(build);

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = deadline ?? LambdaLimit;
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the build did not finish within {limit.TotalMinutes:0} minutes (Lambda compute's limit)");
        }
        process.WaitForExit();
        var run = new Run(process.ExitCode, stdout.Result, stderr.Result);
        if (run.Stderr.Contains("[sandbox-enter]", StringComparison.Ordinal))
            throw new InvalidOperationException("the sandbox could not be entered (it needs root or unprivileged user namespaces):\n" + run.Stderr);
        return run;
    }

    private static bool IsRoot =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0";

    /// <summary>
    /// Runs in the new mount namespace with the host's tools: makes every mount read-only but the /tmp stand-in (proc and
    /// sys stay as they are), then drops every capability and starts the build with only the given variables.
    /// </summary>
    private const string EnterScript = """
        set -u
        tmp=$1; shift
        fail() { echo "[sandbox-enter] $*" >&2; exit 125; }
        mount --make-rprivate / 2>/dev/null
        mount --bind "$tmp" "$tmp" || fail "cannot bind $tmp"
        for m in $(awk '{print $5}' /proc/self/mountinfo | sort -ru); do
          case "$m" in "$tmp"|/proc|/proc/*|/sys|/sys/*) continue ;; esac
          mount -o remount,bind,ro "$m" 2>/dev/null || fail "cannot make $m read-only"
        done
        mount -o remount,bind,rw "$tmp" || fail "cannot keep $tmp writable"
        exec setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- env -i "$@"
        """;

    /// <summary>The program <paramref name="name"/> on this machine's PATH, a pyenv shim followed to the program it runs.</summary>
    private static string? Resolve(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (!File.Exists(candidate)) continue;
            if (dir.EndsWith("/.pyenv/shims", StringComparison.Ordinal)) return PyenvWhich(name);
            return candidate;
        }
        return null;
    }

    private static string? PyenvWhich(string name)
    {
        var start = new ProcessStartInfo("pyenv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("which");
        start.ArgumentList.Add(name);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 && output.Length > 0 ? output : null;
    }

    public void Dispose() => _root.Dispose();
}
