using GitPromote.Core.Evidence;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Evidence;

public class RetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetentionRules KeepTwoFor30Days = new(2, TimeSpan.FromDays(30));

    private static string C(int i) => Ids.Sha1((char)('a' + i));

    private static StoredRecord Green(int i, int daysAgo) => new($"green/{C(i)}", StoredRecordKind.Green, C(i), Now.AddDays(-daysAgo));

    private static IReadOnlyList<string> Deleted(RetentionPlan plan) => plan.Delete.Select(r => r.Name).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Old_green_beyond_the_newest_N_is_deleted_and_the_newest_N_are_kept()
    {
        var records = new[] { Green(0, 100), Green(1, 90), Green(2, 80), Green(3, 70) };

        var plan = Retention.Decide(records, [], KeepTwoFor30Days, Now);

        Assert.Equal([$"green/{C(0)}", $"green/{C(1)}"], Deleted(plan));
        Assert.Equal(2, plan.KeptBecause[Retention.Newest]);
    }

    [Fact]
    public void The_deployed_commit_is_kept_however_old()
    {
        var records = new[] { Green(0, 400), Green(1, 90), Green(2, 80), Green(3, 70) };

        var plan = Retention.Decide(records, [C(0).ToUpperInvariant()], KeepTwoFor30Days, Now);

        Assert.Equal([$"green/{C(1)}"], Deleted(plan));
        Assert.Equal(1, plan.KeptBecause[Retention.Deployed]);
    }

    [Fact]
    public void Anything_younger_than_the_cut_off_is_kept_beyond_the_newest_N()
    {
        var records = Enumerable.Range(0, 6).Select(i => Green(i, 5 + i)).Append(Green(7, 31)).ToList();

        var plan = Retention.Decide(records, [], KeepTwoFor30Days, Now);

        Assert.Equal([$"green/{C(7)}"], Deleted(plan));
        Assert.Equal(4, plan.KeptBecause[Retention.Young]);
    }

    [Fact]
    public void Keep_zero_and_no_age_deletes_every_green_but_the_deployed_one()
    {
        var records = new[] { Green(0, 1), Green(1, 2), Green(2, 3) };

        var plan = Retention.Decide(records, [C(1)], new RetentionRules(0, TimeSpan.Zero), Now);

        Assert.Equal([$"green/{C(0)}", $"green/{C(2)}"], Deleted(plan));
    }

    [Fact]
    public void Bypass_revocation_and_lifted_records_are_never_deleted_however_old()
    {
        var records = new[]
        {
            new StoredRecord("bypass/x", StoredRecordKind.Bypass, C(0), Now.AddYears(-5)),
            new StoredRecord("revoked/x", StoredRecordKind.Revocation, C(0), Now.AddYears(-5)),
            new StoredRecord("revoked-lifted/x", StoredRecordKind.LiftedRevocation, C(0), Now.AddYears(-5)),
            new StoredRecord("something/else", StoredRecordKind.Unknown, null, Now.AddYears(-5)),
        };

        var plan = Retention.Decide(records, [], new RetentionRules(0, TimeSpan.Zero), Now);

        Assert.Empty(plan.Delete);
        Assert.Equal(3, plan.KeptBecause[Retention.Audit]);
        Assert.Equal(1, plan.KeptBecause[Retention.NotOurs]);
    }

    [Fact]
    public void Approvals_follow_their_commit_and_pending_ones_are_kept_while_young()
    {
        var records = new[]
        {
            Green(0, 100), Green(1, 90), Green(2, 80), Green(3, 70),
            new StoredRecord("approval/old-pruned", StoredRecordKind.Approval, C(0), Now.AddDays(-100)),
            new StoredRecord("approval/old-kept", StoredRecordKind.Approval, C(3), Now.AddDays(-70)),
            new StoredRecord("approval/pending-young", StoredRecordKind.Approval, C(9), Now.AddDays(-1)),
            new StoredRecord("approval/pending-old", StoredRecordKind.Approval, C(9), Now.AddDays(-60)),
        };

        var plan = Retention.Decide(records, [], KeepTwoFor30Days, Now);

        Assert.Equal(["approval/old-pruned", "approval/pending-old", $"green/{C(0)}", $"green/{C(1)}"], Deleted(plan));
    }

    [Fact]
    public void A_record_without_a_time_is_kept()
    {
        var records = new[] { Green(0, 100), Green(1, 90), Green(2, 80), new StoredRecord("green/undated", StoredRecordKind.Green, C(5), null) };

        var plan = Retention.Decide(records, [], new RetentionRules(1, TimeSpan.FromDays(1)), Now);

        // The undated one sorts as newest (its age is unknown), so it takes one of the N slots and nothing undated is lost.
        Assert.Equal([$"green/{C(0)}", $"green/{C(1)}", $"green/{C(2)}"], Deleted(plan));
        Assert.Equal(4 - 3, plan.Kept);
    }

    [Fact]
    public void Deciding_twice_on_what_is_left_deletes_nothing_more()
    {
        var records = Enumerable.Range(0, 8).Select(i => Green(i, 40 + i)).ToList();
        var first = Retention.Decide(records, [C(7)], KeepTwoFor30Days, Now);
        var left = records.Except(first.Delete).ToList();

        var second = Retention.Decide(left, [C(7)], KeepTwoFor30Days, Now);

        Assert.Empty(second.Delete);
        Assert.Equal(3, left.Count);
    }

    [Fact]
    public void Deleting_green_or_approvals_on_a_server_is_for_recorders_only_and_the_audit_trail_for_nobody()
    {
        var pipeline = new Identity("pipeline", "");
        string[] recorders = ["pipeline"];

        Assert.True(RecordWriters.MayDelete($"refs/promote/green/{C(0)}", pipeline, recorders));
        Assert.True(RecordWriters.MayDelete($"refs/promote/approval/{C(0)}/bob-0123456789ab", pipeline, recorders));
        Assert.False(RecordWriters.MayDelete($"refs/promote/green/{C(0)}", new Identity("mallory", ""), recorders));
        Assert.False(RecordWriters.MayDelete($"refs/promote/green/{C(0)}", Identity.Unknown, ["unknown"]));
        Assert.False(RecordWriters.MayDelete($"refs/promote/green/{C(0)}", pipeline, []));
        Assert.False(RecordWriters.MayDelete($"refs/promote/green/{C(0)}", new Identity("Pipeline", ""), recorders));
        Assert.False(RecordWriters.MayDelete($"refs/promote/bypass/20260101T000000Z-{C(0)}-abcd", pipeline, recorders));
        Assert.False(RecordWriters.MayDelete($"refs/promote/revoked/{C(0)}", pipeline, recorders));
        Assert.False(RecordWriters.MayDelete("refs/promote/revoked-lifted/x", pipeline, recorders));
    }

    private static StoredRecord Event(int i, int daysAgo) => new($"deploy/{C(i)}-{daysAgo}", StoredRecordKind.Deployment, C(i), Now.AddDays(-daysAgo));

    [Fact]
    public void Deployment_events_are_kept_by_the_rules_of_green_records_newest_N_young_and_deployed_now()
    {
        var records = new[] { Event(0, 400), Event(1, 100), Event(2, 90), Event(1, 80), Event(3, 70), Event(4, 10) };

        var plan = Retention.Decide(records, [C(0)], KeepTwoFor30Days, Now);

        Assert.Equal([$"deploy/{C(1)}-100", $"deploy/{C(1)}-80", $"deploy/{C(2)}-90"], Deleted(plan));
        Assert.Equal(1, plan.KeptBecause[Retention.Deployed]);
        Assert.Equal(2, plan.KeptBecause[Retention.NewestEvents]);
    }
}
