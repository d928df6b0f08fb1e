using GitPromote.Core.Push;

namespace GitPromote.Core.Evidence;

/// <summary>
/// The refs under <c>refs/promote/</c> that hold git-promote's records, one prefix per kind, and how a record's name
/// says what it is about. The same in every repository, client or server.
/// </summary>
public static class RecordRefs
{
    public const string Namespace = "refs/promote/";
    /// <summary><c>refs/promote/green/&lt;commit&gt;</c>: the commit is green in the repository's environment.</summary>
    public const string GreenPrefix = Namespace + "green/";
    /// <summary><c>refs/promote/bypass/&lt;time&gt;-&lt;commit&gt;-&lt;random&gt;</c>: an emergency bypass, for the audit.</summary>
    public const string BypassPrefix = Namespace + "bypass/";
    /// <summary>A bypass a server's guard allowed and has not yet tied to its push landing (the guard's own bookkeeping).</summary>
    public const string PendingPrefix = Namespace + "pending/";

    /// <summary>
    /// Advertised by a repository whose server runs the pre-receive guard (written by <c>install --server</c>, removed by
    /// <c>uninstall --server</c>), so <c>doctor</c> in any clone can tell a guarded server from one that is not.
    /// </summary>
    public const string GuardMarker = Namespace + "guard";
    /// <summary><c>refs/promote/revoked/&lt;commit&gt;</c>: one standing revocation per commit.</summary>
    public const string RevokedPrefix = Namespace + "revoked/";
    /// <summary><c>refs/promote/revoked-lifted/&lt;time&gt;-&lt;commit&gt;-&lt;random&gt;</c>: lifted revocations, for the audit.</summary>
    public const string LiftedPrefix = Namespace + "revoked-lifted/";
    /// <summary><c>refs/promote/approval/&lt;commit&gt;/&lt;approver id&gt;</c>.</summary>
    public const string ApprovalPrefix = Namespace + "approval/";
    /// <summary><c>refs/promote/deploy/&lt;time&gt;-&lt;commit&gt;-&lt;random&gt;</c>: one deployment event (<see cref="DeploymentNames"/>).</summary>
    public const string DeployPrefix = Namespace + "deploy/";

    /// <summary>
    /// True for a ref under <c>refs/promote/</c> spelled in another case (<c>refs/Promote/...</c>): harmless on Linux, but on a
    /// case-insensitive file system git stores it as the loose file <c>refs/promote/...</c>, a record nobody judged.
    /// </summary>
    public static bool IsMiscasedRecord(string refName) =>
        refName.StartsWith(Namespace, StringComparison.OrdinalIgnoreCase) && !refName.StartsWith(Namespace, StringComparison.Ordinal);

    public static string? RevokedCommit(string refName)
    {
        if (!refName.StartsWith(RevokedPrefix, StringComparison.Ordinal)) return null;
        var commit = refName[RevokedPrefix.Length..].ToLowerInvariant();
        return ObjectIds.IsValid(commit) ? commit : null;
    }

    public static (string Commit, string ApproverId)? ApprovalOf(string refName)
    {
        if (!refName.StartsWith(ApprovalPrefix, StringComparison.Ordinal)) return null;
        var rest = refName[ApprovalPrefix.Length..];
        var slash = rest.IndexOf('/');
        if (slash < 0) return null;
        var commit = rest[..slash].ToLowerInvariant();
        var id = rest[(slash + 1)..];
        return ObjectIds.IsValid(commit) && ApproverIds.IsValid(id) ? (commit, id) : null;
    }
}
