using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// `git promote gate` as a pipeline runs it: the source is `git archive &lt;sha&gt;` unpacked into a folder with no .git,
/// the commit comes from CODEBUILD_RESOLVED_SOURCE_VERSION, the policy is pinned outside the source, dev's evidence is
/// the dev remote's refs/promote/* (given with PROMOTE_REMOTE_DEV or --remote) and stg/prd keep theirs in SSM (moto),
/// written with the AWS CLI where a pipeline would use it.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class PipelineGateTests : IDisposable
{
    private const string Justification = "INC-7: payment outage, approved by on-call lead";
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;
    private int _sources;

    public PipelineGateTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private string Dev => Path.Combine(_s.Root, "dev.git");
    private string Head(string app) => _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();

    private static string With(string policy, string env, params string[] lines) =>
        policy.Replace($"    remotes: [{env}]\n", $"    remotes: [{env}]\n" + string.Concat(lines.Select(l => "    " + l + "\n")));

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    /// <summary>The policy the pipeline owns: a file outside the source it deploys.</summary>
    private string Pin(string policy) => _s.PipelinePolicy(policy);

    private string Source(string app, string commit) => PipelineSource.Unpack(_s, app, commit, $"codebuild-src-{++_sources}");

    private Dictionary<string, string?> Pipeline(string commit) => new()
    {
        ["CODEBUILD_RESOLVED_SOURCE_VERSION"] = commit,
        ["AWS_REGION"] = AwsWorld.Region,
        ["PROMOTE_REMOTE_DEV"] = Dev,
    };

    private Run Gate(string source, string commit, params string[] args) =>
        _s.Exec(source, _s.Installed.BinaryPath, ["gate", .. args], env: Pipeline(commit));

    private Run BypassPush(string app, params string[] args) =>
        _s.Exec(app, "git", ["push", .. args], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = Justification });

    [Fact]
    public void A_commit_pushed_with_no_verify_and_not_green_in_dev_is_refused_by_the_stg_gate()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        Assert.NotEqual(0, _s.Git(app, "push", "stg", "main").ExitCode);   // the hook refuses it...
        _s.Git(app, "push", "--no-verify", "stg", "main").EnsureOk();     // ...so it is pushed around the hook

        var gate = Gate(Source(app, head), head, "stg", "--policy", Pin(_aws.Policy()));

        Assert.Equal(1, gate.ExitCode);
        Assert.Contains($"REFUSED: {head[..12]} may not be deployed to stg", gate.Stdout);
        Assert.Contains($"{head[..12]} is not green in dev", gate.Stdout);
        Assert.Contains("(CODEBUILD_RESOLVED_SOURCE_VERSION;", gate.Stdout);
        Assert.DoesNotContain("   at ", gate.Output);
    }

    [Fact]
    public void It_is_admitted_after_dev_records_it_with_the_policy_read_from_ssm()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        _s.Git(app, "push", "--no-verify", "stg", "main").EnsureOk();
        var publish = _s.Promote(app, "policy", "publish", "stg", "--file", Pin(_aws.Policy())).EnsureOk();
        var parameter = $"/promote/{_aws.Service}/policy";
        Assert.Contains($"git promote gate stg --policy ssm:{parameter}", publish.Stdout);
        var source = Source(app, head);

        var before = Gate(source, head, "stg", "--policy", $"ssm:{parameter}");
        _s.Record(app, "dev", head).EnsureOk();
        var after = Gate(source, head, "stg", "--policy", $"ssm:{parameter}", "--json");

        Assert.Equal(1, before.ExitCode);
        Assert.Equal(0, after.ExitCode);
        PublishedSchemas.AssertConforms("gate", after.Stdout.TrimEnd('\n'));
        using var json = JsonDocument.Parse(after.Stdout);
        Assert.Equal("stg", json.RootElement.GetProperty("environment").GetString());
        Assert.Equal(head, json.RootElement.GetProperty("commit").GetString());
        Assert.True(json.RootElement.GetProperty("allowed").GetBoolean());
        Assert.Equal("promoted", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("reason").ValueKind);
        Assert.Contains("green in dev", json.RootElement.GetProperty("message").GetString());
        Assert.Contains(json.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("rule").GetString() == "order"
            && c.GetProperty("outcome").GetString() == "pass");
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("bypass").ValueKind);
        // The published policy is the file, byte for byte, as any client reads it.
        var stored = _aws.AwsCli("ssm", "get-parameter", "--name", parameter, "--query", "Parameter.Value", "--output", "text").EnsureOk();
        Assert.Equal(_aws.Policy().Trim(), stored.Stdout.Trim());
    }

    [Fact]
    public void A_rollback_to_a_commit_green_in_stg_before_is_admitted()
    {
        var app = _s.Project(_aws.Policy());
        var old = Head(app);
        // stg's pipeline recorded it green long ago, the way a pipeline without git-promote would.
        _aws.AwsCli("ssm", "put-parameter", "--name", _aws.Green("stg", old), "--type", "String",
            "--value", """{"recordedAt":"2025-03-04T05:06:07Z","recordedBy":"codebuild/orders-stg"}""").EnsureOk();
        _s.Commit(app, "newer");

        var gate = Gate(Source(app, old), old, "stg", "--policy", Pin(_aws.Policy()));

        Assert.Equal(0, gate.ExitCode);
        Assert.Contains("ADMITTED as a rollback: green in stg before", gate.Stdout);
    }

    [Fact]
    public void A_bypass_into_stg_is_admitted_and_its_justification_who_and_when_are_shown()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        BypassPush(app, "stg", "main").EnsureOk();   // the pre-push hook records the bypass in stg's SSM
        var source = Source(app, head);

        var gate = Gate(source, head, "stg", "--policy", Pin(_aws.Policy()));
        var json = Gate(source, head, "stg", "--policy", Pin(_aws.Policy()), "--json");

        Assert.Equal(0, gate.ExitCode);
        Assert.Contains("ADMITTED UNDER A BYPASS recorded in stg's store", gate.Stdout);
        Assert.Contains($"justification: {Justification}", gate.Stdout);
        Assert.Matches(@"by: \S", gate.Stdout);
        Assert.Matches(@"at: \d{4}-\d\d-\d\d \d\d:\d\dZ", gate.Stdout);
        Assert.Contains("FAIL  order", gate.Stdout);   // what the bypass skipped stays in the log
        Assert.Equal(0, json.ExitCode);
        PublishedSchemas.AssertConforms("gate", json.Stdout.TrimEnd('\n'));
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal("bypass", doc.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(Justification, doc.RootElement.GetProperty("bypass").GetProperty("justification").GetString());
        Assert.Contains("order", doc.RootElement.GetProperty("bypass").GetProperty("overrides").EnumerateArray().Select(o => o.GetString()));
    }

    [Fact]
    public void A_bypass_record_written_by_a_pusher_reaches_the_log_without_control_characters()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        // Anyone who may write stg's bypass path can write this; its text goes to the pipeline's log.
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["environment"] = "stg",
            ["commit"] = head,
            ["ref"] = "refs/heads/main",
            ["justification"] = "INC-1: \u001b]0;owned\u0007\u001b[2Jscreen cleared by a record",
            ["byName"] = "Mallory\u001b[31m",
            ["byEmail"] = "m@example.com",
            ["at"] = Utc(DateTimeOffset.UtcNow),
        });
        _aws.AwsCli("ssm", "put-parameter", "--name", $"/promote/{_aws.Service}/stg/bypass/20260101T000000Z-{head}-abcd1234",
            "--type", "String", "--value", body).EnsureOk();

        var gate = Gate(Source(app, head), head, "stg", "--policy", Pin(_aws.Policy()));

        Assert.Equal(0, gate.ExitCode);
        Assert.Contains("screen cleared by a record", gate.Stdout);
        Assert.DoesNotContain('\u001b', gate.Stdout);
        Assert.DoesNotContain('\u0007', gate.Stdout);
    }

    [Fact]
    public void A_bypass_into_prd_or_for_another_commit_does_not_admit_to_stg()
    {
        var app = _s.Project(_aws.Policy());
        var gated = Head(app);
        BypassPush(app, "prd", $"{gated}:refs/heads/main").EnsureOk();   // recorded in prd's store, for prd
        var other = _s.Commit(app, "another commit");
        BypassPush(app, "stg", $"{other}:refs/heads/main").EnsureOk();   // recorded in stg's store, for another commit
        var listed = _aws.AwsCli("ssm", "get-parameters-by-path", "--path", $"/promote/{_aws.Service}/prd/bypass", "--query", "Parameters[].Name", "--output",
            "text").EnsureOk();
        Assert.Contains(gated, listed.Stdout);

        var gate = Gate(Source(app, gated), gated, "stg", "--policy", Pin(_aws.Policy()));

        Assert.Equal(1, gate.ExitCode);
        Assert.Contains($"{gated[..12]} is not green in dev", gate.Stdout);
        Assert.DoesNotContain("ADMITTED", gate.Stdout);
    }

    /// <summary>
    /// A bypass admits one deployment, the one it was written for: a dry run writes none; a real bypass push admits one
    /// gate and record, and a second deployment of the same commit is refused; status shows what the pipeline deployed, not
    /// what a push around the hook left on the branch.
    /// </summary>
    [Fact]
    public void A_bypass_admits_one_deployment_none_for_a_dry_run_and_status_shows_the_last_deployment_not_the_branch()
    {
        // rollback: never, so a commit recorded green in stg goes back there only as a promotion (green in dev) or a bypass.
        var app = _s.Project(_aws.Policy(rollback: "never"));
        var pin = Pin(_aws.Policy(rollback: "never"));
        string Bypasses() => _aws.AwsCli("ssm", "get-parameters-by-path", "--path", $"/promote/{_aws.Service}/stg/bypass", "--query", "Parameters[].Name",
            "--output", "text").EnsureOk().Stdout.Trim();

        // A dry run is judged, and records nothing: a later push around the hook finds no bypass at the gate.
        var c1 = Head(app);
        var dry = BypassPush(app, "--dry-run", "stg", "main").EnsureOk();
        Assert.Contains("dry run: nothing recorded", dry.Stderr);
        Assert.Equal("", Bypasses());
        _s.Git(app, "push", "--no-verify", "stg", "main").EnsureOk();
        var afterDryRun = Gate(Source(app, c1), c1, "stg", "--policy", pin);
        Assert.Equal(1, afterDryRun.ExitCode);
        Assert.DoesNotContain("ADMITTED", afterDryRun.Stdout);

        // A real bypass push: its gate admits, record uses the bypass up, and the next deployment of that commit is refused.
        var c2 = _s.Commit(app, "hotfix");
        BypassPush(app, "stg", "main").EnsureOk();
        Assert.Contains(c2, Bypasses());
        var source = Source(app, c2);
        Assert.Equal(0, Gate(source, c2, "stg", "--policy", pin).ExitCode);
        var record = _s.Exec(source, _s.Installed.BinaryPath, ["record", "stg", "--policy", pin], env: Pipeline(c2)).EnsureOk();
        Assert.Contains($"recorded: a deployment of {c2[..12]} to stg (bypass)", record.Stdout);
        var events = _aws.AwsCli("ssm", "get-parameters-by-path", "--path", $"/promote/{_aws.Service}/stg/deploy", "--query", "Parameters[].Value",
            "--output", "text").EnsureOk().Stdout;
        Assert.Contains($"\"bypass\":\"{Bypasses().Split('/')[^1]}\"", events);
        var again = Gate(source, c2, "stg", "--policy", pin);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"bypass \"{Justification}\"", again.Stdout);
        Assert.Contains("was already used by the deployment at", again.Stdout);

        // A push around the hook that the gate refuses leaves the branch ahead of what was deployed.
        var c3 = _s.Commit(app, "untested");
        _s.Git(app, "push", "--no-verify", "stg", "main").EnsureOk();
        Assert.Equal(1, Gate(Source(app, c3), c3, "stg", "--policy", pin).ExitCode);
        var status = _s.Promote(app, "status").EnsureOk().Stdout;
        Assert.Matches($@"stg +deployed {c2[..12]} \(bypass, [^)]*ago\); main at {c3[..12]} \(not deployed", status);
        var json = _s.Promote(app, "status", "--json").EnsureOk().Stdout;
        PublishedSchemas.AssertConforms("status", json.TrimEnd('\n'));
        using var doc = JsonDocument.Parse(json);
        var stg = doc.RootElement.GetProperty("environments").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "stg");
        Assert.Equal(c2, stg.GetProperty("lastDeployment").GetProperty("commit").GetString());
        Assert.Equal("bypass", stg.GetProperty("lastDeployment").GetProperty("kind").GetString());
        Assert.Equal(c3, stg.GetProperty("deployed").GetString());

        // The audit says which deployment used the bypass.
        var audit = _s.Promote(app, "audit", "stg").EnsureOk().Stdout;
        Assert.Matches($@"{c2[..12]} .*used by the deployment at \d{{4}}-", audit);
    }

    [Fact]
    public void A_revoked_commit_is_refused_even_when_green_in_dev_and_bypassed_into_stg()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        _s.Record(app, "dev", head).EnsureOk();
        BypassPush(app, "stg", "main").EnsureOk();
        var source = Source(app, head);
        Assert.Equal(0, Gate(source, head, "stg", "--policy", Pin(_aws.Policy())).ExitCode);

        _s.Promote(app, "revoke", "stg", head, "--reason", "corrupts orders").EnsureOk();
        var gate = Gate(source, head, "stg", "--policy", Pin(_aws.Policy()));

        Assert.Equal(1, gate.ExitCode);
        Assert.Contains($"{head[..12]} is revoked in stg", gate.Stdout);
        Assert.Contains("corrupts orders", gate.Stdout);
        Assert.DoesNotContain("ADMITTED", gate.Stdout);
    }

    [Fact]
    public void The_first_environment_has_no_gate_but_a_commit_revoked_there_is_refused()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        var source = Source(app, head);

        var before = Gate(source, head, "dev", "--policy", Pin(_aws.Policy()));
        _s.Promote(app, "revoke", "dev", head, "--reason", "leaks tokens").EnsureOk();
        var after = Gate(source, head, "dev", "--policy", Pin(_aws.Policy()));

        Assert.Equal(0, before.ExitCode);
        Assert.Contains("ADMITTED: dev is the first environment, it has no gate", before.Stdout);
        Assert.Equal(1, after.ExitCode);
        Assert.Contains($"REFUSED: {head[..12]} is revoked in dev", after.Stdout);
        Assert.Contains("leaks tokens", after.Stdout);
    }

    [Fact]
    public void Soak_is_judged_when_the_gate_runs()
    {
        var policy = With(_aws.Policy(), "dev", "soak: 3s");
        var app = _s.Project(policy);
        var head = Head(app);
        _s.Record(app, "dev", head).EnsureOk();
        var source = Source(app, head);

        var early = Gate(source, head, "stg", "--policy", Pin(policy));
        Thread.Sleep(TimeSpan.FromSeconds(4));
        var later = Gate(source, head, "stg", "--policy", Pin(policy));

        Assert.Equal(1, early.ExitCode);
        Assert.Contains("[soak] green in dev for", early.Stdout);
        Assert.Equal(0, later.ExitCode);
        Assert.Contains("pass  soak", later.Stdout);
    }

    [Fact]
    public void A_freeze_on_stg_holds_at_gate_time_for_a_commit_green_in_dev()
    {
        var policy = With(_aws.Policy(), "stg", "freeze:",
            $"  - {{from: {Utc(DateTimeOffset.UtcNow.AddHours(-1))}, to: {Utc(DateTimeOffset.UtcNow.AddHours(1))}, reason: 'release train'}}");
        var app = _s.Project(policy);
        var head = Head(app);
        _s.Record(app, "dev", head).EnsureOk();

        var gate = Gate(Source(app, head), head, "stg", "--policy", Pin(policy));

        Assert.Equal(1, gate.ExitCode);
        Assert.Contains("[freeze] stg is frozen until", gate.Stdout);
        Assert.Contains("release train", gate.Stdout);
    }

    [Fact]
    public void A_loosened_promote_yml_inside_the_gated_commit_changes_nothing()
    {
        var app = _s.Project(_aws.Policy());
        // The commit drops dev from its own policy, so stg would be the first environment, with no gate at all.
        var loose = _aws.Policy().Replace("  - name: dev\n    remotes: [dev]\n    evidence:\n      - git: {}\n", "");
        Assert.DoesNotContain("name: dev", loose);
        File.WriteAllText(Path.Combine(app, ".promote.yml"), loose);
        _s.Git(app, "commit", "--quiet", "-am", "loosen the gate").EnsureOk();
        var head = Head(app);
        _s.Git(app, "push", "--no-verify", "stg", "main").EnsureOk();
        var source = Source(app, head);

        var pinned = Gate(source, head, "stg", "--policy", Pin(_aws.Policy()));
        var unpinned = Gate(source, head, "stg");

        Assert.Equal(1, pinned.ExitCode);
        Assert.Contains($"{head[..12]} is not green in dev", pinned.Stdout);
        Assert.Equal(2, unpinned.ExitCode);
        Assert.Contains("no pinned policy", unpinned.Stderr);
        Assert.Contains("--policy ssm:/promote/<name>/policy", unpinned.Stderr);
    }

    [Fact]
    public void With_AWS_down_the_gate_refuses_within_the_timeout()
    {
        var policy = _aws.Policy(timeout: "2s");
        var app = _s.Project(policy);
        var head = Head(app);
        using var silent = new SilentEndpoint();
        _s.Environment["AWS_ENDPOINT_URL_SSM"] = silent.Url;

        var clock = Stopwatch.StartNew();
        var gate = Gate(Source(app, head), head, "prd", "--policy", Pin(policy));
        clock.Stop();

        Assert.Equal(1, gate.ExitCode);
        Assert.Contains($"could not tell whether {head[..12]} is green in stg", gate.Stdout);
        Assert.DoesNotContain("   at ", gate.Output);
        Assert.True(silent.Connections > 0, "the gate never asked SSM");
        // 2 s for the evidence, 2 s more for the bypass records, plus process start-up on a busy machine.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_short_commit_id_without_a_repository_is_a_usage_error()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);

        var gate = Gate(Source(app, head), head[..12], "stg", "--policy", Pin(_aws.Policy()));

        Assert.Equal(2, gate.ExitCode);
        Assert.Contains("is not a full commit id", gate.Stderr);
        Assert.Equal("", gate.Stdout);
    }

    [Fact]
    public void Record_works_without_a_clone_and_the_next_gate_reads_what_it_wrote()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        var pin = Pin(_aws.Policy());
        var source = Source(app, head);

        var record = _s.Exec(source, _s.Installed.BinaryPath, ["record", "stg", "--policy", pin], env: Pipeline(head)).EnsureOk();
        var gate = Gate(source, head, "prd", "--policy", pin);

        Assert.Contains($"recorded: {head[..12]} is green in stg", record.Stdout);
        _aws.AwsCli("ssm", "get-parameter", "--name", _aws.Green("stg", head)).EnsureOk();
        Assert.Equal(0, gate.ExitCode);
        Assert.Contains("ADMITTED: green in stg", gate.Stdout);
    }

    [Fact]
    public void Remote_role_and_policy_given_as_options_in_a_clone_with_git_evidence_from_the_given_url()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        _s.Record(app, "dev", head).EnsureOk();
        var elsewhere = _s.Bare("dev-mirror");
        _s.Git(Dev, "push", "--quiet", elsewhere, "+refs/*:refs/*").EnsureOk();

        // A clone whose dev remote knows nothing: only the URL given with --remote holds the evidence.
        var gate = _s.Exec(app, _s.Installed.BinaryPath, ["gate", "stg", "--policy", Pin(_aws.Policy()), "--remote", $"dev={elsewhere}",
            "--role", $"stg=arn:aws:iam::{AwsWorld.Account}:role/promote-evidence-reader"], env: new Dictionary<string,
                string?>
            { ["AWS_REGION"] = AwsWorld.Region });
        var badRole = _s.Exec(app, _s.Installed.BinaryPath, ["gate", "stg", "--policy", Pin(_aws.Policy()), "--role", "qa=arn:aws:iam::1:role/x"]);

        Assert.Equal(0, gate.ExitCode);
        Assert.Contains("(HEAD;", gate.Stdout);
        Assert.Contains("ADMITTED: green in dev", gate.Stdout);
        Assert.True(_aws.Requests["AssumeRole"] > 0, "the role was not assumed");
        Assert.Equal(2, badRole.ExitCode);
        Assert.Contains("'qa', which is not an environment of the policy", badRole.Stderr);
    }

    /// <summary>An endpoint that accepts connections and never answers: AWS as seen through a dead network path.</summary>
    private sealed class SilentEndpoint : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _held = [];
        private int _connections;

        public SilentEndpoint()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var socket = await _listener.AcceptSocketAsync();
                        lock (_held) _held.Add(socket);
                        Interlocked.Increment(ref _connections);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            });
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
        public int Connections => Volatile.Read(ref _connections);

        public void Dispose()
        {
            _listener.Stop();
            lock (_held) foreach (var s in _held) s.Dispose();
        }
    }
}
