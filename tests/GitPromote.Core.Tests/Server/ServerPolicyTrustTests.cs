using GitPromote.Core.Policy;
using GitPromote.Core.Server;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Server;

/// <summary>Which policy a server may trust: never one a pusher can write or create, and every push refused without one.</summary>
public sealed class ServerPolicyTrustTests
{
    private static readonly Func<string?> HeadIsMain = () => "refs/heads/main";
    private static readonly Func<string?> HeadNamesNoBranch = () => null;
    private static readonly Func<string?> HeadMustNotBeRead = () => throw new InvalidOperationException("HEAD read when a setting already decided");

    [Fact]
    public void The_admins_policy_file_wins_over_the_pinned_branch_and_head() =>
        Assert.Equal(new PolicyOrigin.AdminFile("/etc/git-promote/orders.yml"),
            ServerPolicyTrust.Choose("/etc/git-promote/orders.yml", "refs/heads/main", HeadMustNotBeRead));

    [Fact]
    public void A_relative_policy_file_is_refused_rather_than_read_from_wherever_the_hook_runs()
    {
        var origin = Assert.IsType<PolicyOrigin.Refused>(ServerPolicyTrust.Choose("orders.yml", "refs/heads/main", HeadMustNotBeRead));
        Assert.Equal("git config promote.policy must be an absolute path", origin.Refusal.Problem);
        Assert.Equal("ask the server admin to fix git config promote.policy", origin.Refusal.Todo);
    }

    [Fact]
    public void The_branch_pinned_at_install_wins_over_the_branch_head_names()
    {
        var origin = Assert.IsType<PolicyOrigin.Branch>(ServerPolicyTrust.Choose(null, "refs/heads/release", HeadMustNotBeRead));
        Assert.Equal("refs/heads/release", origin.Ref);
        Assert.Equal("the policy branch pinned at install (git config promote.policyRef)", origin.Description);
    }

    [Fact]
    public void Without_a_pin_the_policy_is_read_from_the_branch_head_names() =>
        Assert.Equal(new PolicyOrigin.Branch("refs/heads/main", "the branch HEAD names"), ServerPolicyTrust.Choose(null, null, HeadIsMain));

    [Fact]
    public void Without_a_pin_and_with_a_detached_head_every_push_is_refused()
    {
        var origin = Assert.IsType<PolicyOrigin.Refused>(ServerPolicyTrust.Choose(null, null, HeadNamesNoBranch));
        Assert.Equal("no policy: HEAD names no branch, and no policy is pinned", origin.Refusal.Problem);
        Assert.Contains("git promote install --server --env <env>", origin.Refusal.Todo);
    }

    [Fact]
    public void A_missing_policy_file_is_refused_and_named_by_its_setting_not_its_path()
    {
        var refused = ServerPolicyTrust.RefuseFile(exists: false, length: 0);
        Assert.Equal("the server's policy (git config promote.policy) does not exist", refused!.Problem);
    }

    [Fact]
    public void An_oversized_policy_file_is_refused_before_it_is_read()
    {
        Assert.NotNull(ServerPolicyTrust.RefuseFile(exists: true, length: PolicyLoader.MaxBytes + 1));
        Assert.Null(ServerPolicyTrust.RefuseFile(exists: true, length: PolicyLoader.MaxBytes));
    }

    [Fact]
    public void An_unreadable_policy_file_is_refused_naming_the_error_kind() =>
        Assert.Equal("the server's policy (git config promote.policy) cannot be read (UnauthorizedAccessException)",
            ServerPolicyTrust.FileUnreadable("UnauthorizedAccessException").Problem);

    [Fact]
    public void A_missing_policy_branch_is_refused_since_a_pusher_could_create_it()
    {
        var refused = ServerPolicyTrust.RefuseBranchText("refs/heads/main", "the branch HEAD names", null, () => false);
        Assert.Equal("no policy: the branch HEAD names, main, does not exist", refused!.Problem);
        Assert.EndsWith(", or push the branch first", refused.Todo);
    }

    [Fact]
    public void A_policy_branch_without_a_policy_file_is_refused() =>
        Assert.Equal("the deploy branch main has no .promote.yml",
            ServerPolicyTrust.RefuseBranchText("refs/heads/main", "the branch HEAD names", null, () => true)!.Problem);

    [Fact]
    public void The_branch_is_looked_up_only_when_its_policy_file_is_missing() =>
        Assert.Null(ServerPolicyTrust.RefuseBranchText("refs/heads/main", "the branch HEAD names", "version: 1",
            () => throw new InvalidOperationException("looked up the branch although its file was found")));

    [Fact]
    public void An_oversized_policy_on_a_branch_is_refused() =>
        Assert.Equal($"main:.promote.yml is larger than {PolicyLoader.MaxBytes} bytes",
            ServerPolicyTrust.RefuseBranchText("refs/heads/main", "the branch HEAD names", new string('#', (int)PolicyLoader.MaxBytes + 1), () =>
                true)!.Problem);

    [Fact]
    public void A_policy_on_a_branch_it_does_not_guard_is_not_trusted_since_any_push_could_rewrite_it()
    {
        var refused = ServerPolicyTrust.RefuseUnguarded(TestPolicies.Orders(branches: ["main"]), "refs/heads/policy");
        Assert.Equal("policy:.promote.yml does not list policy in 'branches', so it is not guarded and cannot be trusted", refused!.Problem);
    }

    [Theory]
    [InlineData("main")]
    [InlineData("release/*")]
    [InlineData("refs/heads/main")]
    public void A_policy_that_guards_its_own_branch_is_trusted(string branches) =>
        Assert.Null(ServerPolicyTrust.RefuseUnguarded(TestPolicies.Orders(branches: [branches]),
            branches.StartsWith("release", StringComparison.Ordinal) ? "refs/heads/release/1" : "refs/heads/main"));

    [Theory]
    [InlineData("ref: refs/heads/main\n", "refs/heads/main")]
    [InlineData("  ref:  refs/heads/release/2026 \n", "refs/heads/release/2026")]
    [InlineData("ref: refs/tags/v1\n", null)]
    [InlineData("ref: refs/remotes/origin/main\n", null)]
    [InlineData("0123456789abcdef0123456789abcdef01234567\n", null)]
    [InlineData("ref: refs/heads/ma\u001bin\n", null)]
    [InlineData("", null)]
    public void Head_names_a_branch_only_when_it_is_a_symbolic_ref_to_refs_heads(string headFile, string? expected) =>
        Assert.Equal(expected, ServerPolicyTrust.HeadBranch(headFile));
}
