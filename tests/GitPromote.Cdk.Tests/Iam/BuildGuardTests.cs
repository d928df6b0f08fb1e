using System.Text.Json.Nodes;
using static GitPromote.Cdk.Tests.Iam.ExampleAccounts;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>
/// The build guard (CreateBuildGuard, on in the example): as a permissions boundary or as an SCP statement it stops even an
/// administrator of the account from starting, retrying or changing the gate and record builds, and leaves the pipeline's
/// own action roles and everything else alone.
/// </summary>
public sealed class BuildGuardTests
{
    private static readonly IamSimulator Simulator = new();
    private static readonly NamedPolicy Administrator = new("AdministratorAccess", JsonNode.Parse(
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""")!);

    private static NamedPolicy Guard(ResolvedTemplate t) =>
        t.ManagedPolicy(t.OfType("AWS::IAM::ManagedPolicy").Single(p => t.Name(p).EndsWith("-build-guard", StringComparison.Ordinal)));

    private static NamedPolicy Scp(ResolvedTemplate t)
    {
        var output = t.Outputs.Single(o => o.Key.Contains("BuildGuardScpStatement", StringComparison.Ordinal)).Value!["Value"]!.GetValue<string>();
        return new NamedPolicy("GitPromoteBuildGuard", new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(JsonNode.Parse(output)) });
    }

    private static Simulation AdminCall(ResolvedTemplate t, string environment, string action, string resource) =>
        new(new IamRequest(AnyRole(environment, "Admin"), action, resource), [Administrator]);

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void An_administrator_under_the_boundary_or_the_scp_cannot_start_retry_or_change_the_gate_and_record_builds(string environment)
    {
        var t = Deployed(environment);
        var projects = WriteGreenTrustTests.BuildCommands.Where(c => environment != "dev" || c != "git promote gate").Select(c =>
            t.Arn(t.ProjectRunning(c))).ToList();
        var calls = projects.SelectMany(p => new[] { "codebuild:StartBuild", "codebuild:RetryBuild", "codebuild:UpdateProject", "codebuild:StartBuildBatch" }
            .Select(a => AdminCall(t, environment, a, p))).ToList();
        Assert.All(calls, c => Assert.True(c.Allowed(Simulator), "without the guard, an administrator may: the check below means something"));
        Assert.All(calls, c => Assert.False((c with { Boundary = Guard(t) }).Allowed(Simulator), IamSimulator.Describe(c) + " under the boundary"));
        Assert.All(calls, c => Assert.False((c with { Scps = [Scp(t)] }).Allowed(Simulator), IamSimulator.Describe(c) + " under the SCP"));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prd")]
    public void The_guard_leaves_the_pipelines_record_action_role_and_other_work_alone(string environment)
    {
        var t = Deployed(environment);
        var record = t.Arn(t.ProjectRunning("git promote record"));
        var action = t.Role(t.OfType("AWS::IAM::Role").Single(id => id.StartsWith("PromotedRecordActionRole", StringComparison.Ordinal)));
        Assert.True((Call(action, "codebuild:StartBuild", record) with { Scps = [Scp(t)] }).Allowed(Simulator));
        Assert.True((Call(action, "codebuild:StartBuild", record) with { Boundary = Guard(t) }).Allowed(Simulator));
        var other = AdminCall(t, environment, "codebuild:StartBuild", $"arn:aws:codebuild:{ResolvedTemplate.Region}:{Account(environment)}:project/team-build");
        Assert.True((other with { Boundary = Guard(t), Scps = [Scp(t)] }).Allowed(Simulator));
    }

    [Fact]
    public void A_guard_without_its_deny_lets_the_administrator_start_record()
    {
        var raw = Raw("stg");
        var t = new ResolvedTemplate(raw, Account("stg"));
        var guardId = t.OfType("AWS::IAM::ManagedPolicy").Single(p => t.Name(p).EndsWith("-build-guard", StringComparison.Ordinal));
        var statements = (JsonArray)raw["Resources"]![guardId]!["Properties"]!["PolicyDocument"]!["Statement"]!;
        statements.Remove(statements.Single(s => s!["Effect"]!.GetValue<string>() == "Deny"));
        var widened = new ResolvedTemplate(raw, Account("stg"));
        var call = AdminCall(widened, "stg", "codebuild:StartBuild",
            widened.Arn(widened.ProjectRunning("git promote record"))) with
        { Boundary = Guard(widened) };
        Assert.True(call.Allowed(Simulator));
    }
}
