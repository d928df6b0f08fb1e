namespace GitPromote.Core.Evidence;

/// <summary>How much history <c>git promote prune</c> keeps: the newest <see cref="Keep"/> green commits, and every record younger than <see
/// cref="OlderThan"/>.</summary>
public sealed record RetentionRules(int Keep, TimeSpan OlderThan)
{
    /// <summary>Enough green commits to roll back weeks of deploys on a busy service.</summary>
    public const int DefaultKeep = 100;

    public static readonly TimeSpan DefaultOlderThan = TimeSpan.FromDays(30);

    public static readonly RetentionRules Default = new(DefaultKeep, DefaultOlderThan);
}

public enum StoredRecordKind { Green, Approval, Bypass, Revocation, LiftedRevocation, Deployment, Unknown }

/// <summary>
/// One record in an environment's store as prune sees it: its name there (a ref or a parameter name), what it is, the
/// commit it is about, when it was written (null when the store cannot say), and the value it was seen with (a git
/// object id: a record rewritten meanwhile is not deleted).
/// </summary>
public sealed record StoredRecord(string Name, StoredRecordKind Kind, string? Commit, DateTimeOffset? At, string? Version = null);

/// <summary>A store <c>git promote prune</c> can list and delete records in.</summary>
public interface IPrunableStore
{
    string Label { get; }

    /// <summary>Every record of the environment in this store. Throws <see cref="EvidenceUnavailableException"/> when it cannot tell.</summary>
    Task<IReadOnlyList<StoredRecord>> ListRecordsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes <paramref name="records"/> in batches, reporting each deleted batch to <paramref name="deleted"/> as it goes (a record
    /// already gone counts as deleted). Throws <see cref="EvidenceUnavailableException"/> at the first batch that fails.
    /// </summary>
    Task DeleteAsync(IReadOnlyList<StoredRecord> records, Action<IReadOnlyList<StoredRecord>> deleted, CancellationToken cancellationToken);
}

/// <summary>What prune deletes, and how many records it keeps for each reason (a record counts under its first reason).</summary>
public sealed record RetentionPlan(IReadOnlyList<StoredRecord> Delete, IReadOnlyDictionary<string, int> KeptBecause)
{
    public int Kept => KeptBecause.Values.Sum();
}

/// <summary>
/// The retention decision, pure. Always kept: the commit deployed now; the newest N green commits; anything younger than
/// D; every bypass record; every standing revocation and every lifted-revocation record (the audit trail); approvals of
/// commits that are still kept. A record whose time is unknown is kept (its age cannot be shown to exceed D), and so is
/// anything prune does not recognise. Deployment events are kept by the same rules as green records: an event of the
/// commit deployed now, the newest N events, and any younger than D. Only green records, approvals and deployment events
/// are ever deleted.
/// </summary>
public static class Retention
{
    public const string Deployed = "deployed now";
    public const string Newest = "newest green";
    public const string Young = "younger than the cut-off";
    public const string Undated = "no recorded time";
    public const string Audit = "audit trail (bypass, revocation)";
    public const string ApprovalOfKept = "approval of a kept commit";
    public const string NotOurs = "not a record prune knows";
    public const string NewestEvents = "newest deployment events";

    public static RetentionPlan Decide(IReadOnlyList<StoredRecord> records, IReadOnlyCollection<string> deployedCommits, RetentionRules rules,
        DateTimeOffset now)
    {
        if (rules.Keep < 0) throw new ArgumentOutOfRangeException(nameof(rules), "keep is never negative");
        if (rules.OlderThan < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(rules), "the age is never negative");
        var cutoff = now - rules.OlderThan;
        var deployed = deployedCommits.Select(c => c.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

        var green = records.Where(r => r.Kind == StoredRecordKind.Green && r.Commit is not null).ToList();
        // Newest first by record time; a commit recorded twice (two stores' worth) counts once, at its newest time.
        var newest = green.GroupBy(r => r.Commit!.ToLowerInvariant(), StringComparer.Ordinal)
            .Select(g => (Commit: g.Key, At: g.Max(r => r.At)))
            .OrderByDescending(x => x.At ?? DateTimeOffset.MaxValue).ThenBy(x => x.Commit, StringComparer.Ordinal)
            .Take(rules.Keep).Select(x => x.Commit).ToHashSet(StringComparer.Ordinal);

        var keptCommits = new HashSet<string>(StringComparer.Ordinal);
        var delete = new List<StoredRecord>();
        var kept = new Dictionary<string, int>(StringComparer.Ordinal);
        void Keep(string reason) => kept[reason] = kept.GetValueOrDefault(reason) + 1;

        foreach (var r in green)
        {
            var commit = r.Commit!.ToLowerInvariant();
            var reason = deployed.Contains(commit) ? Deployed
                : newest.Contains(commit) ? Newest
                : r.At is null ? Undated
                : r.At > cutoff ? Young
                : null;
            if (reason is null) { delete.Add(r); continue; }
            keptCommits.Add(commit);
            Keep(reason);
        }
        keptCommits.UnionWith(deployed);
        var newestEvents = records.Where(r => r.Kind == StoredRecordKind.Deployment && r.Commit is not null)
            .OrderByDescending(r => r.At ?? DateTimeOffset.MaxValue).ThenByDescending(r => r.Name, StringComparer.Ordinal)
            .Take(rules.Keep).ToHashSet();

        foreach (var r in records)
        {
            switch (r.Kind)
            {
                case StoredRecordKind.Green when r.Commit is not null:
                    break;
                case StoredRecordKind.Approval when r.Commit is not null:
                    var reason = keptCommits.Contains(r.Commit.ToLowerInvariant()) ? ApprovalOfKept
                        : r.At is null ? Undated
                        : r.At > cutoff ? Young
                        : null;
                    if (reason is null) delete.Add(r);
                    else Keep(reason);
                    break;
                case StoredRecordKind.Deployment when r.Commit is not null:
                    var why = deployed.Contains(r.Commit.ToLowerInvariant()) ? Deployed
                        : newestEvents.Contains(r) ? NewestEvents
                        : r.At is null ? Undated
                        : r.At > cutoff ? Young
                        : null;
                    if (why is null) delete.Add(r);
                    else Keep(why);
                    break;
                case StoredRecordKind.Bypass or StoredRecordKind.Revocation or StoredRecordKind.LiftedRevocation:
                    Keep(Audit);
                    break;
                default:
                    Keep(NotOurs);
                    break;
            }
        }
        return new RetentionPlan(delete, kept);
    }
}
