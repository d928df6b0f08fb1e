using System.Security.Cryptography;
using System.Text;

namespace GitPromote.Core.Evidence;

/// <summary>
/// A commit marked bad in one environment (<c>git promote revoke</c>). While it stands, the commit does not count as green
/// there, cannot be promoted from there, and cannot be rolled back to there. Reason, author and time are null when only
/// the record's existence is known (a git ref listed by <c>ls-remote</c>, not yet fetched).
/// </summary>
public sealed record Revocation(string Environment, string Commit, string? Reason = null, Identity? By = null, DateTimeOffset? At = null);

/// <summary>A revocation that <c>git promote record --force</c> lifted: kept for the audit trail.</summary>
public sealed record LiftedRevocation(Revocation Revocation, Identity By, DateTimeOffset At);

/// <summary>
/// One identity's approval of a commit for an environment (<c>git promote approve</c>). <see cref="ApproverId"/> is the
/// record's key (see <see cref="ApproverIds"/>); the rest is null when only the record's existence is known.
/// </summary>
public sealed record Approval(string Environment, string Commit, string ApproverId, Identity? By = null, DateTimeOffset? At = null, string? Comment = null)
{
    /// <summary>Who approved, as a person reads it: the identity when known, else the readable part of the id.</summary>
    public string Who => By?.ToString() ?? ApproverIds.Readable(ApproverId);
}

/// <summary>
/// An approval record the store holds but that does not count: the store names someone other than the approver as its
/// writer (SSM's <c>LastModifiedUser</c>), or names no writer. Kept so every verdict, <c>status</c> and <c>audit</c> can
/// say which approval was set aside and why, instead of dropping it silently.
/// </summary>
/// <param name="Writer">Who the store says wrote it; null when it names nobody (or could not be asked).</param>
public sealed record IgnoredApproval(string Environment, string Commit, string ApproverId, string? Writer)
{
    public string Describe() =>
        $"the approval in the name of {ApproverIds.Readable(ApproverId)} was written by {Writer ?? "a writer the store does not name"}, not by the approver";

    /// <summary>
    /// True when an approval with key <paramref name="approverId"/>, which the store says <paramref name="writer"/> wrote, counts: the writer's own
    /// key (<see cref="ApproverIds.Of"/> of the writer's ARN) is the approval's key. "N/A" (what emulators answer) is no writer.
    /// </summary>
    public static bool WrittenByTheApprover(string approverId, string? writer) =>
        writer is { Length: > 0 } w && w != "N/A" && string.Equals(ApproverIds.Of(new Identity(w, "")), approverId, StringComparison.Ordinal);
}

/// <summary>
/// The record keys of approvers. One approval per identity and commit: approving again replaces it. The key is
/// readable and safe in git ref names and SSM parameter names (<c>[a-z0-9._-]</c>), and unique per identity thanks
/// to a hash of the whole identity, so two addresses that read alike never share a record.
/// </summary>
public static class ApproverIds
{
    private const int MaxReadable = 48;

    /// <summary>What identifies a person in a store: the email (git stores) or the name, which is the ARN for AWS stores.</summary>
    public static string KeyOf(Identity who) => (who.Email.Length > 0 ? who.Email : who.Name).Trim().ToLowerInvariant();

    public static string Of(Identity who)
    {
        var key = KeyOf(who);
        var readable = new StringBuilder(Math.Min(key.Length, MaxReadable));
        foreach (var c in key)
        {
            if (readable.Length >= MaxReadable) break;
            var safe = char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (c == '.' && readable.Length > 0 && readable[^1] != '.') ? c : '_';
            readable.Append(safe);
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];
        return $"{readable}-{hash}";
    }

    /// <summary>An id without its hash, e.g. <c>ada_example.com</c>.</summary>
    public static string Readable(string approverId)
    {
        var dash = approverId.LastIndexOf('-');
        return dash > 0 ? approverId[..dash] : approverId;
    }

    /// <summary>What ids look like: used to skip foreign refs and parameters that are not ours.</summary>
    public static bool IsValid(string id) =>
        id.Length is > 13 and <= MaxReadable + 13 && id[^13] == '-'
            && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-');
}

/// <summary>
/// What an environment's own store says about some commits beyond green: which are revoked, and (when asked) who approved
/// them. <see cref="Failure"/> is set when the store could not be read: then nothing here can be relied on.
/// </summary>
public sealed record ReviewRecords(
    string Label,
    IReadOnlyDictionary<string, Revocation> Revoked,
    IReadOnlyDictionary<string, IReadOnlyList<Approval>> Approvals,
    bool ApprovalsRead,
    EvidenceFailure? Failure)
{
    public static ReviewRecords Found(string label, IEnumerable<Revocation> revoked, IEnumerable<Approval>? approvals) => new(
        label,
        revoked.GroupBy(r => r.Commit, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal),
        (approvals ?? []).GroupBy(a => a.Commit, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Approval>)g.DistinctBy(a => a.ApproverId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal),
        approvals is not null,
        null);

    /// <summary>Approval records read but set aside: their writer is not their approver.</summary>
    public IReadOnlyList<IgnoredApproval> IgnoredApprovals { get; init; } = [];

    public IReadOnlyList<IgnoredApproval> IgnoredApprovalsOf(string commit) => IgnoredApprovals.Where(i => i.Commit == commit).ToList();

    public static ReviewRecords Failed(string label, EvidenceFailure failure) =>
        new(label, new Dictionary<string, Revocation>(), new Dictionary<string, IReadOnlyList<Approval>>(), false, failure);

    public Revocation? RevocationOf(string commit) => Revoked.GetValueOrDefault(commit);

    public IReadOnlyList<Approval> ApprovalsOf(string commit) => Approvals.GetValueOrDefault(commit) ?? [];

    /// <summary>These records and others about other commits of the same store, as if read at once.</summary>
    public ReviewRecords Merge(ReviewRecords other) => this with
    {
        Revoked = Revoked.Concat(other.Revoked).GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
        Approvals = Approvals.Concat(other.Approvals).GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
        ApprovalsRead = ApprovalsRead || other.ApprovalsRead,
        Failure = Failure ?? other.Failure,
        IgnoredApprovals = [.. IgnoredApprovals, .. other.IgnoredApprovals.Where(i => !IgnoredApprovals.Contains(i))],
    };
}

/// <summary>Reads an environment's revocations and approvals from its own store (git refs or SSM parameters).</summary>
public interface IReviewRecordReader
{
    string Label { get; }

    /// <summary>
    /// Revocations of <paramref name="commits"/> and, with <paramref name="approvals"/>, their approvals. Throws
    /// <see cref="EvidenceUnavailableException"/> when the store cannot be read.
    /// </summary>
    Task<ReviewRecords> FindReviewsAsync(IReadOnlyCollection<string> commits, bool approvals, CancellationToken cancellationToken);
}

/// <summary>
/// An evidence source that is also its environment's record store (git refs, SSM): it answers green and the review
/// records in one round trip (one <c>ls-remote</c>; GetParameters batches holding both names), so checking
/// revocations on every push costs no extra call.
/// </summary>
public interface IEvidenceWithReviewsReader : IEvidenceReader
{
    Task<(IReadOnlyList<GreenFact> Green, ReviewRecords Reviews)> FindGreenAndReviewsAsync(
        IReadOnlyCollection<string> green, IReadOnlyCollection<string> review, bool approvals, CancellationToken cancellationToken);

    /// <summary>Every commit revoked in this environment (for filtering suggestions), at most <paramref name="max"/>.</summary>
    Task<IReadOnlyCollection<string>> ListRevokedAsync(int max, CancellationToken cancellationToken);
}

/// <summary>Where an environment keeps its reviews, its revocations and approvals (each one a person's review of one commit for it, so not the hook's word
/// "guard"): the same place as its green and bypass records.</summary>
public interface IReviewStore : IReviewRecordReader
{
    /// <summary>Marks the commit bad. Throws <see cref="EvidenceUnavailableException"/> when it cannot be written.</summary>
    Task RecordRevocationAsync(Revocation revocation, CancellationToken cancellationToken);

    /// <summary>Lifts a standing revocation, keeping it (with who lifted it, and when) for the audit trail.</summary>
    Task LiftRevocationAsync(Revocation revocation, Identity by, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records (or replaces) the approval of <see cref="Approval.ApproverId"/> for the commit.</summary>
    Task RecordApprovalAsync(Approval approval, CancellationToken cancellationToken);

    /// <summary>Standing revocations with their details, oldest first.</summary>
    Task<IReadOnlyList<Revocation>> ListRevocationsAsync(CancellationToken cancellationToken);

    /// <summary>Lifted revocations, oldest lift first.</summary>
    Task<IReadOnlyList<LiftedRevocation>> ListLiftedRevocationsAsync(CancellationToken cancellationToken);
}
