using GitPromote.Git;

namespace GitPromote.Cli.Infrastructure;

public enum ConfigScope { Local, Global, System }

/// <summary>
/// Writes git config at one level through the git CLI, so includes and scopes behave exactly as git's own; reads that
/// level through <see cref="GitConfig"/> (its own file, includes not followed, as <c>git config --local --get</c>).
/// </summary>
public sealed class GitConfigEditor(string workingDirectory, ConfigScope scope, GitProcess git) : IGitConfigWriter
{
    private readonly GitProcess _git = git;

    private string ScopeFlag => scope switch
    {
        ConfigScope.Global => "--global",
        ConfigScope.System => "--system",
        _ => "--local",
    };

    public string? Get(string key) =>
        GitConfig.FromGit(_git, workingDirectory, [], [ScopeFlag], GitBudgets.Setup).Last(key) is { } entry ? entry.Value ?? "" : null;

    public void Set(string key, string value) => Check(Run(["config", ScopeFlag, key, value]), $"set {key}");

    public void Unset(string key)
    {
        var r = Run(["config", ScopeFlag, "--unset-all", key]);
        // 5: the key was not there, which is what we wanted.
        if (r.ExitCode is not (0 or 5)) Check(r, $"unset {key}");
    }

    private GitResult Run(IReadOnlyList<string> args)
    {
        using var deadline = new CancellationTokenSource(GitBudgets.Setup);
        return _git.Run(workingDirectory, args, null, deadline.Token);
    }

    private static void Check(GitResult r, string what)
    {
        if (r.ExitCode != 0)
            throw new CommandFailedException(ExitCodes.Internal, $"git config could not {what}: {r.Stderr.Trim()}");
    }
}
