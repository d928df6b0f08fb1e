using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Git;

namespace GitPromote.Git.Evidence;

/// <summary>
/// The target environment's bypass store as pre-receive sees it on a server that keeps records in git: a bypass becomes
/// a pending entry of this push (<see cref="PendingRecords"/>), and the reference-transaction hook makes it the record
/// exactly when git updates the ref. Without that hook installed, nothing can be recorded exactly, so the bypass is refused.
/// </summary>
/// <param name="gitNamespace">GIT_NAMESPACE of this push, when set: its refs land under <c>refs/namespaces/&lt;ns&gt;/</c>, where
/// neither the record nor the hook that ties it to the push looks, so a bypass there is refused.</param>
public sealed class PendingRecordStore(PendingRecords pending, EnvironmentPolicy environment, Func<PushOwner?> findOwner, Func<bool> confirmHookInstalled,
    string? gitNamespace = null)
    : GreenAndBypassOnlyStore(environment.Name)
{
    public override string Label => $"git refs of {environment.Name} (this repository)";

    public override async Task RecordBypassAsync(BypassRecord record, CancellationToken cancellationToken)
    {
        if (!ObjectIds.IsValid(record.Commit)) throw new ArgumentException($"not a full commit id: '{record.Commit}'", nameof(record));
        var what = $"cannot record the bypass of {ObjectIds.Short(record.Commit)} in {environment.Name}";
        if (gitNamespace is { Length: > 0 } ns)
            throw Unavailable(what, $"this push is into git namespace '{Clip(ns)}' (GIT_NAMESPACE): its refs land under refs/namespaces/, where a bypass " +
                "record cannot be tied to the push or seen by the audit",
                "bypass into a repository served without GIT_NAMESPACE, or keep this environment's records in SSM");
        if (!confirmHookInstalled())
            throw Unavailable(what, "this repository's reference-transaction hook is not git-promote's, so a record cannot be tied to the push landing",
                "ask the server admin to run: git promote install --server --env " + environment.Name);
        if (findOwner() is not { } owner)
            throw Unavailable(what, "the guard cannot tell which git receive-pack process runs this push",
                "ask the server admin to run the hook as installed (docs/server.md)");
        try
        {
            // Settle what ended pushes left first (only bypass pushes pay for it); their records are already right.
            try { await pending.ReconcileAsync(cancellationToken); }
            catch (GitCommandException) { }
            await pending.AddAsync(owner, record, cancellationToken);
        }
        catch (GitCommandException e)
        {
            throw Unavailable(what, e.Message, "ask the server admin to check the repository (disk, permissions)");
        }
    }

    private static string Clip(string s) => s.Length > 60 ? s[..60] + "..." : s;

    private static EvidenceUnavailableException Unavailable(string what, string why, string todo) => new(new EvidenceFailure(what, why, todo));

    public override Task RecordGreenAsync(string commit, Identity by, DateTimeOffset at, CancellationToken cancellationToken, string? forced = null) =>
        throw new NotSupportedException("the server hook records bypasses only; pipelines record green with git promote record");

    public override Task<IReadOnlyList<BypassRecord>> ListBypassesAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("read bypass records with git promote audit from a clone");
}
