using System.Diagnostics;
using System.Globalization;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// Green means healthy, end to end: alarms made in moto with the AWS CLI (put-metric-alarm, set-alarm-state), pushes
/// through the installed hooks, the pipeline gate through a reader role, and Debian's <c>faketime</c> running the
/// published binary later than moto's clock, so "OK for long enough" is tested without waiting.
/// </summary>
[Collection(InstalledCollection.Name)]
[Trait("Needs", "faketime")]
public sealed class HealthTests : IDisposable
{
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public HealthTests(InstalledGitPromote installed)
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

    private string Health(string alarms, string more = "") => $"{{ alarms: [{alarms}], healthy_for: 30m{more} }}";

    /// <summary>A project whose stg has <paramref name="health"/>, with its HEAD recorded green in stg.</summary>
    private (string App, string Head) GreenInStg(string health, string onError = "block", string timeout = "10s")
    {
        var app = _s.Project(_aws.Policy(stgHealth: health, onError: onError, timeout: timeout));
        var head = Head(app);
        _s.Record(app, "stg", head).EnsureOk();
        return (app, head);
    }

    /// <summary>The push, run by <c>faketime</c> <paramref name="later"/> ahead of the real clock (moto's), hook and binary included.</summary>
    private Run PushLater(string app, TimeSpan later, params string[] args) =>
        _s.Exec(app, "faketime", ["-f", $"+{(int)later.TotalMinutes}m", "git", "push", .. args]);

    private static string Clock(DateTimeOffset at)
    {
        var ceiling = new DateTimeOffset((at.UtcTicks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        return ceiling.ToString("HH:mm'Z'", CultureInfo.InvariantCulture);
    }

    [Fact]
    public void An_alarm_in_ALARM_refuses_the_push_to_prd_naming_the_alarm_and_since_when()
    {
        var fiveXx = _aws.Alarm("5xx", "ALARM");
        var (app, head) = GreenInStg(Health(fiveXx));

        var push = _s.Git(app, "push", "prd", $"{head}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"{head[..12]} may not go to prd (health)", push.Stderr);
        Assert.Contains($"[health] {fiveXx} is in ALARM since {_aws.AlarmSince(fiveXx).UtcDateTime:HH:mm}Z", push.Stderr);
        Assert.Contains($"stg's alarms ({fiveXx}) must be OK for 30m before a commit leaves stg", push.Stderr);
        Assert.Contains("in an emergency: PROMOTE_BYPASS=", push.Stderr);
        Assert.DoesNotContain("   at ", push.Output);
        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/main"));
        Assert.Equal(1, _aws.Requests["DescribeAlarms"]);
    }

    [Fact]
    public void An_alarm_ok_for_less_than_healthy_for_is_refused_with_the_time_it_may_go_and_goes_at_that_time()
    {
        var fiveXx = _aws.Alarm("5xx", "ALARM");
        var (app, head) = GreenInStg(Health(fiveXx));
        _aws.SetAlarm(fiveXx, "OK");
        var mayGoAt = _aws.AlarmSince(fiveXx) + TimeSpan.FromMinutes(30);

        var now = _s.Git(app, "push", "prd", $"{head}:refs/heads/main");
        var tooEarly = PushLater(app, TimeSpan.FromMinutes(25), "prd", $"{head}:refs/heads/main");
        var later = PushLater(app, TimeSpan.FromMinutes(31), "prd", $"{head}:refs/heads/main");

        Assert.NotEqual(0, now.ExitCode);
        Assert.Matches($@"\[health\] {fiveXx} has been OK for [0-9]+s of 30m: try again after {Clock(mayGoAt)}", now.Stderr);
        Assert.NotEqual(0, tooEarly.ExitCode);
        Assert.Contains($"has been OK for 25m of 30m: try again after {Clock(mayGoAt)}", tooEarly.Stderr);
        Assert.Equal(0, later.ExitCode);
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void Insufficient_data_blocks_by_default_and_is_allowed_with_ignore()
    {
        var latency = _aws.Alarm("latency", "INSUFFICIENT_DATA");
        var (app, head) = GreenInStg(Health(latency));

        var blocked = _s.Git(app, "push", "prd", $"{head}:refs/heads/main");
        File.WriteAllText(Path.Combine(app, ".promote.yml"), _aws.Policy(stgHealth: Health(latency, ", insufficient_data: ignore")));
        var allowed = _s.Git(app, "push", "prd", $"{head}:refs/heads/main");

        Assert.NotEqual(0, blocked.ExitCode);
        Assert.Contains($"[health] {latency} is INSUFFICIENT_DATA since", blocked.Stderr);
        Assert.Contains("(insufficient_data: block)", blocked.Stderr);
        allowed.EnsureOk();
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void A_prefix_matches_several_alarms_each_counts_and_a_pattern_that_matches_none_is_named()
    {
        var fiveXx = _aws.Alarm("5xx");
        var p50 = _aws.Alarm("latency-p50");
        var p99 = _aws.Alarm("latency-p99");
        var (app, head) = GreenInStg(Health($"{fiveXx}, '{_aws.Service}-latency-*'"));

        var healthy = _s.Exec(app, "faketime", ["-f", "+31m", _s.Installed.BinaryPath, "check", "prd", head, "--explain"]);
        var describeCalls = _aws.Requests["DescribeAlarms"];
        _aws.SetAlarm(p99, "ALARM");
        var oneInAlarm = PushLater(app, TimeSpan.FromMinutes(31), "prd", $"{head}:refs/heads/main");
        File.WriteAllText(Path.Combine(app, ".promote.yml"), _aws.Policy(stgHealth: Health($"{fiveXx}, '{_aws.Service}-latncy-*'")));
        var typo = PushLater(app, TimeSpan.FromMinutes(31), "prd", $"{head}:refs/heads/main");

        Assert.Equal(0, healthy.ExitCode);
        Assert.Contains("pass  health      3 alarms in stg have been OK for at least 30m", healthy.Stdout);
        // One call for the names, one for the prefix.
        Assert.Equal(2, describeCalls);
        Assert.NotEqual(0, oneInAlarm.ExitCode);
        Assert.Contains($"[health] {p99} is in ALARM since", oneInAlarm.Stderr);
        Assert.DoesNotContain(p50, oneInAlarm.Stderr.Replace($"'{_aws.Service}-latency-*'", ""));
        Assert.NotEqual(0, typo.ExitCode);
        Assert.Contains($"[health] no alarm in stg matches '{_aws.Service}-latncy-*'", typo.Stderr);
    }

    [Fact]
    public void A_rollback_into_prd_passes_while_stg_is_in_alarm()
    {
        var fiveXx = _aws.Alarm("5xx");
        var (app, old) = GreenInStg(Health(fiveXx));
        _s.Record(app, "prd", old).EnsureOk();
        _s.Git(app, "push", "--no-verify", "prd", $"{old}:refs/heads/main").EnsureOk();
        var bad = _s.Commit(app, "the release that set stg on fire");
        _s.Git(app, "push", "--no-verify", "prd", $"{bad}:refs/heads/main").EnsureOk();
        _aws.SetAlarm(fiveXx, "ALARM");

        var rollback = _s.Git(app, "push", "prd", $"+{old}:refs/heads/main");

        rollback.EnsureOk();
        Assert.Contains($"rollback prd/main <- {old[..12]}", rollback.Stderr);
        Assert.Equal(old, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void The_gate_reads_the_previous_environments_alarms_through_the_reader_role_and_refuses_and_admits_in_the_same_cases()
    {
        var fiveXx = _aws.Alarm("5xx", "ALARM");
        var (app, head) = GreenInStg(Health(fiveXx));
        var pin = Path.Combine(_s.Root, "pinned.yml");
        File.WriteAllText(pin, _aws.Policy(stgHealth: Health(fiveXx)));
        var role = $"stg=arn:aws:iam::{AwsWorld.Account}:role/promote-evidence-reader";
        var env = new Dictionary<string, string?> { ["AWS_REGION"] = AwsWorld.Region };
        string[] gate = [_s.Installed.BinaryPath, "gate", "prd", "--commit", head, "--policy", pin, "--role", role];

        var inAlarm = _s.Exec(app, gate[0], gate[1..], env: env);
        _aws.SetAlarm(fiveXx, "OK");
        var tooSoon = _s.Exec(app, gate[0], gate[1..], env: env);
        var healthy = _s.Exec(app, "faketime", ["-f", "+31m", .. gate], env: env);

        Assert.Equal(1, inAlarm.ExitCode);
        Assert.Contains($"REFUSED: {head[..12]} may not be deployed to prd", inAlarm.Stdout);
        Assert.Contains($"[health] {fiveXx} is in ALARM since", inAlarm.Stdout);
        Assert.Equal(1, tooSoon.ExitCode);
        Assert.Contains("try again after", tooSoon.Stdout);
        Assert.Equal(0, healthy.ExitCode);
        Assert.Contains("pass  health", healthy.Stdout);
        // Every DescribeAlarms went out with the reader role's session keys, not the pipeline's own.
        var describes = _aws.Recorded.Where(r => r.Operation == "DescribeAlarms").ToList();
        Assert.Equal(3, describes.Count);
        Assert.All(describes, r => Assert.NotEqual(FakeCodePipeline.AccessKeyId, r.AccessKeyId));
        Assert.True(_aws.Requests["AssumeRole"] > 0, "the role was not assumed");
    }

    [Fact]
    public void Check_explain_shows_health_as_a_checklist_line_and_status_shows_each_environments_health()
    {
        var fiveXx = _aws.Alarm("5xx", "ALARM");
        var (app, head) = GreenInStg(Health(fiveXx));

        var check = _s.Promote(app, "check", "prd", head, "--explain");
        var status = _s.Promote(app, "status");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"FAIL  health      {fiveXx} is in ALARM since", check.Stdout);
        Assert.Contains("may not go to prd: health", check.Stdout);
        status.EnsureOk();
        Assert.Contains($"health: NOT OK {fiveXx} is in ALARM since", status.Stdout);
        Assert.Contains($"next: {head[..12]} is green in stg, waiting for: health", status.Stdout);
    }

    [Fact]
    public void The_server_hook_refuses_a_commit_leaving_an_unhealthy_dev()
    {
        var fiveXx = _aws.Alarm("dev-5xx", "ALARM");
        var policy = TestPolicies.StandardYaml.Replace("    remotes: [dev]\n",
            $"    remotes: [dev]\n    aws: {{ region: {AwsWorld.Region} }}\n    health: {Health(fiveXx)}\n");
        var app = _s.GuardedStgServer(policy);
        var commit = _s.GreenInDev(app, "v2");
        var stg = Path.Combine(_s.Root, "stg.git");

        var refused = _s.Git(app, "push", "--no-verify", "file://" + stg, $"{commit}:refs/heads/main");
        _aws.SetAlarm(fiveXx, "OK");
        var admitted = _s.Exec(app, "faketime", ["-f", "+31m", "git", "push", "--no-verify", "file://" + stg, $"{commit}:refs/heads/main"]);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"remote:     [health] {fiveXx} is in ALARM since", refused.Stderr);
        admitted.EnsureOk();
        Assert.Equal(commit, _s.RemoteRef(stg, "refs/heads/main"));
    }

    [Theory]
    [InlineData("hung")]
    [InlineData("failing")]
    public void A_hung_or_failing_cloudwatch_fails_closed_within_the_timeout_with_a_clear_message(string kind)
    {
        var (app, head) = GreenInStg(Health("orders-stg-5xx"), timeout: "3s");
        using var endpoint = kind == "hung"
            ? HostileHttpServer.Hung()
            : HostileHttpServer.Failing(500,
            "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>We broke</Message></Error></ErrorResponse>");
        _s.Environment["AWS_ENDPOINT_URL_CLOUDWATCH"] = endpoint.Endpoint.ToString();

        var clock = Stopwatch.StartNew();
        var push = _s.Git(app, "push", "prd", $"{head}:refs/heads/main");
        clock.Stop();

        Assert.NotEqual(0, push.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
        Assert.Contains("could not read the health alarms of stg: cloudwatch:DescribeAlarms on alarms orders-stg-5xx for stg", push.Stderr);
        Assert.Contains(kind == "hung" ? "no answer within the time allowed" : "AWS answered with a server error (500 InternalFailure) on every attempt",
            push.Stderr);
        Assert.Contains(kind == "hung" ? "check the network path to AWS (an AWS_ENDPOINT_URL* override is set)" : "try again in a moment", push.Stderr);
        Assert.DoesNotContain("   at ", push.Output);
        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void Unreadable_health_follows_on_error_allow()
    {
        var (app, head) = GreenInStg(Health("orders-stg-5xx"), onError: "allow", timeout: "3s");
        using var endpoint = HostileHttpServer.Failing(403,
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>");
        _s.Environment["AWS_ENDPOINT_URL_CLOUDWATCH"] = endpoint.Endpoint.ToString();

        var push = _s.Git(app, "push", "prd", $"{head}:refs/heads/main").EnsureOk();

        Assert.Contains("allowed without evidence (on_error: allow)", push.Stderr);
        Assert.Contains("access denied (AccessDenied): the identity may not call cloudwatch:DescribeAlarms", push.Stderr);
        Assert.Equal(1, endpoint.Requests);
    }
}
