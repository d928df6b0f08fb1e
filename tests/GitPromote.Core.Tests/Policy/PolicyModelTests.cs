using System.Text.RegularExpressions;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Policy;

public class PolicyModelTests
{
    [Fact]
    public void Environments_are_found_by_exact_name_and_know_their_predecessor()
    {
        var policy = TestPolicies.Orders();

        Assert.Equal(1, policy.FindEnvironment("stg")?.Index);
        Assert.Null(policy.FindEnvironment("STG"));
        Assert.Null(policy.FindEnvironment("qa"));
        Assert.Equal("stg", policy.PreviousOf(policy.Environments[2])?.Name);
        Assert.Null(policy.PreviousOf(policy.Environments[0]));
    }

    [Fact]
    public void Environment_stores_in_ssm_only_when_it_declares_ssm_evidence()
    {
        var policy = TestPolicies.Orders();

        Assert.Equal([false, true, true], policy.Environments.Select(e => e.StoresInSsm));
    }

    [Theory]
    [InlineData(new[] { "main" }, "main")]
    [InlineData(new[] { "release/*", "refs/heads/main" }, "main")]
    [InlineData(new[] { "release/*" }, "release/next")]
    [InlineData(new[] { "hotfix-?" }, "hotfix-x")]
    public void Default_branch_is_the_first_plain_name_else_the_first_pattern_made_concrete(string[] branches, string expected)
    {
        var policy = TestPolicies.Orders() with { Branches = branches };

        Assert.Equal(expected, policy.DefaultBranch());
    }

    [Theory]
    [InlineData("eu-west-1", "orders", null, "profile orders")]
    [InlineData(null, null, "arn:aws:iam::123456789012:role/deploy", "role arn:aws:iam::123456789012:role/deploy")]
    [InlineData("eu-west-1", null, null, "default credentials")]
    public void Aws_access_describes_where_credentials_come_from(string? region, string? profile, string? role, string expected)
    {
        Assert.Equal(expected, new AwsAccess(region, profile, role).Describe());
    }

    [Fact]
    public void Bypass_pattern_that_runs_too_long_rejects_instead_of_hanging()
    {
        var bypass = new BypassPolicy(new Regex("^(a+)+$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));

        Assert.False(bypass.Accepts(new string('a', 40) + "!"));
        Assert.True(bypass.Accepts("aaaa"));
    }

    [Theory]
    [InlineData("fixing prod now", true)]
    [InlineData("too short", false)]
    [InlineData("          padded", false)]
    public void Default_bypass_wants_ten_characters_starting_with_a_non_space(string justification, bool accepted)
    {
        var policy = PolicyLoader.Load("version: 1\nenvironments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]\n", ".promote.yml", "r").Policy!;

        Assert.Equal(accepted, policy.Bypass.Accepts(justification));
    }

    [Theory]
    [InlineData(3, 7, ".promote.yml:3:7: bad")]
    [InlineData(0, 0, ".promote.yml: bad")]
    public void Policy_error_prints_like_a_compiler(int line, int column, string expected)
    {
        Assert.Equal(expected, new PolicyError(".promote.yml", line, column, "bad").ToString());
    }
}
