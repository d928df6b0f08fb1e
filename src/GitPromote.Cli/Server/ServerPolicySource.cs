using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Policy;
using GitPromote.Git;

namespace GitPromote.Cli.Server;

/// <summary>A policy the server may trust, or why there is none (then every push is refused).</summary>
public sealed record TrustedPolicy(LoadedPolicy? Loaded, string? Problem, string? Todo);

/// <summary>
/// Where the server's policy comes from: the file the admin named (<c>promote.policy</c>), or <c>.promote.yml</c> on the
/// branch pinned at install (<c>promote.policyRef</c>) as it is before this push. Never from the commits being pushed:
/// during pre-receive the refs still hold their old values, and only refs are read here, so a push that edits the
/// policy is judged by the old one. Never from a branch a pusher could create: a missing policy branch refuses every
/// push instead of falling back to another. Messages name settings, never the server's file paths (pushers read them).
/// </summary>
public static class ServerPolicySource
{
    /// <summary>How a policy file is named to pushers: by its setting, not by its path on the server.</summary>
    public const string FileDisplayName = "the server's policy (git config " + ServerSettings.PolicyKey + ")";

    public static TrustedPolicy Load(IGitRepository repository, ServerSettings settings, string defaultName) =>
        settings.PolicyFile is { } file ? FromFile(file, defaultName)
        : settings.PolicyRef is { } pinned ? FromBranch(repository, pinned, $"the policy branch pinned at install (git config {ServerSettings.PolicyRefKey})", defaultName)
        : HeadTarget(repository.GitDir) is { } head ? FromBranch(repository, head, "the branch HEAD names", defaultName)
        : new TrustedPolicy(null, "no policy: HEAD names no branch, and no policy is pinned", InstallTodo);

    private const string InstallTodo = "ask the server admin to pin one: git promote install --server --env <env> [--policy FILE]";

    private static TrustedPolicy FromFile(string path, string defaultName)
    {
        const string todo = "ask the server admin to fix git config " + ServerSettings.PolicyKey;
        if (!Path.IsPathFullyQualified(path))
            return new TrustedPolicy(null, $"git config {ServerSettings.PolicyKey} must be an absolute path", todo);
        var info = new FileInfo(path);
        if (!info.Exists)
            return new TrustedPolicy(null, $"{FileDisplayName} does not exist", todo);
        if (info.Length > PolicyLoader.MaxBytes)
            return new TrustedPolicy(null, $"{FileDisplayName} is larger than {PolicyLoader.MaxBytes} bytes", todo);
        string text;
        try { text = Git.RegularFiles.ReadText(path, path, PolicyLoader.MaxBytes) ?? ""; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new TrustedPolicy(null, $"{FileDisplayName} cannot be read ({e.GetType().Name})", todo);
        }
        return new TrustedPolicy(PolicySource.FromText(text, FileDisplayName, defaultName), null, null);
    }

    /// <summary>
    /// The policy on <paramref name="branch"/>. It must itself name that branch as a deploy branch: a policy on an
    /// unguarded branch could be rewritten by any push, so it is not trusted. A missing branch is no policy: a pusher
    /// could create it.
    /// </summary>
    internal static TrustedPolicy FromBranch(IGitRepository repository, string branch, string what, string defaultName)
    {
        var shortName = Core.Push.RefNames.Short(branch);
        // One read in the common case; only a missing file needs the second look (no branch, or a branch without it).
        var text = repository.ReadFileAt(branch, PromotionPolicy.FileName);
        if (text is null && repository.ResolveCommit(branch) is null)
            return new TrustedPolicy(null, $"no policy: {what}, {shortName}, does not exist", InstallTodo + ", or push the branch first");
        if (text is null)
            return new TrustedPolicy(null, $"the deploy branch {shortName} has no {PromotionPolicy.FileName}", InstallTodo);
        if (text.Length > PolicyLoader.MaxBytes)
            return new TrustedPolicy(null, $"{shortName}:{PromotionPolicy.FileName} is larger than {PolicyLoader.MaxBytes} bytes", InstallTodo);
        var loaded = PolicySource.FromText(text, $"{shortName}:{PromotionPolicy.FileName}", defaultName);
        if (!EnvironmentRouter.IsDeployBranch(loaded.Policy, branch))
            return new TrustedPolicy(null,
                $"{shortName}:{PromotionPolicy.FileName} does not list {shortName} in 'branches', so it is not guarded and cannot be trusted", InstallTodo);
        return new TrustedPolicy(loaded, null, null);
    }

    /// <summary>The branch HEAD names (<c>ref: refs/heads/x</c>); null when HEAD is detached or unreadable.</summary>
    internal static string? HeadTarget(string gitDir)
    {
        try
        {
            var path = Path.Combine(gitDir, "HEAD");
            if (new FileInfo(path).Length > 1024) return null;
            var line = File.ReadAllText(path).Trim();
            const string prefix = "ref: ";
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) return null;
            var target = line[prefix.Length..].Trim();
            return target.StartsWith("refs/heads/", StringComparison.Ordinal) && !target.Any(char.IsControl) ? target : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
