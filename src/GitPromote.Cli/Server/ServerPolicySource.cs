using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Policy;
using GitPromote.Core.Server;
using GitPromote.Git;
using GitPromote.Platform;

namespace GitPromote.Cli.Server;

/// <summary>A policy the server may trust, or why there is none (then every push is refused).</summary>
public sealed record TrustedPolicy(LoadedPolicy? Loaded, string? Problem, string? Todo);

/// <summary>
/// Reads the policy the server may trust (<see cref="ServerPolicyTrust"/> decides which, and when to refuse): the admin's
/// file, or <c>.promote.yml</c> on a branch as it is before this push, read through refs only.
/// </summary>
public static class ServerPolicySource
{
    public static TrustedPolicy Load(IFileSystem files, IGitRepository repository, ServerSettings settings, string defaultName) =>
        ServerPolicyTrust.Choose(settings.PolicyFile, settings.PolicyRef, () => HeadTarget(files, repository.GitDir)) switch
        {
            PolicyOrigin.AdminFile file => FromFile(files, file.Path, defaultName),
            PolicyOrigin.Branch branch => FromBranch(repository, branch.Ref, branch.Description, defaultName),
            PolicyOrigin.Refused refused => Refuse(refused.Refusal),
            _ => throw new InvalidOperationException("unknown policy origin"),
        };

    private static TrustedPolicy Refuse(PolicyRefusal refusal) => new(null, refusal.Problem, refusal.Todo);

    private static TrustedPolicy FromFile(IFileSystem files, string path, string defaultName)
    {
        var exists = files.FileExists(path);
        if (ServerPolicyTrust.RefuseFile(exists, exists ? files.Length(path) : 0) is { } refused) return Refuse(refused);
        string text;
        try { text = files.ReadRegularFile(path, path, PolicyLoader.MaxBytes) ?? ""; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refuse(ServerPolicyTrust.FileUnreadable(e.GetType().Name));
        }
        return new TrustedPolicy(PolicySource.FromText(text, ServerPolicyTrust.FileDisplayName, defaultName), null, null);
    }

    /// <summary>The policy on <paramref name="branch"/>, if the server may trust it.</summary>
    internal static TrustedPolicy FromBranch(IGitRepository repository, string branch, string what, string defaultName)
    {
        // One read in the common case; only a missing file needs the second look (no branch, or a branch without it).
        var text = repository.ReadFileAt(branch, PromotionPolicy.FileName);
        if (ServerPolicyTrust.RefuseBranchText(branch, what, text, () => repository.ResolveCommit(branch) is not null) is { } refused) return Refuse(refused);
        var loaded = PolicySource.FromText(text!, ServerPolicyTrust.BranchDisplayName(branch), defaultName);
        if (ServerPolicyTrust.RefuseUnguarded(loaded.Policy, branch) is { } unguarded) return Refuse(unguarded);
        return new TrustedPolicy(loaded, null, null);
    }

    /// <summary>The branch HEAD names (<c>ref: refs/heads/x</c>); null when HEAD is detached or unreadable.</summary>
    internal static string? HeadTarget(IFileSystem files, string gitDir)
    {
        try
        {
            var path = Path.Combine(gitDir, "HEAD");
            if (files.Length(path) > 1024) return null;
            return ServerPolicyTrust.HeadBranch(files.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
