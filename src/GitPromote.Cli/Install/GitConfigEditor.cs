using GitPromote.Cli.Infrastructure;
using GitPromote.Git;

namespace GitPromote.Cli.Install;

public enum ConfigScope { Local, Global, System }

/// <summary>Reads and writes git config through the git CLI, so includes and scopes behave exactly as git's own.</summary>
public sealed class GitConfigEditor(string workingDirectory, ConfigScope scope)
{
    private string ScopeFlag => scope switch
    {
        ConfigScope.Global => "--global",
        ConfigScope.System => "--system",
        _ => "--local",
    };

    public string? Get(string key)
    {
        var r = Run(["config", ScopeFlag, "--get", key]);
        return r.ExitCode == 0 ? r.StdoutText.TrimEnd('\n', '\r') : null;
    }

    public void Set(string key, string value) => Check(Run(["config", ScopeFlag, key, value]), $"set {key}");

    public void Unset(string key)
    {
        var r = Run(["config", ScopeFlag, "--unset-all", key]);
        // 5: the key was not there, which is what we wanted.
        if (r.ExitCode is not (0 or 5)) Check(r, $"unset {key}");
    }

    private GitResult Run(IReadOnlyList<string> args)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return GitProcess.Default.Run(workingDirectory, args, null, deadline.Token);
    }

    private static void Check(GitResult r, string what)
    {
        if (r.ExitCode != 0)
            throw new CommandFailedException(ExitCodes.Internal, $"git config could not {what}: {r.Stderr.Trim()}");
    }
}
