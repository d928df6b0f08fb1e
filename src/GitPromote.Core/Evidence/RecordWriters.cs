namespace GitPromote.Core.Evidence;

/// <summary>
/// Who may write green records on a guarded server. A green record admits a commit to the next environment, so only
/// the accounts the server admin lists (git config <c>promote.recorders</c>, multi-valued: the pipeline's account)
/// may create, move or delete <c>refs/promote/green/*</c>. One rule for every writer: the pre-receive guard and
/// <c>git promote prune</c>.
/// </summary>
public static class RecordWriters
{
    /// <summary>
    /// True when <paramref name="pusher"/>, as the server names them, is one of <paramref name="recorders"/> (by name or
    /// email, exactly: user names are case-sensitive in <c>USER</c>, htpasswd's <c>REMOTE_USER</c> and <c>PROMOTE_PUSHER</c>,
    /// so <c>PIPELINE</c> is not <c>pipeline</c>). An unknown pusher never is; an empty list admits nobody.
    /// </summary>
    public static bool MayWriteGreen(Identity pusher, IReadOnlyCollection<string> recorders)
    {
        if (pusher == Identity.Unknown) return false;
        foreach (var entry in recorders)
        {
            var e = entry.Trim();
            if (e.Length == 0) continue;
            if (string.Equals(e, pusher.Name, StringComparison.Ordinal)) return true;
            if (pusher.Email.Length > 0 && string.Equals(e, pusher.Email, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether <paramref name="pusher"/> may delete the record <paramref name="refName"/> (what <c>git promote prune</c>
    /// pushes): green records and approvals, by a recorder only. Deleting either can only make the guard stricter, but a
    /// green record is also what a rollback needs, so the same accounts that write green decide when it goes. Every
    /// other record (bypass, revocation, lifted revocation) is the audit trail: this rule never admits deleting it.
    /// </summary>
    public static bool MayDelete(string refName, Identity pusher, IReadOnlyCollection<string> recorders) =>
        (refName.StartsWith(RecordRefs.GreenPrefix, StringComparison.Ordinal) || refName.StartsWith(RecordRefs.ApprovalPrefix, StringComparison.Ordinal)
            || refName.StartsWith(RecordRefs.DeployPrefix, StringComparison.Ordinal))
        && MayWriteGreen(pusher, recorders);
}
