using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Git.Evidence;

/// <summary>
/// The revocations and approvals of the environment a repository itself is (a server's bare repository, in its
/// pre-receive hook): its own <c>refs/promote/revoked/*</c> and <c>refs/promote/approval/*</c>, read locally with no
/// transport. Records are written from clones (<c>git promote revoke</c>, <c>approve</c>), never by the hook.
/// </summary>
public sealed class LocalReviewStore(IGitRepository repository, EnvironmentPolicy environment) : IReviewStore
{
    public string Label => $"git refs of {environment.Name} (this repository)";

    public Task<ReviewRecords> FindReviewsAsync(IReadOnlyCollection<string> commits, bool approvals, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<string>(commits.Select(c => c.ToLowerInvariant()).Where(ObjectIds.IsValid), StringComparer.Ordinal);
        if (wanted.Count == 0) return Task.FromResult(ReviewRecords.Found(Label, [], approvals ? [] : null));
        try
        {
            // By name (one for-each-ref): git seeks in a sorted packed-refs, so the cost does not grow with the history.
            var names = wanted.Count > CommitRecordFetch.MaxNamedCommits
                ? (approvals ? [RecordRefs.RevokedPrefix, RecordRefs.ApprovalPrefix] : [RecordRefs.RevokedPrefix])
                : wanted.Select(GitReviewRefs.Revoked).Concat(approvals ? wanted.Select(c => $"{RecordRefs.ApprovalPrefix}{c}/") : []).ToList();
            var refs = repository.ListRefs(names);
            var revoked = refs
                .Where(r => RecordRefs.RevokedCommit(r.Name) is { } c && wanted.Contains(c))
                .Select(r => ToRevocation(r, RecordRefs.RevokedCommit(r.Name)!))
                .ToList();
            List<Approval>? approved = null;
            if (approvals)
            {
                approved = [];
                foreach (var r in refs)
                {
                    if (RecordRefs.ApprovalOf(r.Name) is not { } a || !wanted.Contains(a.Commit)) continue;
                    approved.Add(RecordJson.ReadApproval(r.Tag?.Message) is { } full
                        ? full with { Environment = environment.Name, Commit = a.Commit, ApproverId = a.ApproverId }
                        : new Approval(environment.Name, a.Commit, a.ApproverId, r.Tag?.Tagger, r.Tag?.When));
                }
            }
            return Task.FromResult(ReviewRecords.Found(Label, revoked, approved));
        }
        catch (GitCommandException e)
        {
            throw Unavailable(e);
        }
    }

    public Task<IReadOnlyList<Revocation>> ListRevocationsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<IReadOnlyList<Revocation>>(repository.ListRefs(RecordRefs.RevokedPrefix)
                .Where(r => RecordRefs.RevokedCommit(r.Name) is not null)
                .Select(r => ToRevocation(r, RecordRefs.RevokedCommit(r.Name)!))
                .OrderBy(r => r.At ?? DateTimeOffset.MinValue).ToList());
        }
        catch (GitCommandException e)
        {
            throw Unavailable(e);
        }
    }

    public Task<IReadOnlyList<LiftedRevocation>> ListLiftedRevocationsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<IReadOnlyList<LiftedRevocation>>(repository.ListRefs(RecordRefs.LiftedPrefix)
                .Select(r => RecordJson.ReadLiftedRevocation(r.Tag?.Message)).OfType<LiftedRevocation>().OrderBy(l => l.At).ToList());
        }
        catch (GitCommandException e)
        {
            throw Unavailable(e);
        }
    }

    public Task RecordRevocationAsync(Revocation revocation, CancellationToken cancellationToken) => throw WrittenFromClones("revoke");

    public Task LiftRevocationAsync(Revocation revocation, Identity by, DateTimeOffset at, CancellationToken cancellationToken) =>
        throw WrittenFromClones("record --force");

    public Task RecordApprovalAsync(Approval approval, CancellationToken cancellationToken) => throw WrittenFromClones("approve");

    private Revocation ToRevocation(RefRecord r, string commit) =>
        RecordJson.ReadRevocation(r.Tag?.Message) is { } full
            ? full with { Environment = environment.Name, Commit = commit }
            : new Revocation(environment.Name, commit, null, r.Tag?.Tagger, r.Tag?.When);

    private EvidenceUnavailableException Unavailable(GitCommandException e) => new(new EvidenceFailure(
        $"cannot read the revocations of {environment.Name} in this repository", e.Message, "ask the server admin to check the repository (git fsck)"));

    private EvidenceUnavailableException WrittenFromClones(string command) => new(new EvidenceFailure(
        $"writing records of {environment.Name} here", "the server hook only reads them",
        $"run git promote {command} {environment.Name} ... from a clone"));
}
