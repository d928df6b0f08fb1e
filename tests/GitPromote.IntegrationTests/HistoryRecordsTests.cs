using System.Text.Json;
using GitPromote.Core.Evidence;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// What <c>git promote history</c> does with what it cannot read, with the installed binary: records planted in SSM (moto,
/// written with the AWS CLI) are named in the text, the JSON's notes and the page, and never counted; commits whose
/// committer time is after their deployment are left out of lead time; and every date a user may type draws a history
/// or is refused as a usage error, never an internal error.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class HistoryRecordsTests : IDisposable
{
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public HistoryRecordsTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private void Put(string name, string value) =>
        _aws.AwsCli("ssm", "put-parameter", "--name", name, "--type", "String", "--value", value).EnsureOk();

    [Fact]
    public void Records_planted_in_ssm_are_named_in_text_json_and_page_and_an_unknown_kind_is_never_counted_as_forward()
    {
        var app = _s.Project(_aws.Policy());
        var c1 = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        var c2 = _s.Commit(app, "second");
        var root = $"/promote/{_aws.Service}/prd";
        var now = DateTimeOffset.UtcNow;
        var at1 = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddHours(-2);
        var at2 = at1.AddHours(1);
        // One real deployment of c1, as record writes it.
        Put($"{root}/deploy/{DeploymentNames.Name(at1, c1, "ab12")}",
            RecordJson.DeploymentBody(new DeploymentEvent("prd", c1, at1, new Identity("pipeline", ""), DeploymentKind.Forward)));
        // The junk: a name that is no event's, an event whose kind is "Rollback" (git-promote writes "rollback"), a bypass
        // that is not one, a revocation of something that is not a commit.
        var rollbackName = $"{root}/deploy/{DeploymentNames.Name(at2, c2, "cd34")}";
        Put($"{root}/deploy/not-an-event", "{}");
        Put(rollbackName, $$"""{"environment":"prd","commit":"{{c2}}","at":"{{RecordJson.Time(at2)}}","by":"x","kind":"Rollback"}""");
        Put($"{root}/bypass/junk-record", "junk");
        Put($"{root}/revoked/not-a-commit", """{"reason":"x"}""");
        string[] planted = [$"{root}/deploy/not-an-event", rollbackName, $"{root}/bypass/junk-record", $"{root}/revoked/not-a-commit"];

        var json = _s.Promote(app, "history", "prd", "--json").EnsureOk();
        var text = _s.Promote(app, "history", "prd").EnsureOk();
        var page = Path.Combine(_s.Root, "history.html");
        var html = _s.Promote(app, "history", "prd", "--html", page).EnsureOk();

        PublishedSchemas.AssertConforms("history", json.Stdout.TrimEnd('\n'));
        using var doc = JsonDocument.Parse(json.Stdout);
        var notes = doc.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!).ToList();
        var note = Assert.Single(notes, n => n.StartsWith("prd: 4 record(s) history could not read or does not understand", StringComparison.Ordinal));
        Assert.All(planted, name => Assert.Contains(name, note));
        var figures = doc.RootElement.GetProperty("figures");
        Assert.Equal(1, figures.GetProperty("deployments").GetInt32());
        Assert.Equal(1, figures.GetProperty("changeFailureRate").GetProperty("forward").GetInt32());
        var deployments = doc.RootElement.GetProperty("environments")[0].GetProperty("deployments");
        Assert.Equal([(c1, "forward")], deployments.EnumerateArray().Select(d => (d.GetProperty("commit").GetString(), d.GetProperty("kind").GetString())));
        Assert.All(planted, name => Assert.Contains(name, text.Stdout));
        Assert.All(planted, name => Assert.Contains(name, html.Stderr));
        var written = File.ReadAllText(page);
        Assert.All(planted, name => Assert.Contains(name, written));
    }

    [Fact]
    public void Commits_whose_committer_time_is_after_their_deployment_are_left_out_of_lead_time_and_named()
    {
        var app = _s.Project();
        var c1 = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        string FromTheFuture(string message, string date)
        {
            File.WriteAllText(Path.Combine(app, "future.txt"), message + "\n");
            _s.Git(app, "add", "-A").EnsureOk();
            _s.Exec(app, "git", ["commit", "--quiet", "-m", message],
                env: new Dictionary<string, string?> { ["GIT_COMMITTER_DATE"] = date, ["GIT_AUTHOR_DATE"] = date }).EnsureOk();
            return _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        }
        var c2 = FromTheFuture("c2", "2099-01-01T00:00:00Z");
        var c3 = FromTheFuture("c3", "2099-01-02T00:00:00Z");
        _s.Git(app, "push", "--quiet", "--no-verify", "prd", $"{c3}:refs/heads/main").EnsureOk();
        _s.Record(app, "prd", c3).EnsureOk();

        var json = _s.Promote(app, "history", "prd", "--json").EnsureOk();

        PublishedSchemas.AssertConforms("history", json.Stdout.TrimEnd('\n'));
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal([c1], doc.RootElement.GetProperty("leadTimes").EnumerateArray().Select(l => l.GetProperty("commit").GetString()));
        var lead = doc.RootElement.GetProperty("figures").GetProperty("leadTime");
        Assert.Equal(1, lead.GetProperty("commits").GetInt32());
        Assert.InRange(lead.GetProperty("medianSeconds").GetInt64(), 0, 3600);
        var note = Assert.Single(doc.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!),
            n => n.StartsWith("lead time: 2 commit(s) committed after their deployment", StringComparison.Ordinal));
        Assert.Contains($"{c2[..12]} committed 2099-01-01", note);
        Assert.Contains($"{c3[..12]} committed 2099-01-02", note);
    }

    [Fact]
    public void Every_date_a_user_may_type_draws_a_history_or_is_a_usage_error_never_an_internal_error()
    {
        var app = _s.Project();
        var c1 = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        _s.Git(app, "push", "--quiet", "--no-verify", "prd", $"{c1}:refs/heads/main").EnsureOk();
        _s.Record(app, "prd", c1).EnsureOk();
        string[][] windows =
        [
            ["--since", "0001-01-01", "--until", "9999-12-31T23:59:59Z"],
            ["--since", "0001-01-01"],
            ["--until", "9999-12-31T23:59:59Z"],
            ["--until", "0001-01-01T00:00:01Z"],
            ["--until", "0001-01-01"],
            ["--since", "9999-12-31T23:59:58Z", "--until", "9999-12-31T23:59:59Z"],
            ["--since", "0001-01-01", "--until", "0001-01-01T00:00:01Z"],
            ["--since", "36500d"],
            ["--since", "9999-12-31T23:59:59Z"],
        ];
        var page = Path.Combine(_s.Root, "page.html");

        foreach (var window in windows)
            foreach (var output in new[] { new[] { "--html", page }, ["--json"], [] })
            {
                var run = _s.Promote(app, ["history", .. window, .. output]);
                Assert.True(run.ExitCode is 0 or 2, $"history {string.Join(' ', window)} {string.Join(' ', output)}: exit {run.ExitCode}\n{run.Output}");
                Assert.DoesNotContain("internal error", run.Output);
            }
    }
}
