using System.Text.Json;
using Amazon.CDK.AWS.Logs;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

/// <summary>V2 and QUEUED, Lambda compute, logs with retention, expiring artifacts, and no role trusting an account root unconditionally.</summary>
[Collection(PromotedSetCollection.Name)]
public sealed class PipelineShapeTests(PromotedSetFixture set)
{
    [Fact]
    public void Every_pipeline_is_V2_and_queues_executions_one_at_a_time_in_the_order_they_start()
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
            var push = Assert.Single(t.Resources("AWS::Events::Rule"), r => r.Properties.TryGetProperty("EventPattern", out _)).Properties;
            var detail = push.GetProperty("EventPattern").GetProperty("detail");
            Assert.Equal(["main"], detail.GetProperty("referenceName").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["branch"], detail.GetProperty("referenceType").EnumerateArray().Select(e => e.GetString()));
        });
    }

    [Fact]
    public void Gate_record_and_prune_run_on_Lambda_compute_on_the_python3_13_image_and_no_timeout_of_their_own()
    {
        var projects = set.All.SelectMany(t => t.Resources("AWS::CodeBuild::Project")).Where(p => IsPromoteBuild(p.Properties)).ToList();
        Assert.Equal(8, projects.Count);
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
                var group = groups[Cfn.Flatten(project.GetProperty("LogsConfig").GetProperty("CloudWatchLogs").GetProperty("GroupName")).Trim('$', '{', '}')];
                Assert.Equal(90, group.GetProperty("RetentionInDays").GetInt32());
                // CodeBuild's own name for it, fixed, so it can be found (and removed) after the stack is deleted.
                Assert.Equal("/aws/codebuild/" + project.GetProperty("Name").GetString(), group.GetProperty("LogGroupName").GetString());
            }
        }
    }

    [Fact]
    public void Pipeline_artifacts_expire()
    {
        Assert.All(set.All, t =>
        {
            var bucket = Assert.Single(t.Resources("AWS::S3::Bucket")).Properties;
            var rule = Assert.Single(bucket.GetProperty("LifecycleConfiguration").GetProperty("Rules").EnumerateArray());
            Assert.Equal(30, rule.GetProperty("ExpirationInDays").GetInt32());
            Assert.Equal("Enabled", rule.GetProperty("Status").GetString());
            // The bucket is not versioned, so a noncurrent-version rule would be dead text.
            Assert.False(bucket.TryGetProperty("VersioningConfiguration", out _));
            Assert.False(rule.TryGetProperty("NoncurrentVersionExpiration", out _));
            var encryption = Assert.Single(bucket.GetProperty("BucketEncryption").GetProperty("ServerSideEncryptionConfiguration").EnumerateArray());
            Assert.Equal("aws:kms", encryption.GetProperty("ServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());
            Assert.True(encryption.GetProperty("BucketKeyEnabled").GetBoolean());
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
    public void Every_role_the_pipeline_acts_as_has_a_fixed_name_under_the_git_promote_path()
    {
        string[] kinds = ["pipeline", "source-action", "gate-action", "record-action", "gate-build", "record-build", "prune-build", "prune-schedule",
            "trigger"];
        foreach (var (environment, t) in new[] { ("dev", set.Dev), ("stg", set.Stg), ("prd", set.Prd) })
        {
            var ours = t.Resources("AWS::IAM::Role").Where(r => r.Properties.TryGetProperty("Path", out var p) && p.GetString() == "/git-promote/")
                .Select(r => r.Properties.GetProperty("RoleName").GetString()).Order().ToList();
            Assert.Equal(kinds.Where(k => environment != "dev" || !k.StartsWith("gate", StringComparison.Ordinal))
                .Select(k => $"promote-orders-{environment}-{k}").Order(), ours);
            // The pipeline runs as the named role, and each of its own actions too.
            Assert.Contains(t.RoleNamed($"promote-orders-{environment}-pipeline").Id, Cfn.Flatten(t.Pipeline.GetProperty("RoleArn")));
        }
    }

    [Fact]
    public void Each_event_rules_role_trusts_events_only_for_that_named_rule_of_this_account()
    {
        foreach (var (kind, rule) in new[] { ("trigger", "promote-orders-stg-push"), ("prune-schedule", "promote-orders-stg-prune-daily") })
        {
            var (_, role) = set.Stg.RoleNamed($"promote-orders-stg-{kind}");
            var trust = Assert.Single(role.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement").EnumerateArray());
            Assert.Equal("events.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
            Assert.Equal("222222222222", trust.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:SourceAccount").GetString());
            Assert.Equal($"arn:${{AWS::Partition}}:events:eu-west-1:222222222222:rule/{rule}",
                Cfn.Flatten(trust.GetProperty("Condition").GetProperty("ArnEquals").GetProperty("aws:SourceArn")));
            Assert.Contains(set.Stg.Resources("AWS::Events::Rule"), r => r.Properties.GetProperty("Name").GetString() == rule);
        }
    }

    [Fact]
    public void The_pipeline_role_trusts_codepipeline_with_no_condition_AWS_does_not_document_sending()
    {
        var (_, role) = set.Stg.RoleNamed("promote-orders-stg-pipeline");
        var trust = Assert.Single(role.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement").EnumerateArray());
        Assert.Equal("codepipeline.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.False(trust.TryGetProperty("Condition", out _));
    }

    [Fact]
    public void The_builds_roles_may_write_only_their_own_log_group_and_create_none()
    {
        foreach (var t in set.All)
        {
            // The team's deploy build (PromotedSet's "Deploy" project) has the CDK's own grants; the construct's builds do not.
            var logs = t.IdentityStatements().Where(s => s.Actions.Any(a => a.StartsWith("logs:", StringComparison.Ordinal))
                && !s.PolicyId.StartsWith("DeployRole", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(logs);
            Assert.All(logs, s =>
            {
                Assert.Equal(["logs:CreateLogStream", "logs:PutLogEvents"], s.Actions);
                Assert.Matches(@"^\$\{Promoted(Gate|Record|Prune)Logs[0-9A-F]+\.Arn\}$", Assert.Single(s.Resources));
            });
        }
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
        Assert.Equal(3, projects.Count);
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
