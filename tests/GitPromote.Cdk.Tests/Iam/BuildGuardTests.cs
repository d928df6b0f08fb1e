using System.Text.Json.Nodes;
using static GitPromote.Cdk.Tests.Iam.ExampleAccounts;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>
/// The build guard is service control policy text (stack output BuildGuardScp), nothing deployed: only Deny statements,
/// within an SCP's 5,120 characters, naming the roles by the fixed names and path an upgrade keeps. What it denies and
/// to whom is the IAM matrix's "build guard" cases (IamMatrixTests).
/// </summary>
public sealed class BuildGuardTests
{
    /// <summary>AWS Organizations' limit on the size of one service control policy.</summary>
    private const int ScpMaxCharacters = 5120;

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void The_build_guard_is_an_scp_of_denies_only_and_fits_in_one_service_control_policy(string environment)
    {
        var scp = JsonNode.Parse(DeployedSet.ScpText(Deployed(environment)))!;
        var text = scp.ToJsonString();
        Assert.True(text.Length <= ScpMaxCharacters, $"{text.Length} characters");
        var statements = scp["Statement"]!.AsArray();
        Assert.Equal(3, statements.Count);
        Assert.All(statements, s => Assert.Equal("Deny", s!["Effect"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void No_policy_in_the_template_allows_every_action(string environment)
    {
        var t = Deployed(environment);
        foreach (var id in t.OfType("AWS::IAM::ManagedPolicy").Concat(t.OfType("AWS::IAM::Policy")))
            foreach (var statement in t.Properties(id)["PolicyDocument"]!["Statement"]!.AsArray())
            {
                var actions = statement!["Action"] is JsonArray a ? a.Select(x => x!.GetValue<string>()) : [statement["Action"]!.GetValue<string>()];
                Assert.DoesNotContain("*", actions);
            }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void Every_principal_the_guard_exempts_is_a_fixed_name_under_the_git_promote_path_or_CloudFormations_execution_role(string environment)
    {
        var t = Deployed(environment);
        var roles = t.Roles().Select(r => r.Arn).ToHashSet();
        var exempt = JsonNode.Parse(DeployedSet.ScpText(t))!["Statement"]!.AsArray()
            .SelectMany(s => s!["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]!.AsArray().Select(p => p!.GetValue<string>())).Distinct().ToList();
        var cloudFormation = $"arn:aws:iam::{Account(environment)}:role/AWSCloudFormationStackSetExecutionRole";
        Assert.Contains(cloudFormation, exempt);
        Assert.All(exempt.Where(e => e != cloudFormation), e =>
        {
            Assert.StartsWith($"arn:aws:iam::{Account(environment)}:role/git-promote/promote-{Service}-{environment}-", e);
            Assert.Contains(e, roles);
        });
    }
}
