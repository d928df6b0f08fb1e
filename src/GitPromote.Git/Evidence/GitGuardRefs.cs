using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Git.Evidence;

/// <summary>
/// Where an environment's guard records live on its remote, and how a listing of them is read:
/// <c>refs/promote/revoked/&lt;commit&gt;</c> (one standing revocation per commit),
/// <c>refs/promote/revoked-lifted/&lt;time&gt;-&lt;commit&gt;-&lt;random&gt;</c> (lifted ones, for the audit trail) and
/// <c>refs/promote/approval/&lt;commit&gt;/&lt;approver id&gt;</c>, each an annotated tag with a JSON body.
/// </summary>
public static class GitGuardRefs
{
    public const string RevokedPrefix = "refs/promote/revoked/";
    public const string LiftedPrefix = "refs/promote/revoked-lifted/";
    public const string ApprovalPrefix = "refs/promote/approval/";

    public static string Revoked(string commit) => RevokedPrefix + commit;

    public static string Approval(string commit, string approverId) => $"{ApprovalPrefix}{commit}/{approverId}";

    /// <summary>Revocations and approvals of <paramref name="commits"/> from a listing; details (reason, who, when) are left empty.</summary>
    public static GuardRecords FromListing(string label, string environment, IReadOnlyList<RemoteRef> refs, IReadOnlyCollection<string> commits, bool approvals)
    {
        var wanted = new HashSet<string>(commits.Select(c => c.ToLowerInvariant()), StringComparer.Ordinal);
        var revoked = new List<Revocation>();
        var approved = new List<Approval>();
        foreach (var r in refs)
        {
            if (RevokedCommit(r.Name) is { } commit && wanted.Contains(commit))
                revoked.Add(new Revocation(environment, commit));
            else if (approvals && ApprovalOf(r.Name) is { } a && wanted.Contains(a.Commit))
                approved.Add(new Approval(environment, a.Commit, a.ApproverId));
        }
        return GuardRecords.Found(label, revoked, approvals ? approved : null);
    }

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

/// <summary>
/// Reads the annotated tags behind some of an environment's remote refs: from the local object store when a tag was
/// fetched before (tag objects never change), else with one targeted fetch of just those refs into
/// <c>refs/promote/remotes/&lt;env&gt;/...</c>. Used only where details matter: soak times, a refusal's reason.
/// </summary>
internal sealed class RemoteTags(IGitRepository repository, IGitRemoteClient client, EnvironmentRemote remote, string environment)
{
    private const int MaxFetched = 256;

    /// <summary>The tags of <paramref name="refs"/> by ref name; refs that are not tags (a plain ref to a commit) are absent.</summary>
    public async Task<IReadOnlyDictionary<string, TagInfo>> ReadAsync(IReadOnlyList<RemoteRef> refs, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, TagInfo>(StringComparer.Ordinal);
        var missing = new List<RemoteRef>();
        foreach (var r in refs)
        {
            if (r.Peeled is null && r.Id == RefTail(r.Name)) continue; // points straight at the commit: nothing to read
            if (repository.ReadTag(r.Id) is { } tag) found[r.Name] = tag;
            else missing.Add(r);
        }
        if (missing.Count == 0) return found;

        var local = $"refs/promote/remotes/{GitRecordStore.RefComponent(environment)}/";
        var specs = missing.Take(MaxFetched).Select(r => $"+{r.Name}:{local}{r.Name["refs/promote/".Length..]}").ToList();
        try
        {
            await client.FetchAsync(remote.Remote, specs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitCommandException or OperationCanceledException)
        {
            throw GitEvidenceFailures.Unavailable($"cannot read the records of '{environment}' from {remote.Display}", e,
                $"check that the remote answers: git fetch {remote.Argument} 'refs/promote/*'", remote);
        }
        foreach (var r in missing)
            if (repository.ReadTag(r.Id) is { } tag) found[r.Name] = tag;
        return found;
    }

    private static string RefTail(string name) => name[(name.LastIndexOf('/') + 1)..];
}
