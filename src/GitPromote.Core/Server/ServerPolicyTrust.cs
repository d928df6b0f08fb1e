using GitPromote.Core.Engine;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Core.Settings;

namespace GitPromote.Core.Server;

/// <summary>Why a server has no policy it may trust (then every push is refused), and what the admin should do.</summary>
public sealed record PolicyRefusal(string Problem, string Todo);

/// <summary>Where a server reads its policy from, as <see cref="ServerPolicyTrust.Choose"/> decides.</summary>
public abstract record PolicyOrigin
{
    private PolicyOrigin() { }

    /// <summary>The file the admin named (<c>promote.policy</c>): an absolute path on the server.</summary>
    public sealed record AdminFile(string Path) : PolicyOrigin;

    /// <summary><c>.promote.yml</c> on <paramref name="Ref"/> as it is before the push; <paramref name="Description"/> says which branch that is, for
    /// messages.</summary>
    public sealed record Branch(string Ref, string Description) : PolicyOrigin;

    /// <summary>No source may be trusted.</summary>
    public sealed record Refused(PolicyRefusal Refusal) : PolicyOrigin;
}

/// <summary>
/// Which <c>.promote.yml</c> a server may trust, and when it must refuse: the file the admin named
/// (<c>promote.policy</c>), or <c>.promote.yml</c> on the branch pinned at install (<c>promote.policyRef</c>), else on
/// the branch HEAD names, as it is before this push. Never from the commits being pushed: during pre-receive the refs
/// still hold their old values, and only refs are read, so a push that edits the policy is judged by the old one. Never
/// from a branch a pusher could create: a missing policy branch refuses every push instead of falling back to another.
/// Messages name settings, never the server's file paths (pushers read them). The reading is the caller's.
/// </summary>
public static class ServerPolicyTrust
{
    /// <summary>How a policy file is named to pushers: by its setting, not by its path on the server.</summary>
    public const string FileDisplayName = "the server's policy (git config " + PromoteSettings.GitKeys.Policy + ")";

    private const string InstallTodo = "ask the server admin to pin one: git promote install --server --env <env> [--policy FILE]";
    private const string FileTodo = "ask the server admin to fix git config " + PromoteSettings.GitKeys.Policy;

    /// <summary>
    /// The admin's file first, then the pinned branch, then the branch HEAD names (<paramref name="headBranch"/> is asked
    /// only then: null when HEAD is detached or unreadable).
    /// </summary>
    public static PolicyOrigin Choose(string? policyFile, string? pinnedRef, Func<string?> headBranch) =>
        policyFile is { } file
            ? Path.IsPathFullyQualified(file) ? new PolicyOrigin.AdminFile(file)
            : new PolicyOrigin.Refused(new($"git config {PromoteSettings.GitKeys.Policy} must be an absolute path", FileTodo))
        : pinnedRef is { } pinned
            ? new PolicyOrigin.Branch(pinned, $"the policy branch pinned at install (git config {PromoteSettings.GitKeys.PolicyRef})")
        : headBranch() is { } head ? new PolicyOrigin.Branch(head, "the branch HEAD names")
        : new PolicyOrigin.Refused(new("no policy: HEAD names no branch, and no policy is pinned", InstallTodo));

    /// <summary>The admin's file is read only when it exists and is no larger than a policy may be.</summary>
    public static PolicyRefusal? RefuseFile(bool exists, long length) =>
        !exists ? new($"{FileDisplayName} does not exist", FileTodo)
        : length > PolicyLoader.MaxBytes ? new($"{FileDisplayName} is larger than {PolicyLoader.MaxBytes} bytes", FileTodo)
        : null;

    /// <summary>The admin's file exists but could not be read; <paramref name="errorKind"/> names the error, never the path.</summary>
    public static PolicyRefusal FileUnreadable(string errorKind) => new($"{FileDisplayName} cannot be read ({errorKind})", FileTodo);

    /// <summary>How a policy on a branch is named in messages: <c>main:.promote.yml</c>.</summary>
    public static string BranchDisplayName(string branch) => $"{RefNames.Short(branch)}:{PromotionPolicy.FileName}";

    /// <summary>
    /// The policy text found on <paramref name="branch"/> (null: no such file there) before it is loaded. A missing branch
    /// is no policy, since a pusher could create it; <paramref name="branchExists"/> is asked only when the text is missing.
    /// </summary>
    public static PolicyRefusal? RefuseBranchText(string branch, string description, string? text, Func<bool> branchExists)
    {
        var shortName = RefNames.Short(branch);
        if (text is null && !branchExists())
            return new($"no policy: {description}, {shortName}, does not exist", InstallTodo + ", or push the branch first");
        if (text is null)
            return new($"the deploy branch {shortName} has no {PromotionPolicy.FileName}", InstallTodo);
        if (text.Length > PolicyLoader.MaxBytes)
            return new($"{BranchDisplayName(branch)} is larger than {PolicyLoader.MaxBytes} bytes", InstallTodo);
        return null;
    }

    /// <summary>
    /// A policy read from <paramref name="branch"/> must itself name that branch as a deploy branch: a policy on an
    /// unguarded branch could be rewritten by any push, so it is not trusted.
    /// </summary>
    public static PolicyRefusal? RefuseUnguarded(PromotionPolicy policy, string branch)
    {
        if (EnvironmentRouter.IsDeployBranch(policy, branch)) return null;
        var shortName = RefNames.Short(branch);
        return new($"{BranchDisplayName(branch)} does not list {shortName} in 'branches', so it is not guarded and cannot be trusted", InstallTodo);
    }

    /// <summary>The branch a HEAD file names (<c>ref: refs/heads/x</c>); null when HEAD is detached, names no branch, or holds control characters.</summary>
    public static string? HeadBranch(string headFile)
    {
        var line = headFile.Trim();
        const string prefix = "ref: ";
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var target = line[prefix.Length..].Trim();
        return target.StartsWith("refs/heads/", StringComparison.Ordinal) && !target.Any(char.IsControl) ? target : null;
    }
}
