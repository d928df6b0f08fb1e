using System.Text.Json.Nodes;
using static GitPromote.Cdk.Tests.Iam.ExampleAccounts;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>
/// Who can write green: whoever can start the Record build (StartBuild takes buildspec and environment overrides) or act
/// as its service role. Evaluated with the IAM simulator on the committed templates: only the pipeline may.
/// </summary>
public sealed class WriteGreenTrustTests
{
    private static readonly IamSimulator Simulator = new();
    public static readonly string[] BuildCommands = ["git promote record", "git promote gate"];

    /// <summary>
    /// Every way "anyone in the account with sts:AssumeRole on *" reaches a role that may start, retry or change the Gate
    /// or Record build, or that the build runs as. Empty is safe.
    /// </summary>
    public static IReadOnlyList<string> AttackerPaths(ResolvedTemplate t, string environment)
    {
        var roles = t.Roles();
        var dangerous = new List<(TemplateRole Role, string Why)>();
        foreach (var command in BuildCommands)
        {
            if (!t.OfType("AWS::CodeBuild::Project").Any(p => t.Properties(p)["Source"]?["BuildSpec"]?.GetValue<string>().Contains(command) == true))
                continue;
            var project = t.ProjectRunning(command);
            var projectArn = t.Arn(project);
            var asks = roles.SelectMany(r => BuildControl.Select(action => (r, action, Call(r, action, projectArn)))).ToList();
            var answers = Simulator.Run(asks.Select(a => a.Item3).ToList());
            dangerous.AddRange(asks.Where((_, i) => answers[i].Allowed).Select(a => (a.r, $"may {a.action} the '{command}' project")));
            dangerous.Add((ServiceRoleOf(t, project), $"is the '{command}' build's service role"));
        }
        var attacker = AnyRole(environment);
        var tries = dangerous.Select(d => Assume(attacker, [AssumeAnything], d.Role)).ToList();
        var verdicts = Simulator.Run(tries);
        return dangerous.Where((_, i) => verdicts[i].Allowed).Select(d => $"{attacker} may assume {d.Role.Id}, which {d.Why}").Distinct().ToList();
    }

    private static readonly string[] BuildControl = ["codebuild:StartBuild", "codebuild:StartBuildBatch", "codebuild:RetryBuild", "codebuild:UpdateProject"];

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void Nobody_in_the_account_but_the_pipeline_may_assume_a_role_that_starts_or_runs_the_gate_or_record_build(string environment)
    {
        var paths = AttackerPaths(Deployed(environment), environment);
        Assert.True(paths.Count == 0, $"in {environment}, anyone may write green:\n  " + string.Join("\n  ", paths));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void The_pipeline_role_may_assume_the_roles_of_its_gate_and_record_actions(string environment)
    {
        var t = Deployed(environment);
        var pipeline = PipelineRole(t);
        var record = t.ProjectRunning("git promote record");
        var starters = t.Roles().Where(r => r.Id != pipeline.Id && Call(r, "codebuild:StartBuild", t.Arn(record)).Allowed(Simulator)).ToList();
        Assert.NotEmpty(starters);
        Assert.All(starters, s => Assert.True(Assume(pipeline.Arn, pipeline.Policies, s).Allowed(Simulator), $"the pipeline cannot assume {s.Id}"));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void A_record_action_role_that_trusts_the_account_lets_anyone_in_it_write_green(string environment)
    {
        var raw = Raw(environment);
        var t = new ResolvedTemplate(raw, Account(environment));
        var record = t.Arn(t.ProjectRunning("git promote record"));
        var pipeline = PipelineRole(t);
        foreach (var starter in t.Roles().Where(r => r.Id != pipeline.Id && Call(r, "codebuild:StartBuild", record).Allowed(Simulator)))
            TemplateEdits.TrustAccountRoot(raw, starter.Id, Account(environment));

        var paths = AttackerPaths(new ResolvedTemplate(raw, Account(environment)), environment);
        Assert.Contains(paths, p => p.Contains("may codebuild:StartBuild the 'git promote record' project", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void CodeBuild_may_assume_the_record_role_only_for_the_record_project_of_this_account(string environment)
    {
        var t = Deployed(environment);
        var project = t.ProjectRunning("git promote record");
        var role = ServiceRoleOf(t, project);
        var account = Account(environment);
        Simulation AsCodeBuild(string sourceArn, string sourceAccount) => Assume("codebuild.amazonaws.com", [], role,
            new Dictionary<string, string> { ["aws:SourceArn"] = sourceArn, ["aws:SourceAccount"] = sourceAccount });

        Assert.True(AsCodeBuild(t.Arn(project), account).Allowed(Simulator));
        Assert.False(AsCodeBuild($"arn:aws:codebuild:{ResolvedTemplate.Region}:{account}:project/someone-elses", account).Allowed(Simulator));
        Assert.False(AsCodeBuild(t.Arn(project).Replace(account, "999999999999"), "999999999999").Allowed(Simulator));
    }
}
