using GitPromote.Core.Evidence;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Evidence;

public sealed class RecordRefsTests
{
    private static readonly Identity Ada = new("Ada", "ada@example.com");

    [Fact]
    public void A_revocation_ref_names_its_commit_in_lower_case() =>
        Assert.Equal(Ids.Sha1('a'), RecordRefs.RevokedCommit(RecordRefs.RevokedPrefix + Ids.Sha1('A')));

    [Theory]
    [InlineData("refs/promote/revoked/abc")]
    [InlineData("refs/promote/revoked-lifted/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("refs/promote/green/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Other_refs_name_no_revoked_commit(string refName) => Assert.Null(RecordRefs.RevokedCommit(refName));

    [Fact]
    public void An_approval_ref_names_its_commit_and_approver() =>
        Assert.Equal((Ids.Sha1('b'), ApproverIds.Of(Ada)), RecordRefs.ApprovalOf($"{RecordRefs.ApprovalPrefix}{Ids.Sha1('b')}/{ApproverIds.Of(Ada)}"));

    [Theory]
    [InlineData("refs/promote/approval/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    [InlineData("refs/promote/approval/not-a-commit/ada")]
    [InlineData("refs/promote/approval/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/")]
    [InlineData("refs/promote/revoked/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    public void Malformed_approval_refs_name_nothing(string refName) => Assert.Null(RecordRefs.ApprovalOf(refName));

    [Theory]
    [InlineData("refs/Promote/green/x", true)]
    [InlineData("refs/PROMOTE/bypass/x", true)]
    [InlineData("refs/promote/green/x", false)]
    [InlineData("refs/heads/promote/x", false)]
    [InlineData("refs/promoted/x", false)]
    public void A_record_namespace_in_another_case_is_told_apart(string refName, bool miscased) =>
        Assert.Equal(miscased, RecordRefs.IsMiscasedRecord(refName));
}
