using GitPromote.Core.PipelineGate;
using GitPromote.Core.Settings;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Core.Tests.PipelineGate;

public class PipelineInputsTests
{
    private static FakeEnvironment Env(params (string Name, string? Value)[] vars) => new(vars);

    [Fact]
    public void The_commit_flag_wins_over_every_CI_variable()
    {
        var source = PipelineInputs.CommitFrom("abc", Env(("CODEBUILD_RESOLVED_SOURCE_VERSION", Ids.Sha1('a'))));
        Assert.Equal(new CommitSource("abc", "--commit"), source);
    }

    [Theory]
    [InlineData("CODEBUILD_RESOLVED_SOURCE_VERSION")]
    [InlineData("GITHUB_SHA")]
    [InlineData("CI_COMMIT_SHA")]
    [InlineData("BUILDKITE_COMMIT")]
    [InlineData("GIT_COMMIT")]
    public void Each_CI_variable_names_the_commit(string variable)
    {
        Assert.Equal(new CommitSource(Ids.Sha1('a'), variable), PipelineInputs.CommitFrom(null, Env((variable, Ids.Sha1('a')))));
    }

    [Fact]
    public void CodeBuild_comes_before_GitHub_and_an_empty_variable_is_unset()
    {
        var source = PipelineInputs.CommitFrom(null,
            Env(("CODEBUILD_RESOLVED_SOURCE_VERSION", " "), ("GITHUB_SHA", Ids.Sha1('b')), ("GIT_COMMIT", Ids.Sha1('c'))));
        Assert.Equal("GITHUB_SHA", source!.From);
        Assert.Null(PipelineInputs.CommitFrom(null, Env()));
    }

    [Theory]
    [InlineData("ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD", "abcdefabcdefabcdefabcdefabcdefabcdefabcd")]
    [InlineData("abc1234", null)]
    [InlineData("0000000000000000000000000000000000000000", null)]
    [InlineData("refs/heads/main", null)]
    [InlineData("gggggggggggggggggggggggggggggggggggggggg", null)]
    public void Only_full_ids_are_taken_without_a_repository(string value, string? expected)
    {
        Assert.Equal(expected, PipelineInputs.FullId(value));
        Assert.Equal(Ids.Sha256('e'), PipelineInputs.FullId(Ids.Sha256('e')));
    }

    [Theory]
    [InlineData("dev", "PROMOTE_AWS_ROLE_DEV")]
    [InlineData("stg-eu.1", "PROMOTE_AWS_ROLE_STG_EU_1")]
    public void The_variable_of_an_environment_is_its_name_upper_cased_with_other_characters_as_underscores(string env, string expected)
    {
        Assert.Equal(expected, PipelineInputs.VariableFor(PromoteSettings.Variables.AwsRolePrefix, env));
    }

    [Fact]
    public void Options_win_over_variables_and_unknown_environments_are_refused()
    {
        var roles = PipelineInputs.PerEnvironment("--role", ["dev=arn:aws:iam::1:role/a"], PromoteSettings.Variables.AwsRolePrefix, Orders(),
            Env(("PROMOTE_AWS_ROLE_DEV", "arn:aws:iam::1:role/from-env"), ("PROMOTE_AWS_ROLE_STG", "arn:aws:iam::2:role/b")));
        Assert.Equal(new GivenValue("arn:aws:iam::1:role/a", "--role dev=..."), roles["dev"]);
        Assert.Equal(new GivenValue("arn:aws:iam::2:role/b", "PROMOTE_AWS_ROLE_STG"), roles["stg"]);
        Assert.False(roles.ContainsKey("prd"));
        var e = Assert.Throws<FormatException>(() =>
            PipelineInputs.PerEnvironment("--role", ["qa=arn:x"], PromoteSettings.Variables.AwsRolePrefix, Orders(), Env()));
        Assert.Contains("'qa'", e.Message);
        Assert.Throws<FormatException>(() =>
            PipelineInputs.PerEnvironment("--remote", ["dev"], PromoteSettings.Variables.RemotePrefix, Orders(), Env()));
    }

    [Fact]
    public void An_environment_given_twice_by_a_flag_is_refused_rather_than_the_last_one_winning()
    {
        var e = Assert.Throws<FormatException>(() => PipelineInputs.PerEnvironment("--role", ["stg=arn:aws:iam::2:role/a", "stg=arn:aws:iam::2:role/b"],
            PromoteSettings.Variables.AwsRolePrefix, Orders(), Env()));

        Assert.Equal("--role is given twice for stg: give each environment once", e.Message);
    }

    [Fact]
    public void A_role_replaces_the_profile_and_keeps_the_region()
    {
        var policy = PipelineInputs.WithRoles(Orders(), new Dictionary<string, string> { ["stg"] = "arn:aws:iam::2:role/reader" });
        var stg = policy.FindEnvironment("stg")!;
        Assert.Equal("eu-west-1", stg.Aws!.Region);
        Assert.Null(stg.Aws.Profile);
        Assert.Equal("arn:aws:iam::2:role/reader", stg.Aws.RoleArn);
        Assert.Equal("orders-prd", policy.FindEnvironment("prd")!.Aws!.Profile);
        Assert.Throws<FormatException>(() => PipelineInputs.WithRoles(Orders(), new Dictionary<string, string> { ["stg"] = "not-an-arn" }));
    }
}
