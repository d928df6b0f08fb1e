using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

/// <summary>A GitHub/GitLab/Bitbucket repository through a connection instead of a CodeCommit repository.</summary>
public sealed class ConnectionSourceTests : IDisposable
{
    private const string ConnectionArn = "arn:aws:codestar-connections:eu-west-1:222222222222:connection/0c2f4a3e-1111-2222-3333-444455556666";
    private readonly TempDirectory _temp = new();
    private readonly Cfn _stg;

    public ConnectionSourceTests()
    {
        var app = new Amazon.CDK.App(new Amazon.CDK.AppProps { Outdir = _temp.Path, AnalyticsReporting = false });
        var stack = PromotedSet.NewStack(app, "stg");
        new PromotedEnvironment(stack, "Promoted", PromotedSet.Props(stack, "stg", GitPromoteBinary.FromTemplateParameters(),
            source: PromotedSource.Connection(ConnectionArn, "acme", "orders")));
        app.Synth();
        _stg = Cfn.Load(Path.Combine(_temp.Path, "orders-stg.template.json"));
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
        var uses = _stg.IdentityStatements().Where(s => s.Actions.Any(a => a.Contains("UseConnection"))).ToList();
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
