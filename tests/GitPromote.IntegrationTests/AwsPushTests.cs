using System.Text.Json;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The guard with AWS evidence, end to end: real `git push` through the installed hook, the published binary reading
/// SSM in moto and executions in the CodePipeline fake, and writing records a pipeline (or `aws ssm`) can read.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class AwsPushTests : IDisposable
{
    private const string GoodJustification = "INC-7: payment outage, approved by on-call lead";
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public AwsPushTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private string Prd => Path.Combine(_s.Root, "prd.git");
    private string Head(string app) => _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();

    [Fact]
    public void Push_to_prd_goes_through_when_the_stg_pipeline_recorded_green_with_git_promote_record()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);

        var record = _s.Record(app, "stg", head).EnsureOk();
        var push = _s.Git(app, "push", "prd", $"{head}:refs/heads/main").EnsureOk();

        Assert.Contains($"is green in stg (ssm /promote/{_aws.Service}/stg)", record.Stdout);
        Assert.Contains($"green in stg (ssm /promote/{_aws.Service}/stg/green)", push.Stderr);
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
        // What the pipeline step left is a plain parameter anyone can read, signed by the pipeline's AWS identity.
        var parameter = _aws.AwsCli("ssm", "get-parameter", "--name", _aws.Green("stg", head), "--output", "json").EnsureOk();
        using var value = JsonDocument.Parse(JsonDocument.Parse(parameter.Stdout).RootElement.GetProperty("Parameter").GetProperty("Value").GetString()!);
        Assert.Equal(head, value.RootElement.GetProperty("commit").GetString());
        Assert.StartsWith($"arn:aws:sts::{AwsWorld.Account}:", value.RootElement.GetProperty("recordedBy").GetString());
    }

    [Fact]
    public void Push_to_prd_goes_through_when_the_stg_pipeline_wrote_green_with_aws_ssm_put_parameter()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);

        _aws.AwsCli("ssm", "put-parameter", "--name", _aws.Green("stg", head), "--type", "String",
            "--value", """{"recordedAt":"2025-03-04T05:06:07Z","recordedBy":"codebuild/orders-stg","pipelineExecutionId":"e-42"}""").EnsureOk();
        var push = _s.Git(app, "push", "prd", $"{head}:refs/heads/main").EnsureOk();

        Assert.Contains("green in stg (ssm", push.Stderr);
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void Push_to_prd_is_blocked_when_the_commit_is_not_green_in_stg_and_names_the_newest_green_one()
    {
        var app = _s.Project(_aws.Policy());
        var green = Head(app);
        _s.Record(app, "stg", green).EnsureOk();
        var untested = _s.Commit(app, "untested change");

        var push = _s.Git(app, "push", "prd", "main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"{untested[..12]} is not green in stg", push.Stderr);
        Assert.Contains($"no evidence in: ssm /promote/{_aws.Service}/stg/green", push.Stderr);
        Assert.Contains($"git push prd {green[..12]}:refs/heads/main", push.Stderr);
        Assert.DoesNotContain("   at ", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void Push_to_prd_goes_through_on_a_succeeded_codepipeline_execution_of_the_commit_and_not_on_a_failed_one()
    {
        var app = _s.Project(_aws.Policy(stgEvidence: "- codepipeline: { pipeline: orders-stg }"));
        var failed = Head(app);
        var succeeded = _s.Commit(app, "fixed");
        var now = DateTimeOffset.UtcNow;
        _aws.Pipelines.AddExecutions("orders-stg",
            new FakeExecution(FakeExecution.NewId(), "Succeeded", [succeeded], now.AddMinutes(-1)),
            new FakeExecution(FakeExecution.NewId(), "Failed", [failed], now.AddMinutes(-5)));

        var refused = _s.Git(app, "push", "prd", $"{failed}:refs/heads/main");
        var allowed = _s.Git(app, "push", "prd", $"{succeeded}:refs/heads/main").EnsureOk();

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"{failed[..12]} is not green in stg", refused.Stderr);
        Assert.Contains("codepipeline orders-stg", refused.Stderr);
        Assert.Contains("green in stg (codepipeline orders-stg", allowed.Stderr);
        Assert.Equal(succeeded, _s.RemoteRef(Prd, "refs/heads/main"));
        Assert.Equal(0, _aws.Pipelines.Rejected);
    }

    [Fact]
    public void With_a_stage_the_commit_must_have_passed_that_stage_asked_with_the_succeededInStage_filter()
    {
        var app = _s.Project(_aws.Policy(stgEvidence: "- codepipeline: { pipeline: orders-stg, stage: Deploy }"));
        var onlyBuilt = Head(app);
        var deployed = _s.Commit(app, "deployed, then a later stage failed");
        var now = DateTimeOffset.UtcNow;
        _aws.Pipelines.AddExecutions("orders-stg",
            new FakeExecution(FakeExecution.NewId(), "Failed", [deployed], now.AddMinutes(-1), new HashSet<string> { "Source", "Build", "Deploy" }),
            new FakeExecution(FakeExecution.NewId(), "Succeeded", [onlyBuilt], now.AddMinutes(-2), new HashSet<string> { "Source", "Build" }));

        var refused = _s.Git(app, "push", "prd", $"{onlyBuilt}:refs/heads/main");
        _s.Git(app, "push", "prd", $"{deployed}:refs/heads/main").EnsureOk();

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"{onlyBuilt[..12]} is not green in stg", refused.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Prd, "refs/heads/main"));
        Assert.All(_aws.Pipelines.ReceivedListRequests,
            r => Assert.Equal("Deploy", r["filter"]?["succeededInStage"]?["stageName"]?.GetValue<string>()));
    }

    [Fact]
    public void Require_all_demands_every_source_before_the_push_goes_through()
    {
        var app = _s.Project(_aws.Policy(stgEvidence: "- ssm: {}\n- codepipeline: { pipeline: orders-stg }", stgRequire: "all"));
        var head = Head(app);
        _aws.Pipelines.AddPipeline("orders-stg");
        _s.Record(app, "stg", head).EnsureOk();

        var refused = _s.Git(app, "push", "prd", $"{head}:refs/heads/main");
        _aws.Pipelines.AddExecutions("orders-stg", new FakeExecution(FakeExecution.NewId(), "Succeeded", [head], DateTimeOffset.UtcNow));
        var allowed = _s.Git(app, "push", "prd", $"{head}:refs/heads/main");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"{head[..12]} is not green in stg", refused.Stderr);
        Assert.Contains("no evidence in: codepipeline orders-stg", refused.Stderr);
        Assert.DoesNotContain($"ssm /promote/{_aws.Service}/stg/green,", refused.Stderr);
        Assert.DoesNotContain($"git push prd {head[..12]}:", refused.Stderr);
        allowed.EnsureOk();
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void Rolling_prd_back_to_a_commit_green_in_prd_by_ssm_goes_through_and_says_rollback()
    {
        var app = _s.Project(_aws.Policy());
        var v1 = Head(app);
        // v1 went to prd long ago; its stg record has since been cleaned up, prd's own record remains.
        _s.Record(app, "prd", v1).EnsureOk();
        var v2 = _s.Commit(app, "v2");
        _s.Record(app, "stg", v2).EnsureOk();
        _s.Git(app, "push", "prd", $"{v2}:refs/heads/main").EnsureOk();

        var rollback = _s.Git(app, "push", "--force", "prd", $"{v1}:refs/heads/main").EnsureOk();

        Assert.Contains("rollback", rollback.Stderr);
        Assert.Contains("green in prd before", rollback.Stderr);
        Assert.Equal(v1, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void A_bypass_is_recorded_in_ssm_under_the_prd_bypass_path_and_listed_by_audit()
    {
        var app = _s.Project(_aws.Policy());
        var hotfix = Head(app);

        var push = _s.Exec(app, "git", ["push", "prd", "main"], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = GoodJustification }).EnsureOk();

        Assert.Contains("BYPASS", push.Stderr);
        Assert.Equal(hotfix, _s.RemoteRef(Prd, "refs/heads/main"));
        var stored = _aws.AwsCli("ssm", "get-parameters-by-path", "--path", $"/promote/{_aws.Service}/prd/bypass", "--output", "json").EnsureOk();
        var parameter = Assert.Single(JsonDocument.Parse(stored.Stdout).RootElement.GetProperty("Parameters").EnumerateArray());
        Assert.Contains(hotfix, parameter.GetProperty("Name").GetString());
        using var value = JsonDocument.Parse(parameter.GetProperty("Value").GetString()!);
        Assert.Equal(GoodJustification, value.RootElement.GetProperty("justification").GetString());

        var audit = _s.Promote(app, "audit", "prd").EnsureOk();
        Assert.Contains(hotfix[..12], audit.Stdout);
        Assert.Contains("Dana Developer <dana@example.com>", audit.Stdout);
        Assert.Contains(GoodJustification, audit.Stdout);
    }

    [Fact]
    public void Pushing_a_commit_again_that_evidence_proved_green_asks_only_for_revocations()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        _s.Record(app, "stg", head).EnsureOk();
        _s.Git(app, "push", "prd", $"{head}:refs/heads/main").EnsureOk();
        Assert.True(_aws.Requests["GetParameters"] > 0, "the first push asks SSM");
        _s.Git(_s.Root, "--git-dir", Prd, "update-ref", "-d", "refs/heads/main").EnsureOk();
        _aws.Requests.Reset();

        var again = _s.Git(app, "push", "prd", $"{head}:refs/heads/main").EnsureOk();

        // Green comes from the cache; what is left is the revocation check, which no cache may answer: stg's and prd's.
        Assert.Equal(0, _aws.Requests["GetParametersByPath"]);
        Assert.Equal(2, _aws.Requests["GetParameters"]);
        Assert.Equal(2, _aws.Requests.Total);
        Assert.Contains("cached", again.Stderr);
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void A_push_of_many_deploy_refs_asks_ssm_once_per_ten_commits()
    {
        var app = _s.Project(_aws.Policy(branches: "[main, 'release/*']"));
        var refspecs = new List<string>();
        for (var i = 1; i <= 25; i++)
        {
            var commit = _s.Commit(app, $"release {i}");
            _s.Record(app, "stg", commit).EnsureOk();
            refspecs.Add($"{commit}:refs/heads/release/{i}");
        }
        _aws.Requests.Reset();

        var push = _s.Git(app, ["push", "prd", .. refspecs]).EnsureOk();

        // ceil(25/10) green lookups in stg, and the revocations of all 25 commits in one listing each of stg and prd.
        Assert.Equal(25, push.Stderr.Split('\n').Count(l => l.Contains("green in stg (ssm")));
        Assert.Equal(3, _aws.Requests["GetParameters"]);
        Assert.Equal(2, _aws.Requests["GetParametersByPath"]);
        Assert.Equal(5, _aws.Requests.Total);
    }

    [Fact]
    public void Status_shows_per_environment_the_newest_green_commits_with_when_and_by_what_evidence()
    {
        var app = _s.Project(_aws.Policy());
        var older = Head(app);
        var newer = _s.Commit(app, "newer");
        _aws.AwsCli("ssm", "put-parameter", "--name", _aws.Green("stg", older), "--type", "String",
            "--value", """{"recordedAt":"2025-01-02T03:04:05Z","recordedBy":"codebuild"}""").EnsureOk();
        _s.Record(app, "stg", newer).EnsureOk();

        var text = _s.Promote(app, "status").EnsureOk().Stdout;
        var statusJson = _s.Promote(app, "status", "--json").EnsureOk().Stdout;
        PublishedSchemas.AssertConforms("status", statusJson.TrimEnd('\n'));
        var json = JsonDocument.Parse(statusJson).RootElement;

        var stgLines = text[text.IndexOf("\nstg", StringComparison.Ordinal)..text.IndexOf("\nprd", StringComparison.Ordinal)];
        Assert.True(stgLines.IndexOf(newer[..12], StringComparison.Ordinal) < stgLines.IndexOf(older[..12], StringComparison.Ordinal), text);
        Assert.Contains($"{older[..12]}  2025-01-02", stgLines);
        Assert.Contains($"ssm /promote/{_aws.Service}/stg/green", stgLines);
        var stg = json.GetProperty("environments").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "stg");
        var green = stg.GetProperty("green").EnumerateArray().ToList();
        Assert.Equal([newer, older], green.Select(g => g.GetProperty("commit").GetString()));
        Assert.Equal("2025-01-02T03:04:05Z", green[1].GetProperty("when").GetString());
        Assert.All(green, g => Assert.StartsWith("ssm ", g.GetProperty("source").GetString()));
        Assert.Contains($"next: {newer[..12]} is green in stg and can go: git push prd {newer[..12]}:refs/heads/main", text);
    }
}
