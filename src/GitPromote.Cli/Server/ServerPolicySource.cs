using GitPromote.Cli.Output;
using GitPromote.Cli.Services;
using GitPromote.Core.Engine;
using GitPromote.Core.Policy;
using GitPromote.Git;

namespace GitPromote.Cli.Server;

/// <summary>A policy the server may trust, or why there is none (then every push is refused).</summary>
public sealed record TrustedPolicy(LoadedPolicy? Loaded, string? Problem, string? Todo);

/// <summary>
/// Where the server's policy comes from: the file the admin named (<c>promote.policy</c>), or <c>.promote.yml</c> on
/// the deploy branch as it is before this push. Never from the commits being pushed: during pre-receive the refs
/// still hold their old values, and only refs are read here, so a push that edits the policy is judged by the old one.
/// </summary>
public static class ServerPolicySource
{
    private const string Fallback = "refs/heads/main";

    public static TrustedPolicy Load(IGitRepository repository, ServerSettings settings, string defaultName) =>
        settings.PolicyFile is { } file ? FromFile(file, defaultName) : FromDeployBranch(repository, defaultName);

    private static TrustedPolicy FromFile(string path, string defaultName)
    {
        const string todo = "ask the server admin to fix git config " + ServerSettings.PolicyKey;
        if (!Path.IsPathFullyQualified(path))
            return new TrustedPolicy(null, $"git config {ServerSettings.PolicyKey} must be an absolute path, not '{path}'", todo);
        var info = new FileInfo(path);
        if (!info.Exists)
            return new TrustedPolicy(null, $"the policy file {path} (git config {ServerSettings.PolicyKey}) does not exist", todo);
        if (info.Length > PolicyLoader.MaxBytes)
            return new TrustedPolicy(null, $"the policy file {path} is larger than {PolicyLoader.MaxBytes} bytes", todo);
        string text;
        try { text = Git.RegularFiles.ReadText(path, path, PolicyLoader.MaxBytes) ?? ""; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new TrustedPolicy(null, $"the policy file {path} cannot be read ({e.Message})", todo);
        }
        return new TrustedPolicy(PolicySource.FromText(text, path, defaultName), null, null);
    }

    /// <summary>
    /// The deploy branch is the one the bare repository's HEAD names (main unless the admin pointed HEAD elsewhere),
    /// else main. The policy read there must itself name that branch as a deploy branch: a policy on an unguarded
    /// branch could be rewritten by any push, so it is not trusted.
    /// </summary>
    private static TrustedPolicy FromDeployBranch(IGitRepository repository, string defaultName)
    {
        var todo = "the server admin can name a policy file: git promote install --server --env <env> --policy FILE";
        var candidates = new[] { HeadTarget(repository.GitDir), Fallback }.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        foreach (var branch in candidates)
        {
            // One read in the common case; only a missing file needs the second look (no branch, or a branch without it).
            var text = repository.ReadFileAt(branch, PromotionPolicy.FileName);
            if (text is null && repository.ResolveCommit(branch) is null) continue;
            var shortName = VerdictRenderer.ShortRef(branch);
            if (text is null)
                return new TrustedPolicy(null, $"the deploy branch {shortName} has no {PromotionPolicy.FileName}", todo);
            if (text.Length > PolicyLoader.MaxBytes)
                return new TrustedPolicy(null, $"{shortName}:{PromotionPolicy.FileName} is larger than {PolicyLoader.MaxBytes} bytes", todo);
            var loaded = PolicySource.FromText(text, $"{shortName}:{PromotionPolicy.FileName}", defaultName);
            if (!EnvironmentRouter.IsDeployBranch(loaded.Policy, branch))
                return new TrustedPolicy(null,
                    $"{shortName}:{PromotionPolicy.FileName} does not list {shortName} in 'branches', so it is not guarded and cannot be trusted",
                    todo);
            return new TrustedPolicy(loaded, null, null);
        }
        return new TrustedPolicy(null,
            $"no policy: this repository has no deploy branch yet ({string.Join(", ", candidates.Select(VerdictRenderer.ShortRef))})",
            todo + ", or push the first commit before installing the hook");
    }

    /// <summary>The branch HEAD names (<c>ref: refs/heads/x</c>); null when HEAD is detached or unreadable.</summary>
    private static string? HeadTarget(string gitDir)
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
