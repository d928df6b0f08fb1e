using System.Text.Json;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// A deployment's kind is what admitted it, not what the store looks like when <c>record</c> runs (issue 30 item 4): pipelines
/// that overlap a bypass, a server's landed bypass followed by a queued pipeline, and bypass records a developer dates by hand
/// (SSM in moto, written with the AWS CLI; a guarded git server pushed to with real git), through the installed binary.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class DeploymentKindTests : IDisposable
{
    private const string Justification = "INC-12: checkout down, on-call approved";

    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public DeploymentKindTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private static Dictionary<string, string?> Bypass(string justification) => new() { ["PROMOTE_BYPASS"] = justification };

    /// <summary>A new commit promoted dev → stg (stg's records in SSM) as each pipeline records it: green in stg, so prd may take it.</summary>
    private string GreenInStg(string app, string message)
    {
        var commit = _s.Commit(app, message);
        _s.Git(app, "push", "--quiet", "dev", $"{commit}:refs/heads/main").EnsureOk();
        _s.Record(app, "dev", commit).EnsureOk();
        _s.Git(app, "push", "--quiet", "stg", $"{commit}:refs/heads/main").EnsureOk();
        _s.Record(app, "stg", commit).EnsureOk();
        return commit;
    }

    /// <summary>
    /// A bypass record of <paramref name="commit"/> into prd put by hand with the AWS CLI, in the body the CLI writes, dated
    /// <paramref name="at"/>.
    /// </summary>
    private string PlantBypass(string commit, string at, string stamp, string justification)
    {
        var name = $"/promote/{_aws.Service}/prd/bypass/{stamp}-{commit}-0badc0de";
        _aws.AwsCli("ssm", "put-parameter", "--name", name, "--type", "String", "--value",
            $$"""{"environment":"prd","commit":"{{commit}}","ref":"refs/heads/main","justification":"{{justification}}","byName":"arn:aws:sts::""" +
                $$"""123456789012:user/dev","byEmail":"","at":"{{at}}"}""")
            .EnsureOk();
        return name;
    }

    /// <summary>
    /// Until the wall clock is past the second now: a record says its time to the second, so what follows (a pipeline that
    /// records minutes later, in life) is dated after it, not in the same second.
    /// </summary>
    private static void NextSecond()
    {
        var now = DateTimeOffset.UtcNow;
        Thread.Sleep(TimeSpan.FromMilliseconds(1050 - now.Millisecond));
    }

    /// <summary>The run's output says <paramref name="text"/>; a failure shows all it said.</summary>
    private static void Says(Run run, string text) => Assert.True(run.Output.Contains(text, StringComparison.Ordinal), $"not said: {text}\n{run.Output}");

    private Run Gate(string app, string commit) =>
        _s.Promote(app, "gate", "prd", "--commit", commit, "--policy", _s.PipelinePolicy(_aws.Policy()));

    private static JsonElement Lane(JsonDocument history, string env) =>
        history.RootElement.GetProperty("environments").EnumerateArray().Single(l => l.GetProperty("name").GetString() == env);

    private static List<(string? Commit, string? Kind)> Kinds(JsonElement lane) =>
        lane.GetProperty("deployments").EnumerateArray().Select(d => (d.GetProperty("commit").GetString(), d.GetProperty("kind").GetString())).ToList();

    [Fact]
    public void A_bypass_pushed_while_an_earlier_pipeline_still_runs_is_recorded_as_a_bypass_though_the_earlier_record_lands_after_it()
    {
        var app = _s.Project(_aws.Policy());
        var c2 = GreenInStg(app, "c2");
        _s.Git(app, "push", "--quiet", "prd", $"{c2}:refs/heads/main").EnsureOk();
        // c2's pipeline is still deploying when c3 goes out under a bypass; c2's record step lands after the bypass record.
        var c3 = _s.Commit(app, "c3: hotfix");
        _s.Exec(app, "git", ["push", "--quiet", "prd", $"{c3}:refs/heads/main"], env: Bypass(Justification)).EnsureOk();
        NextSecond();

        var second = _s.Record(app, "prd", c2).EnsureOk();
        var third = _s.Record(app, "prd", c3).EnsureOk();

        Says(second, $"recorded: a deployment of {c2[..12]} to prd (forward)");
        Says(third, $"recorded: a deployment of {c3[..12]} to prd (bypass)");
        Says(third, $"it used the bypass \"{Justification}\"");
        var json = _s.Promote(app, "history", "prd", "--json").EnsureOk();
        PublishedSchemas.AssertConforms("history", json.Stdout.TrimEnd('\n'));
        using var doc = JsonDocument.Parse(json.Stdout);
        var prd = Lane(doc, "prd");
        Assert.Equal([(c2, "forward"), (c3, "bypass")], Kinds(prd));
        Assert.Equal(Justification, prd.GetProperty("deployments")[1].GetProperty("bypass").GetProperty("justification").GetString());
    }

    [Fact]
    public void A_bypass_landed_on_a_guarded_server_before_the_queued_pipeline_records_is_a_bypass_not_a_rollback_and_fails_nothing()
    {
        var app = _s.GuardedStgServer();
        var stg = Path.Combine(_s.Root, "stg.git");
        var c2 = _s.GreenInDev(app, "c2");
        _s.Git(app, "push", "--quiet", "--no-verify", "stg", $"{c2}:refs/heads/main").EnsureOk();
        var c3 = _s.Commit(app, "c3: hotfix");
        var landed = _s.Git(app, "push", "--no-verify", "-o", $"promote.bypass={Justification}", "stg", $"{c3}:refs/heads/main").EnsureOk();
        Assert.Contains($"remote: git-promote: BYPASS stg/main <- {c3[..12]}", landed.Stderr);
        Assert.Equal(c3, _s.RemoteRef(stg, "refs/heads/main"));
        NextSecond();

        // The pipeline was queued behind c2: it deploys and records c2, then c3 (the server takes green records from "pipeline" only).
        Dictionary<string, string?> Pipeline(string commit) => new(_s.AsPipelineOf(app, commit)) { ["GL_USER"] = "pipeline" };
        var second = _s.Exec(app, _s.Installed.BinaryPath, ["record", "stg", c2], env: Pipeline(c2)).EnsureOk();
        var third = _s.Exec(app, _s.Installed.BinaryPath, ["record", "stg", c3], env: Pipeline(c3)).EnsureOk();

        Says(second, $"recorded: a deployment of {c2[..12]} to stg (forward)");
        Says(third, $"recorded: a deployment of {c3[..12]} to stg (bypass)");
        var json = _s.Promote(app, "history", "stg", "--json").EnsureOk();
        PublishedSchemas.AssertConforms("history", json.Stdout.TrimEnd('\n'));
        using var doc = JsonDocument.Parse(json.Stdout);
        var failures = doc.RootElement.GetProperty("figures").GetProperty("changeFailureRate");
        Assert.Equal(0, failures.GetProperty("failed").GetInt32());
        // The server's landing event and the pipeline's record of c3 are one deployment.
        Assert.Equal([(c2, "forward"), (c3, "bypass")], Kinds(Lane(doc, "stg")));
        Assert.Equal(2, failures.GetProperty("forward").GetInt32());
    }

    [Fact]
    public void A_bypass_record_dated_before_its_commit_admits_nothing_at_the_gate_is_named_set_aside_and_makes_no_bypass_deployment()
    {
        var app = _s.Project(_aws.Policy());
        var c2 = GreenInStg(app, "c2");
        _s.Git(app, "push", "--quiet", "prd", $"{c2}:refs/heads/main").EnsureOk();
        _s.Record(app, "prd", c2).EnsureOk();
        // Never tested in stg: the developer writes a bypass record dated 2020 and pushes past the hook.
        var c3 = _s.Commit(app, "c3: untested");
        PlantBypass(c3, "2020-01-01T00:00:00Z", "20200101T000000Z", "INC-1: written long before this commit");
        _s.Git(app, "push", "--quiet", "--no-verify", "prd", $"{c3}:refs/heads/main").EnsureOk();

        var gate = Gate(app, c3);

        Assert.True(gate.ExitCode == 1, gate.Output);
        Says(gate, $"REFUSED: {c3[..12]} may not be deployed to prd");
        Assert.DoesNotContain("ADMITTED", gate.Stdout);
        Says(gate, "bypass \"INC-1: written long before this commit\" by arn:aws:sts::123456789012:user/dev at 2020-01-01 00:00Z " +
            "is dated before the commit was made");

        // Had the pipeline deployed it anyway, its record is no bypass, and says why.
        var record = _s.Record(app, "prd", c3).EnsureOk();
        Says(record, $"recorded: a deployment of {c3[..12]} to prd (forward)");
        Says(record, "set aside: bypass \"INC-1: written long before this commit\" by arn:aws:sts::123456789012:user/dev at 2020-01-01 00:00Z " +
            "is dated before the commit was made");
        var json = _s.Promote(app, "history", "prd", "--json").EnsureOk();
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal([(c2, "forward"), (c3, "forward")], Kinds(Lane(doc, "prd")));
    }

    [Fact]
    public void A_real_rollback_under_a_bypass_record_dated_in_the_future_is_a_rollback_at_the_gate_in_the_record_and_in_the_figures()
    {
        var app = _s.Project(_aws.Policy());
        var c1 = GreenInStg(app, "c1");
        _s.Git(app, "push", "--quiet", "prd", $"{c1}:refs/heads/main").EnsureOk();
        _s.Record(app, "prd", c1).EnsureOk();
        var c2 = GreenInStg(app, "c2");
        _s.Git(app, "push", "--quiet", "prd", $"{c2}:refs/heads/main").EnsureOk();
        _s.Record(app, "prd", c2).EnsureOk();
        PlantBypass(c1, "2099-01-01T00:00:00Z", "20990101T000000Z", "INC-2: written for a day that has not come");

        // c2 fails in prd: the pipeline rolls back to c1.
        _s.Git(app, "push", "--quiet", "prd", $"+{c1}:refs/heads/main").EnsureOk();
        // The pipeline checks out what it deploys: the gate judges the checkout's commit.
        _s.Git(app, "checkout", "--quiet", "--detach", c1).EnsureOk();
        var gate = Gate(app, c1);
        var record = _s.Record(app, "prd", c1).EnsureOk();

        Assert.True(gate.ExitCode == 0, gate.Output);
        Says(gate, "ADMITTED as a rollback");
        Says(record, $"recorded: a deployment of {c1[..12]} to prd (rollback)");
        Says(record, "set aside: bypass \"INC-2: written for a day that has not come\" by arn:aws:sts::123456789012:user/dev at 2099-01-01 00:00Z " +
            "is dated in the future");
        var json = _s.Promote(app, "history", "prd", "--json").EnsureOk();
        PublishedSchemas.AssertConforms("history", json.Stdout.TrimEnd('\n'));
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal([(c1, "forward"), (c2, "forward"), (c1, "rollback")], Kinds(Lane(doc, "prd")));
        var figures = doc.RootElement.GetProperty("figures");
        Assert.Equal(2, figures.GetProperty("changeFailureRate").GetProperty("forward").GetInt32());
        Assert.Equal(1, figures.GetProperty("changeFailureRate").GetProperty("failed").GetInt32());
        Assert.Equal(0.5, figures.GetProperty("changeFailureRate").GetProperty("rate").GetDouble());
        Assert.Equal(1, figures.GetProperty("timeToRestore").GetProperty("restored").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, figures.GetProperty("timeToRestore").GetProperty("medianSeconds").ValueKind);
    }
}
