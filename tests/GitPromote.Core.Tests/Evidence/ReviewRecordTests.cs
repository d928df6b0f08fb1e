using GitPromote.Core.Evidence;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Evidence;

public class ReviewRecordTests
{
    private static readonly DateTimeOffset Noon = new(2024, 6, 3, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("Ada", "ada@example.com", "ada_example.com")]
    [InlineData("Ada", "ADA@Example.com", "ada_example.com")]
    [InlineData("arn:aws:sts::123456789012:assumed-role/Deployer/ada@example.com", "", "arn_aws_sts__123456789012_assumed-role_deployer_")]
    [InlineData("..hidden..name", "", "_.hidden._name")]
    public void Approver_ids_are_readable_ref_and_parameter_safe_and_keyed_by_email_or_name(string name, string email, string readable)
    {
        var id = ApproverIds.Of(new Identity(name, email));

        Assert.Equal(readable, ApproverIds.Readable(id));
        Assert.True(ApproverIds.IsValid(id), id);
        Assert.DoesNotContain("..", id);
        Assert.Matches("^[a-z0-9_][a-z0-9._-]*-[0-9a-f]{12}$", id);
    }

    [Fact]
    public void Approver_ids_differ_for_identities_that_read_alike()
    {
        Assert.NotEqual(ApproverIds.Of(new Identity("x", "a+b@example.com")), ApproverIds.Of(new Identity("x", "a_b@example.com")));
        Assert.Equal(ApproverIds.Of(new Identity("Ada Lovelace", "ada@example.com")), ApproverIds.Of(new Identity("Ada", "ada@example.com")));
    }

    [Theory]
    [InlineData("ada_example.com-0123456789ab", true)]
    [InlineData("ada_example.com-0123456789a", false)]
    [InlineData("ADA-0123456789ab", false)]
    [InlineData("a/b-0123456789ab", false)]
    [InlineData("-0123456789ab", false)]
    public void Foreign_names_are_not_approver_ids(string id, bool valid)
    {
        Assert.Equal(valid, ApproverIds.IsValid(id));
    }

    [Fact]
    public void Revocation_approval_and_lift_bodies_read_back_as_written()
    {
        var commit = Ids.Sha1('a');
        var revocation = new Revocation("stg", commit, "alarm: 5xx > 2%", new Identity("Ops", "ops@example.com"), Noon);
        var approval = new Approval("prd", commit, ApproverIds.Of(new Identity("Bob", "bob@example.com")), new Identity("Bob", "bob@example.com"), Noon,
            "looks good");
        var lifted = new LiftedRevocation(revocation, new Identity("Ada", "ada@example.com"), Noon.AddHours(1));

        Assert.Equal(revocation, RecordJson.ReadRevocation(RecordJson.RevocationBody(revocation)));
        Assert.Equal(approval, RecordJson.ReadApproval(RecordJson.ApprovalBody(approval)));
        Assert.Equal(lifted, RecordJson.ReadLiftedRevocation(RecordJson.LiftedRevocationBody(lifted)));
        Assert.Null(RecordJson.ReadLiftedRevocation(RecordJson.RevocationBody(revocation)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a plain value")]
    [InlineData("{not json")]
    [InlineData("{\"commit\": \"x\"}")]
    public void Bodies_that_are_not_records_read_as_nothing(string? body)
    {
        Assert.Null(RecordJson.ReadRevocation(body));
        Assert.Null(RecordJson.ReadApproval(body));
        Assert.Null(RecordJson.ReadLiftedRevocation(body));
    }

    [Fact]
    public void A_bypass_record_keeps_the_rules_it_set_aside()
    {
        var bypass = new BypassRecord("prd", Ids.Sha1('a'), "refs/heads/main", "INC-1: fix now please", new Identity("Ada", "ada@example.com"), Noon)
        {
            Overrides = ["soak", "freeze"],
        };

        Assert.Equal(bypass, RecordJson.ReadBypass(RecordJson.BypassBody(bypass)));
        Assert.DoesNotContain("overrides", RecordJson.BypassBody(bypass with { Overrides = [] }));
    }

    [Fact]
    public void Review_records_merge_as_if_read_at_once()
    {
        var a = ReviewRecords.Found("store", [new Revocation("stg", Ids.Sha1('a'))], null);
        var b = ReviewRecords.Found("store", [new Revocation("stg", Ids.Sha1('b'))], [new Approval("stg", Ids.Sha1('b'), "x-0123456789ab")]);

        var merged = a.Merge(b);

        Assert.NotNull(merged.RevocationOf(Ids.Sha1('a')));
        Assert.NotNull(merged.RevocationOf(Ids.Sha1('b')));
        Assert.Single(merged.ApprovalsOf(Ids.Sha1('b')));
        Assert.True(merged.ApprovalsRead);
        Assert.Null(merged.Failure);
    }
}
