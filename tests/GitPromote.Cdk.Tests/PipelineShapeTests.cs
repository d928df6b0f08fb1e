using System.Text.Json;
using Amazon.CDK.AWS.Logs;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

/// <summary>V2 and QUEUED, Lambda compute, logs with retention, expiring artifacts, and no role trusting an account root unconditionally.</summary>
[Collection(PromotedSetCollection.Name)]
public sealed class PipelineShapeTests(PromotedSetFixture set)
{
    [Fact]
    public void Every_pipeline_is_V2_and_queues_executions_so_no_pushed_commit_is_superseded_between_gate_and_record()
    {
        Assert.All(set.All, t =>
        {
            Assert.Equal("V2", t.Pipeline.GetProperty("PipelineType").GetString());
            Assert.Equal("QUEUED", t.Pipeline.GetProperty("ExecutionMode").GetString());
        });
    }

    [Fact]
    public void A_codecommit_pipeline_starts_only_on_a_push_to_the_deploy_branch_not_a_tag_of_that_name()
    {
        Assert.All(set.All, t =>
        {
            var detail = Assert.Single(t.Resources("AWS::Events::Rule")).Properties.GetProperty("EventPattern").GetProperty("detail");
            Assert.Equal(["main"], detail.GetProperty("referenceName").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["branch"], detail.GetProperty("referenceType").EnumerateArray().Select(e => e.GetString()));
        });
    }

    [Fact]
    public void Gate_and_record_run_on_Lambda_compute_on_the_python3_13_image_and_no_timeout_of_their_own()
    {
        var projects = set.All.SelectMany(t => t.Resources("AWS::CodeBuild::Project")).Where(p => IsPromoteBuild(p.Properties)).ToList();
        Assert.Equal(5, projects.Count);
        Assert.All(projects, p =>
        {
            var environment = p.Properties.GetProperty("Environment");
            Assert.Equal("LINUX_LAMBDA_CONTAINER", environment.GetProperty("Type").GetString());
            Assert.Equal("BUILD_LAMBDA_1GB", environment.GetProperty("ComputeType").GetString());
            Assert.Equal("aws/codebuild/amazonlinux-x86_64-lambda-standard:python3.13", environment.GetProperty("Image").GetString());
            Assert.False(p.Properties.TryGetProperty("TimeoutInMinutes", out _));
        });
    }

    [Fact]
    public void Each_build_logs_to_its_own_log_group_kept_90_days_by_default()
    {
        foreach (var t in set.All)
        {
            var groups = t.Resources("AWS::Logs::LogGroup").ToDictionary(g => g.Id, g => g.Properties);
            foreach (var (_, project) in t.Resources("AWS::CodeBuild::Project").Where(p => IsPromoteBuild(p.Properties)))
            {
                var group = Cfn.Flatten(project.GetProperty("LogsConfig").GetProperty("CloudWatchLogs").GetProperty("GroupName"));
                Assert.Equal(90, groups[group.Trim('$', '{', '}')].GetProperty("RetentionInDays").GetInt32());
            }
        }
    }

    [Fact]
    public void Pipeline_artifacts_expire()
    {
        Assert.All(set.All, t =>
        {
            var rule = Assert.Single(Assert.Single(t.Resources("AWS::S3::Bucket")).Properties
                .GetProperty("LifecycleConfiguration").GetProperty("Rules").EnumerateArray());
            Assert.Equal(30, rule.GetProperty("ExpirationInDays").GetInt32());
            Assert.Equal("Enabled", rule.GetProperty("Status").GetString());
        });
    }

    [Fact]
    public void No_promote_build_role_may_create_report_groups()
    {
        var actions = set.All.SelectMany(t => t.IdentityStatements()).Where(s => s.PolicyId.Contains("GateRole") || s.PolicyId.Contains("RecordRole"))
            .SelectMany(s => s.Actions).ToList();
        Assert.NotEmpty(actions);
        Assert.DoesNotContain(actions, a => a.StartsWith("codebuild:", StringComparison.Ordinal));
    }

    [Fact]
    public void No_role_trusts_an_account_root_without_a_condition()
    {
        foreach (var t in set.All)
            foreach (var (id, role) in t.Resources("AWS::IAM::Role"))
                foreach (var statement in role.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement").EnumerateArray())
                {
                    if (!statement.GetProperty("Principal").TryGetProperty("AWS", out var aws)) continue;
                    if (!Cfn.Strings(aws).Any(p => p.EndsWith(":root", StringComparison.Ordinal))) continue;
                    Assert.True(statement.TryGetProperty("Condition", out _), $"{id} trusts an account root with no condition");
                }
    }

    [Fact]
    public void The_developer_policys_create_only_description_is_the_one_first_shipped_so_upgrades_never_need_a_replacement()
    {
        foreach (var (environment, t) in new[] { ("dev", set.Dev), ("stg", set.Stg), ("prd", set.Prd) })
        {
            var (_, policy) = Assert.Single(t.Resources("AWS::IAM::ManagedPolicy"));
            Assert.Equal($"promote-orders-{environment}-developer", policy.GetProperty("ManagedPolicyName").GetString());
            // Changing this text replaces a fixed-name policy, which CloudFormation refuses: every deployed stack's update would fail.
            Assert.Equal($"developers of orders in {environment}: read evidence, record bypasses and approvals", policy.GetProperty("Description").GetString());
        }
    }

    [Fact]
    public void Ec2_compute_and_a_shorter_log_retention_are_options()
    {
        using var temp = new TempDirectory();
        var app = new Amazon.CDK.App(new Amazon.CDK.AppProps { Outdir = temp.Path, AnalyticsReporting = false });
        var stack = PromotedSet.NewStack(app, "stg");
        var props = PromotedSet.Props(stack, "stg", GitPromoteBinary.FromTemplateParameters());
        new PromotedEnvironment(stack, "Promoted", new PromotedEnvironmentProps
        {
            Environment = props.Environment,
            Policy = props.Policy,
            Accounts = props.Accounts,
            Binary = props.Binary,
            DeployStages = props.DeployStages,
            Compute = BuildCompute.Ec2,
            LogRetention = RetentionDays.ONE_MONTH,
        });
        app.Synth();
        var stg = Cfn.Load(Path.Combine(temp.Path, "orders-stg.template.json"));
        var projects = stg.Resources("AWS::CodeBuild::Project").Where(p => IsPromoteBuild(p.Properties)).ToList();
        Assert.Equal(2, projects.Count);
        Assert.All(projects, p =>
        {
            Assert.Equal("LINUX_CONTAINER", p.Properties.GetProperty("Environment").GetProperty("Type").GetString());
            Assert.Equal(10, p.Properties.GetProperty("TimeoutInMinutes").GetInt32());
        });
        Assert.All(stg.Resources("AWS::Logs::LogGroup"), g => Assert.Equal(30, g.Properties.GetProperty("RetentionInDays").GetInt32()));
    }

    /// <summary>The construct's own builds (its projects say so in their description), not the team's deploy build.</summary>
    private static bool IsPromoteBuild(JsonElement project) =>
        project.TryGetProperty("Description", out var d) && d.GetString()!.Contains("(git-promote ", StringComparison.Ordinal);
}
