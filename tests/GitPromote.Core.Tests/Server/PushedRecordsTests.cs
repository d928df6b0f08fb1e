using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Core.Server;
using GitPromote.Core.Settings;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Server;

/// <summary>The tamper rules for pushed <c>refs/promote/*</c>: a pusher must not write evidence that admits their own push.</summary>
public sealed class PushedRecordsTests
{
    private const string Env = "stg";
    private static readonly Identity Pipeline = new("pipeline", "");
    private static readonly Identity Mallory = new("mallory", "mallory@example.com");
    private static readonly Identity Alice = new("alice", "alice@example.com");
    private static readonly string[] Recorders = ["pipeline"];
    private static readonly string Commit = Ids.Sha1('a');
    private static readonly string Tag = Ids.Sha1('7');
    private static readonly string Old = Ids.Sha1('6');

    private sealed class Tags(Dictionary<string, RecordTag>? tags = null) : IRecordTags
    {
        public RecordTag? Read(string objectId) => tags?.GetValueOrDefault(objectId);
    }

    private static RefUpdate Create(string refName, string id) => new(refName, id, refName, Ids.Zero40);
    private static RefUpdate Move(string refName) => new(refName, Tag, refName, Old);
    private static RefUpdate Delete(string refName) => new(refName, Ids.Zero40, refName, Old);

    private static RecordRefusal? Judge(Identity pusher, IRecordTags? tags = null, params RefUpdate[] updates) =>
        PushedRecords.Judge(updates, Env, pusher, Recorders, tags ?? new Tags());

    /// <summary>Refused, and by the rule <paramref name="rule"/> names (a part of its Why), not by some other one.</summary>
    private static void RefusedBy(string rule, RecordRefusal? refusal)
    {
        Assert.NotNull(refusal);
        Assert.Contains(rule, refusal.Why);
    }

    private static string ApprovalRef(Identity who) => $"{RecordRefs.ApprovalPrefix}{Commit}/{ApproverIds.Of(who)}";
    private static string LiftedRef(string commit) => $"{RecordRefs.LiftedPrefix}20261126T155100Z-{commit}-ab12";

    private static Tags LiftedTag(string target, string environment, string revokedCommit) => new(new()
    {
        [Tag] = new RecordTag(target, RecordJson.LiftedRevocationBody(new LiftedRevocation(
            new Revocation(environment, revokedCommit, "bad build", Alice, DateTimeOffset.UnixEpoch), Pipeline, DateTimeOffset.UnixEpoch))),
    });

    [Fact]
    public void Branches_and_tags_outside_refs_promote_are_not_judged_here() =>
        Assert.Null(Judge(Mallory, null, Create("refs/heads/main", Commit), Delete("refs/tags/v1"), Move("refs/heads/feature")));

    [Fact]
    public void A_green_record_pushed_by_a_non_recorder_is_refused_as_forged_evidence()
    {
        var refused = Judge(Mallory, null, Create(RecordRefs.GreenPrefix + Commit, Commit));
        Assert.NotNull(refused);
        Assert.Contains($"only the accounts in git config {PromoteSettings.GitKeys.Recorders} may write green records", refused.Why);
        Assert.Contains("mallory", refused.Why);
    }

    private static string DeployRef => $"{RecordRefs.DeployPrefix}20261126T155100Z-{Commit}-ab12";

    [Fact]
    public void A_deployment_event_pushed_by_a_non_recorder_is_refused_as_forged_evidence()
    {
        var refused = Judge(Mallory, null, Create(DeployRef, Tag));
        Assert.NotNull(refused);
        Assert.Contains($"only the accounts in git config {PromoteSettings.GitKeys.Recorders} may write deployment events", refused.Why);
        Assert.Contains("mallory", refused.Why);
    }

    [Fact]
    public void A_deployment_event_deleted_or_moved_by_a_non_recorder_is_refused()
    {
        Assert.Contains("may delete deployment events", Judge(Mallory, null, Delete(DeployRef))!.Why);
        RefusedBy($"{DeployRef}: only the accounts in git config {PromoteSettings.GitKeys.Recorders} may write deployment events",
            Judge(Mallory, null, Move(DeployRef)));
    }

    [Fact]
    public void A_deployment_event_pushed_or_pruned_by_a_listed_recorder_is_allowed()
    {
        Assert.Null(Judge(Pipeline, null, Create(DeployRef, Tag)));
        Assert.Null(Judge(Pipeline, null, Delete(DeployRef)));
        Assert.True(RecordWriters.MayDelete(DeployRef, Pipeline, Recorders));
        Assert.False(RecordWriters.MayDelete(DeployRef, Mallory, Recorders));
    }

    [Fact]
    public void A_green_record_pushed_by_a_listed_recorder_is_allowed() =>
        Assert.Null(Judge(Pipeline, null, Create(RecordRefs.GreenPrefix + Commit, Commit)));

    [Fact]
    public void A_green_record_pushed_by_an_unknown_pusher_is_refused_even_when_unknown_is_listed() =>
        RefusedBy($"may write green records, and this server knows you as {Identity.Unknown}",
            PushedRecords.Judge([Create(RecordRefs.GreenPrefix + Commit, Commit)], Env, Identity.Unknown, ["unknown"], new Tags()));

    [Fact]
    public void A_non_recorder_may_not_delete_green_records_either()
    {
        var refused = Judge(Mallory, null, Delete(RecordRefs.GreenPrefix + Commit));
        Assert.Contains("may delete green records", refused!.Why);
    }

    [Fact]
    public void A_refused_green_record_refuses_the_push_even_behind_an_innocent_branch_update() =>
        RefusedBy($"{RecordRefs.GreenPrefix}{Commit}: only the accounts in git config {PromoteSettings.GitKeys.Recorders} may write green records",
            Judge(Mallory, null, Create("refs/heads/main", Commit), Create(RecordRefs.GreenPrefix + Commit, Commit)));

    [Fact]
    public void An_approval_under_the_pushers_own_id_is_allowed() =>
        Assert.Null(Judge(Alice, null, Create(ApprovalRef(Alice), Tag)));

    [Fact]
    public void An_approval_under_someone_elses_id_is_refused()
    {
        var refused = Judge(Mallory, null, Create(ApprovalRef(Alice), Tag));
        Assert.NotNull(refused);
        Assert.Contains("an approval may be written only by the approver themself", refused.Why);
        Assert.Contains(ApproverIds.Of(Mallory), refused.Todo);
    }

    [Fact]
    public void An_approval_by_a_pusher_the_server_cannot_name_is_refused() =>
        RefusedBy($"an approval may be written only by the approver themself, and this server knows you as {Identity.Unknown}",
            Judge(Identity.Unknown, null, Create($"{RecordRefs.ApprovalPrefix}{Commit}/{ApproverIds.Of(Identity.Unknown)}", Tag)));

    [Fact]
    public void A_malformed_approval_ref_is_refused()
    {
        var refused = Judge(Alice, null, Create(RecordRefs.ApprovalPrefix + "not-a-commit/" + ApproverIds.Of(Alice), Tag));
        Assert.Contains("is not an approval record", refused!.Why);
    }

    [Fact]
    public void A_recorder_may_delete_other_peoples_approvals_when_pruning_but_nobody_else_may()
    {
        Assert.Null(Judge(Pipeline, null, Delete(ApprovalRef(Alice))));
        RefusedBy($"{ApprovalRef(Alice)}: an approval may be written only by the approver themself", Judge(Mallory, null, Delete(ApprovalRef(Alice))));
    }

    [Fact]
    public void A_pushed_bypass_record_is_refused_since_only_the_servers_guard_writes_them()
    {
        var refused = Judge(Pipeline, null, Create(RecordRefs.BypassPrefix + "20261126T155100Z-" + Commit + "-ab12", Tag));
        Assert.Contains("bypass records are written only by this server's guard", refused!.Why);
        Assert.Contains($"git push -o {PromoteSettings.GitKeys.Bypass}=", refused.Todo);
    }

    [Fact]
    public void A_bypass_record_is_never_moved_or_deleted_even_by_a_recorder()
    {
        var name = RecordRefs.BypassPrefix + "20261126T155100Z-" + Commit + "-ab12";
        Assert.Contains("records are never changed or deleted", Judge(Pipeline, null, Delete(name))!.Why);
        Assert.Contains("records are never changed or deleted", Judge(Pipeline, null, Move(name))!.Why);
    }

    [Fact]
    public void A_pushed_pending_entry_is_refused() =>
        Assert.Contains("the guard's own bookkeeping", Judge(Pipeline, null, Create(RecordRefs.PendingPrefix + "x", Tag))!.Why);

    [Theory]
    [InlineData("refs/promote/x")]
    [InlineData("refs/promote/greenish/abc")]
    [InlineData("refs/promote/")]
    public void An_unknown_ref_under_refs_promote_is_refused(string name) =>
        Assert.Contains("is not a record git-promote writes", Judge(Pipeline, null, Create(name, Tag))!.Why);

    [Fact]
    public void Anyone_may_revoke_since_it_only_makes_the_guard_stricter() =>
        Assert.Null(Judge(Mallory, null, Create(RecordRefs.RevokedPrefix + Commit, Tag)));

    [Fact]
    public void A_revocation_is_not_deleted_without_a_lifted_record_of_that_commit_in_the_same_push()
    {
        var refused = Judge(Pipeline, null, Delete(RecordRefs.RevokedPrefix + Commit));
        Assert.Contains("is a revocation: it is lifted only by git promote record --force", refused!.Why);
        RefusedBy($"{RecordRefs.RevokedPrefix}{Commit} is a revocation: it is lifted only by git promote record --force",
            Judge(Pipeline, null, Move(RecordRefs.RevokedPrefix + Commit)));
    }

    [Fact]
    public void A_recorder_lifts_a_revocation_with_a_well_formed_lifted_record_in_the_same_push() =>
        Assert.Null(Judge(Pipeline, LiftedTag(Commit, Env, Commit), Delete(RecordRefs.RevokedPrefix + Commit), Create(LiftedRef(Commit), Tag)));

    [Fact]
    public void A_lifted_record_of_another_commit_does_not_lift_this_revocation()
    {
        var other = Ids.Sha1('b');
        RefusedBy($"{RecordRefs.RevokedPrefix}{Commit} is a revocation: it is lifted only by git promote record --force",
            Judge(Pipeline, LiftedTag(other, Env, other), Delete(RecordRefs.RevokedPrefix + Commit), Create(LiftedRef(other), Tag)));
    }

    [Fact]
    public void A_non_recorder_may_not_lift_a_revocation()
    {
        var refused = Judge(Mallory, LiftedTag(Commit, Env, Commit), Delete(RecordRefs.RevokedPrefix + Commit), Create(LiftedRef(Commit), Tag));
        Assert.Contains("may lift a revocation", refused!.Why);
    }

    [Fact]
    public void A_lifted_record_whose_tag_points_at_another_commit_is_refused() =>
        Assert.Contains("is not a lifted revocation record of stg",
            Judge(Pipeline, LiftedTag(Ids.Sha1('b'), Env, Commit), Create(LiftedRef(Commit), Tag))!.Why);

    [Fact]
    public void A_lifted_record_of_another_environment_is_refused() =>
        RefusedBy($"{LiftedRef(Commit)} is not a lifted revocation record of stg",
            Judge(Pipeline, LiftedTag(Commit, "prd", Commit), Create(LiftedRef(Commit), Tag)));

    [Fact]
    public void A_lifted_record_that_is_not_a_readable_tag_is_refused() =>
        RefusedBy($"{LiftedRef(Commit)} is not a lifted revocation record of stg", Judge(Pipeline, new Tags(), Create(LiftedRef(Commit), Tag)));

    [Fact]
    public void A_lifted_record_whose_body_is_not_a_lifted_revocation_is_refused() =>
        RefusedBy($"{LiftedRef(Commit)} is not a lifted revocation record of stg",
            Judge(Pipeline, new Tags(new() { [Tag] = new RecordTag(Commit, "{\"not\":\"a record\"}") }), Create(LiftedRef(Commit), Tag)));

    [Fact]
    public void A_lifted_record_is_never_changed_or_deleted()
    {
        Assert.Contains("records are never changed or deleted", Judge(Pipeline, LiftedTag(Commit, Env, Commit), Move(LiftedRef(Commit)))!.Why);
        RefusedBy($"{LiftedRef(Commit)} records a lifted revocation: records are never changed or deleted", Judge(Pipeline, null, Delete(LiftedRef(Commit))));
    }
}
