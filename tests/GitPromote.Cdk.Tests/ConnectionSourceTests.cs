using System.Text.Json.Nodes;
using GitPromote.Cdk.Tests.Iam;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

/// <summary>A GitHub/GitLab/Bitbucket repository through a connection instead of a CodeCommit repository.</summary>
public sealed class ConnectionSourceTests : IDisposable
{
    private const string ConnectionArn = "arn:aws:codestar-connections:eu-west-1:222222222222:connection/0c2f4a3e-1111-2222-3333-444455556666";
    private readonly TempDirectory _temp = new();
    private readonly Cfn _stg;

    private const string CodeConnectionsArn = "arn:aws:codeconnections:eu-west-1:222222222222:connection/7d1f2a3e-1111-2222-3333-444455556666";

    public ConnectionSourceTests() => _stg = Cfn.Load(Synth(ConnectionArn));

    private string Synth(string connectionArn)
    {
        var outdir = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N"));
        var app = new Amazon.CDK.App(new Amazon.CDK.AppProps { Outdir = outdir, AnalyticsReporting = false });
        var stack = PromotedSet.NewStack(app, "stg");
        new PromotedEnvironment(stack, "Promoted", PromotedSet.Props(stack, "stg", GitPromoteBinary.FromTemplateParameters(),
            source: PromotedSource.Connection(connectionArn, "acme", "orders")));
        app.Synth();
        return Path.Combine(outdir, "orders-stg.template.json");
    }

    /// <summary>
    /// IAM matches an action's service prefix to the resource's: a connection made since the rename has a codeconnections ARN
    /// and needs codeconnections:UseConnection, one made before keeps codestar-connections. The source action role may use
    /// either kind (the simulator), and only the one it is given.
    /// </summary>
    [Theory]
    [InlineData(ConnectionArn, "codestar-connections:UseConnection")]
    [InlineData(CodeConnectionsArn, "codeconnections:UseConnection")]
    public void The_source_action_may_use_its_connection_with_the_action_of_the_connections_service_prefix(string connection, string action)
    {
        var t = new ResolvedTemplate((JsonObject)JsonNode.Parse(File.ReadAllText(Synth(connection)))!, PromotedSet.Accounts["stg"]);
        var role = t.Roles().Single(r => r.Arn.EndsWith("/promote-orders-stg-source-action", StringComparison.Ordinal));
        var simulator = new IamSimulator();
        Assert.True(ExampleAccounts.Call(role, action, connection).Allowed(simulator), $"{action} on {connection}");
        var other = connection.Replace("connection/", "connection/ffffffff-", StringComparison.Ordinal);
        Assert.False(ExampleAccounts.Call(role, action, other).Allowed(simulator), $"{action} on another connection");
    }

    [Fact]
    public void A_connection_arn_of_another_service_is_refused()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Synth("arn:aws:codecommit:eu-west-1:222222222222:orders"));
        Assert.StartsWith("the source connection needs a connection ARN (arn:aws:codestar-connections:... or arn:aws:codeconnections:...)", error.Message);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_connection_is_the_source_no_repository_is_created_and_the_gate_still_gets_the_fetched_commit()
    {
        Assert.Empty(_stg.Resources("AWS::CodeCommit::Repository"));
        Assert.Equal(["Source", "Gate", "Deploy", "Record"], _stg.StageNames);
        var stages = _stg.Pipeline.GetProperty("Stages");
        var source = stages[0].GetProperty("Actions")[0];
        Assert.Equal("CodeStarSourceConnection", source.GetProperty("ActionTypeId").GetProperty("Provider").GetString());
        var configuration = source.GetProperty("Configuration");
        Assert.Equal(ConnectionArn, configuration.GetProperty("ConnectionArn").GetString());
        Assert.Equal("acme/orders", configuration.GetProperty("FullRepositoryId").GetString());
        Assert.Equal("main", configuration.GetProperty("BranchName").GetString());
        Assert.True(configuration.GetProperty("DetectChanges").GetBoolean());

        var gate = stages[1].GetProperty("Actions")[0].GetProperty("Configuration").GetProperty("EnvironmentVariables").GetString();
        Assert.Contains($"#{{{source.GetProperty("Namespace").GetString()}.CommitId}}", gate);
    }

    [Fact]
    public void Only_the_source_action_may_use_the_connection()
    {
        var uses = _stg.IdentityStatements().Where(s => s.Actions.Any(a => a.Contains("UseConnection", StringComparison.Ordinal))).ToList();
        var use = Assert.Single(uses);
        Assert.Equal([ConnectionArn], use.Resources);
        Assert.Contains("SourceActionRole", use.PolicyId);
    }

    [Fact]
    public void A_connection_pipeline_is_triggered_only_by_pushes_to_the_deploy_branch()
    {
        var trigger = Assert.Single(_stg.Pipeline.GetProperty("Triggers").EnumerateArray());
        Assert.Equal("CodeStarSourceConnection", trigger.GetProperty("ProviderType").GetString());
        var git = trigger.GetProperty("GitConfiguration");
        Assert.Equal("Source", git.GetProperty("SourceActionName").GetString());
        var push = Assert.Single(git.GetProperty("Push").EnumerateArray());
        Assert.Equal(["main"], push.GetProperty("Branches").GetProperty("Includes").EnumerateArray().Select(b => b.GetString()));
    }
}
