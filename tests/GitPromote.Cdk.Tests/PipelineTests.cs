using Amazon.CDK.Assertions;

namespace GitPromote.Cdk.Tests;

[Collection(PromotedSetCollection.Name)]
public sealed class PipelineTests(PromotedSetFixture set)
{
    [Theory]
    [InlineData("stg")]
    [InlineData("prd")]
    public void Stages_run_Source_then_Gate_then_the_teams_Deploy_then_Record(string environment)
    {
        Assert.Equal(["Source", "Gate", "Deploy", "Record"], Of(environment).StageNames);
    }

    [Fact]
    public void Dev_the_first_environment_has_no_gate_stage_and_no_gate_role()
    {
        Assert.Equal(["Source", "Deploy", "Record"], set.Dev.StageNames);
        Assert.DoesNotContain(set.Dev.Resources("AWS::IAM::Role"), r => r.Properties.TryGetProperty("RoleName", out var n) && n.GetString()!.EndsWith("-gate"));
        Assert.DoesNotContain(set.Dev.Resources("AWS::CodeBuild::Project"), p => BuildSpec(p.Properties).Contains("git promote gate"));
    }

    [Theory]
    [InlineData("stg", "dev", "111111111111")]
    [InlineData("prd", "stg", "222222222222")]
    public void Gate_runs_git_promote_gate_for_its_environment_with_the_pinned_policy_and_the_previous_reader_role(string environment, string previous,
        string previousAccount)
    {
        var gate = GateProject(environment);
        Assert.Contains($"git promote gate {environment} --commit \"$PROMOTE_COMMIT\" --policy ssm:/promote/orders/policy", BuildSpec(gate));
        Assert.Equal($"arn:${{AWS::Partition}}:iam::{previousAccount}:role/promote-orders-{previous}-evidence-reader",
            Variable(gate, $"PROMOTE_AWS_ROLE_{previous.ToUpperInvariant()}"));

        var template = Template.FromString(File.ReadAllText(set.TemplatePath(environment)));
        template.HasResourceProperties("AWS::CodeBuild::Project", new Dictionary<string, object>
        {
            ["ServiceRole"] = new Dictionary<string,
                object>
            { ["Fn::GetAtt"] = new object[] { Of(environment).RoleNamed($"promote-orders-{environment}-gate-build").Id, "Arn" } },
            ["Source"] = Match.ObjectLike(new Dictionary<string, object> { ["BuildSpec"] = Match.StringLikeRegexp($"git promote gate {environment} ") }),
        });
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void Record_runs_git_promote_record_for_its_environment_on_the_commit_the_source_fetched(string environment)
    {
        var cfn = Of(environment);
        var record = cfn.Resources("AWS::CodeBuild::Project").Single(p => BuildSpec(p.Properties).Contains("git promote record")).Properties;
        Assert.Contains($"git promote record {environment} --commit \"$PROMOTE_COMMIT\" --policy ssm:/promote/orders/policy", BuildSpec(record));

        // Gate and Record both get the Source action's CommitId, not whatever the branch points at when they run.
        foreach (var stage in new[] { "Gate", "Record" }.Where(cfn.StageNames.Contains))
        {
            var action = cfn.Pipeline.GetProperty("Stages").EnumerateArray().Single(s => s.GetProperty("Name").GetString() == stage).GetProperty("Actions")[0];
            Assert.Matches(@"""name"":""PROMOTE_COMMIT"",""type"":""PLAINTEXT"",""value"":""#\{Source_Source_NS\.CommitId\}""",
                action.GetProperty("Configuration").GetProperty("EnvironmentVariables").GetString());
        }
    }

    [Fact]
    public void Every_account_pins_the_policy_at_the_parameter_the_gate_reads()
    {
        foreach (var cfn in set.All)
        {
            var parameter = Assert.Single(cfn.Resources("AWS::SSM::Parameter")).Properties;
            Assert.Equal("/promote/orders/policy", parameter.GetProperty("Name").GetString());
            Assert.Equal(PromotedSet.Policy, parameter.GetProperty("Value").GetString());
        }
    }

    [Fact]
    public void Each_account_gets_its_own_codecommit_repository_and_pipeline_triggered_by_main()
    {
        foreach (var (environment, cfn) in new[] { ("dev", set.Dev), ("stg", set.Stg), ("prd", set.Prd) })
        {
            var template = Template.FromString(File.ReadAllText(set.TemplatePath(environment)));
            template.ResourceCountIs("AWS::CodeCommit::Repository", 1);
            template.ResourceCountIs("AWS::CodePipeline::Pipeline", 1);
            template.HasResourceProperties("AWS::CodePipeline::Pipeline", new Dictionary<string, object> { ["Name"] = $"orders-{environment}" });
            var source = cfn.Pipeline.GetProperty("Stages")[0].GetProperty("Actions")[0].GetProperty("Configuration");
            Assert.Equal("main", source.GetProperty("BranchName").GetString());
        }
    }

    private Cfn Of(string environment) => environment switch { "dev" => set.Dev, "stg" => set.Stg, _ => set.Prd };

    private System.Text.Json.JsonElement GateProject(string environment) =>
        Of(environment).Resources("AWS::CodeBuild::Project").Single(p => BuildSpec(p.Properties).Contains("git promote gate")).Properties;

    /// <summary>The build commands of a project's inline buildspec, one a line.</summary>
    internal static string BuildSpec(System.Text.Json.JsonElement project)
    {
        if (!project.GetProperty("Source").TryGetProperty("BuildSpec", out var spec)) return "";
        using var parsed = System.Text.Json.JsonDocument.Parse(Cfn.Flatten(spec));
        return parsed.RootElement.TryGetProperty("phases", out var phases) && phases.TryGetProperty("build", out var build)
            ? string.Join('\n', build.GetProperty("commands").EnumerateArray().Select(c => c.GetString()))
            : "";
    }

    internal static string? Variable(System.Text.Json.JsonElement project, string name) =>
        project.GetProperty("Environment").GetProperty("EnvironmentVariables").EnumerateArray()
            .Where(v => v.GetProperty("Name").GetString() == name).Select(v => Cfn.Flatten(v.GetProperty("Value"))).SingleOrDefault();
}
