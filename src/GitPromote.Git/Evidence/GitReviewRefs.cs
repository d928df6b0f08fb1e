using GitPromote.Core.Evidence;

namespace GitPromote.Git.Evidence;

/// <summary>
/// Where an environment's review records live on its remote, and how fetched ones are read:
/// <c>refs/promote/revoked/&lt;commit&gt;</c> (one standing revocation per commit),
/// <c>refs/promote/revoked-lifted/&lt;time&gt;-&lt;commit&gt;-&lt;random&gt;</c> (lifted ones, for the audit trail) and
/// <c>refs/promote/approval/&lt;commit&gt;/&lt;approver id&gt;</c>, each an annotated tag with a JSON body.
/// </summary>
public static class GitReviewRefs
{
    public static string Revoked(string commit) => RecordRefs.RevokedPrefix + commit;

    public static string Approval(string commit, string approverId) => $"{RecordRefs.ApprovalPrefix}{commit}/{approverId}";

    /// <summary>
    /// Revocations and approvals of <paramref name="commits"/> from fetched records, with reason, who and when read from
    /// their tags (a record whose body cannot be read still counts, without details). Approvals carry their details only
    /// with <paramref name="approvalDetails"/>: a push names approvers by their record's key, which the server checks,
    /// not by what the record's body claims.
    /// </summary>
    internal static ReviewRecords FromFetched(string label, string environment, IReadOnlyList<CommitRecordFetch.Found> found,
        IReadOnlyCollection<string> commits, bool approvals, bool approvalDetails = false)
    {
        var wanted = new HashSet<string>(commits.Select(c => c.ToLowerInvariant()), StringComparer.Ordinal);
        var revoked = new List<Revocation>();
        var approved = new List<Approval>();
        foreach (var (r, tag) in found)
        {
            if (RecordRefs.RevokedCommit(r.Name) is { } commit && wanted.Contains(commit))
                revoked.Add(RecordJson.ReadRevocation(tag?.Message) is { } full
                    ? full with { Environment = environment, Commit = commit }
                    : new Revocation(environment, commit, null, tag?.Tagger, tag?.When));
            else if (approvals && RecordRefs.ApprovalOf(r.Name) is { } a && wanted.Contains(a.Commit))
                approved.Add(!approvalDetails ? new Approval(environment, a.Commit, a.ApproverId)
                    : RecordJson.ReadApproval(tag?.Message) is { } full
                    ? full with { Environment = environment, Commit = a.Commit, ApproverId = a.ApproverId }
                    : new Approval(environment, a.Commit, a.ApproverId, tag?.Tagger, tag?.When));
        }
        return ReviewRecords.Found(label, revoked, approvals ? approved : null);
    }
}
