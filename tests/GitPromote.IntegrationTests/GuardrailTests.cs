using System.Globalization;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// Soak, freeze, approvals and revocation with git evidence, each shown with real pushes through the installed hook
/// and the published binary: a two-second soak waited out, a time zone the binary reads, records git writes and the
/// audit reads. The rules' words with no git needed (soak's time left, a freeze's end, check --explain, a time zone
/// this machine does not know) are Cli.Tests' GuardRulesInProcessTests, with fake evidence through the context.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class GuardrailTests(InstalledGitPromote installed) : IDisposable
{
    private const string GoodJustification = "INC-12: db failover, hotfix approved";
    private static readonly Dictionary<string, string?> AsBob = new() { ["GIT_COMMITTER_NAME"] = "Bob Reviewer", ["GIT_COMMITTER_EMAIL"] = "bob@example.com" };
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    /// <summary>The standard policy with <paramref name="lines"/> added to environment <paramref name="env"/> (after its remotes).</summary>
    private static string With(string policy, string env, params string[] lines) =>
        policy.Replace($"    remotes: [{env}]\n", $"    remotes: [{env}]\n" + string.Concat(lines.Select(l => "    " + l + "\n")));

    private string Prd => Path.Combine(_s.Root, "prd.git");

    private string Head(string app) => _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();

    private void Promote(string app, string commit, params string[] envs)
    {
        foreach (var env in envs)
        {
            _s.Git(app, "push", "-f", env, $"{commit}:refs/heads/main").EnsureOk();
            _s.Record(app, env, commit).EnsureOk();
        }
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // ---- soak ----

    [Fact]
    public void A_short_soak_is_refused_at_first_and_passes_once_waited_out()
    {
        var app = _s.Project(With(TestPolicies.StandardYaml, "stg", "soak: 2s"));
        var head = Head(app);
        Promote(app, head, "dev", "stg");

        Assert.Contains("[soak]", _s.Git(app, "push", "prd", "main").Stderr);
        Thread.Sleep(TimeSpan.FromSeconds(3));

        _s.Git(app, "push", "prd", "main").EnsureOk();
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    // ---- freeze ----

    [Fact]
    public void A_recurring_freeze_in_a_named_time_zone_is_read_by_the_published_binary()
    {
        var app = _s.Project(With(TestPolicies.StandardYaml, "prd",
            "freeze:", "  - {cron: '* * * * *', duration: 1h, timezone: Europe/Amsterdam, reason: always frozen}"));
        var head = Head(app);
        Promote(app, head, "dev", "stg");

        var push = _s.Git(app, "push", "prd", "main");

        Assert.Contains("[freeze] prd is frozen with no end in the next year: always frozen", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void A_rollback_goes_in_during_a_freeze_unless_the_policy_says_freeze_allows_rollback_false()
    {
        var app = _s.Project();
        var v1 = Head(app);
        Promote(app, v1, "dev", "stg", "prd");
        var v2 = _s.Commit(app, "v2");
        Promote(app, v2, "dev", "stg", "prd");
        var freeze = $"  - {{from: {Utc(DateTimeOffset.UtcNow.AddHours(-1))}, to: {Utc(DateTimeOffset.UtcNow.AddHours(1))}, reason: incident review}}";

        File.WriteAllText(Path.Combine(app, ".promote.yml"), With(TestPolicies.StandardYaml, "prd", "freeze:", freeze, "freeze_allows_rollback: false"));
        var refused = _s.Git(app, "push", "-f", "prd", $"{v1}:main");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("[freeze] prd is frozen until", refused.Stderr);
        Assert.Equal(v2, _s.RemoteRef(Prd, "refs/heads/main"));

        File.WriteAllText(Path.Combine(app, ".promote.yml"), With(TestPolicies.StandardYaml, "prd", "freeze:", freeze));
        var rollback = _s.Git(app, "push", "-f", "prd", $"{v1}:main").EnsureOk();
        Assert.Contains("rollback", rollback.Stderr);
        Assert.Equal(v1, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void A_bypass_goes_in_during_a_freeze_and_the_audit_says_it_set_the_freeze_aside()
    {
        var app = _s.Project(With(TestPolicies.StandardYaml, "prd",
            "freeze:", $"  - {{from: {Utc(DateTimeOffset.UtcNow.AddHours(-1))}, to: {Utc(DateTimeOffset.UtcNow.AddHours(1))}, reason: year end}}"));
        var head = Head(app);
        Promote(app, head, "dev", "stg");

        var push = _s.Exec(app, "git", ["push", "prd", "main"], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = GoodJustification }).EnsureOk();

        Assert.Contains("BYPASS", push.Stderr);
        Assert.Contains("set aside: freeze", push.Stderr);
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
        Assert.Contains("(set aside: freeze)", _s.Promote(app, "audit", "prd").EnsureOk().Stdout);
        Assert.Contains("\"overrides\":[\"freeze\"]", _s.Promote(app, "audit", "prd", "--json").EnsureOk().Stdout);
    }

    // ---- approvals ----

    [Fact]
    public void A_push_needs_an_approval_from_someone_other_than_the_pusher()
    {
        var app = _s.Project(With(TestPolicies.StandardYaml, "prd", "approvals: { required: 1 }"));
        var head = Head(app);
        Promote(app, head, "dev", "stg");

        var none = _s.Git(app, "push", "prd", "main");
        Assert.NotEqual(0, none.ExitCode);
        Assert.Contains($"[approvals] 0 of 1 approval from others; another person runs: git promote approve prd {head[..12]}", none.Stderr);

        _s.Promote(app, "approve", "prd", "--comment", "my own change, looks fine to me").EnsureOk();
        var own = _s.Git(app, "push", "prd", "main");
        Assert.NotEqual(0, own.ExitCode);
        Assert.Contains("your own does not count", own.Stderr);

        var approve = _s.Exec(app, installed.BinaryPath, ["approve", "prd", head[..12], "--comment", "reviewed the diff"], env: AsBob).EnsureOk();
        Assert.Contains($"approved: {head[..12]} for prd by Bob Reviewer <bob@example.com>", approve.Stdout);
        Assert.StartsWith("tag", _s.Git(_s.Root, "--git-dir", Prd, "cat-file", "-t",
            _s.Git(_s.Root, "--git-dir", Prd, "for-each-ref", "--format=%(refname)", $"refs/promote/approval/{head}/bob_example.com-*").Stdout.Trim()).Stdout);

        _s.Git(app, "push", "prd", "main").EnsureOk();
        Assert.Equal(head, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void Status_shows_the_approvals_the_next_commit_is_waiting_for()
    {
        var app = _s.Project(With(TestPolicies.StandardYaml, "prd", "approvals: { required: 2 }"));
        var head = Head(app);
        Promote(app, head, "dev", "stg");
        _s.Exec(app, installed.BinaryPath, ["approve", "prd"], env: AsBob).EnsureOk();

        var status = _s.Promote(app, "status").EnsureOk();

        Assert.Contains($"next: {head[..12]} is green in stg, waiting for: approvals", status.Stdout);
        Assert.Contains("[approvals] 1 of 2 approvals from others (bob_example.com)", status.Stdout);
        Assert.Contains("\"nextWaitsFor\":[{\"rule\":\"approvals\",\"outcome\":\"fail\"", _s.Promote(app, "status", "--json").EnsureOk().Stdout);
    }

    // ---- revocation ----

    [Fact]
    public void A_revoked_commit_cannot_be_promoted_onward_even_with_a_bypass_and_record_needs_force_to_lift_it()
    {
        var app = _s.Project();
        var head = Head(app);
        Promote(app, head, "dev", "stg");

        var revoke = _s.Promote(app, "revoke", "stg", head, "--reason", "error rate alarm after deploy").EnsureOk();
        Assert.Contains($"revoked: {head[..12]} in stg by Dana Developer <dana@example.com>", revoke.Stdout);
        Assert.Equal("tag", _s.Git(_s.Root, "--git-dir", Path.Combine(_s.Root, "stg.git"), "cat-file", "-t", $"refs/promote/revoked/{head}").Stdout.Trim());

        var push = _s.Git(app, "push", "prd", "main");
        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"[revocation] {head[..12]} is revoked in stg by Dana Developer <dana@example.com> at", push.Stderr);
        Assert.Contains(": error rate alarm after deploy", push.Stderr);
        var bypass = _s.Exec(app, "git", ["push", "prd", "main"], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = GoodJustification });
        Assert.NotEqual(0, bypass.ExitCode);
        Assert.Contains("no bypass sets a revocation aside", bypass.Stderr);
        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/main"));

        var record = _s.Record(app, "stg", head).EnsureExit(1);
        Assert.Contains($"git promote record stg {head[..12]} --force", record.Stderr);
        var forced = _s.Record(app, "stg", head, "--force").EnsureOk();
        Assert.Contains("lifted: the revocation", forced.Stdout);

        _s.Git(app, "push", "prd", "main").EnsureOk();
        var audit = _s.Promote(app, "audit").EnsureOk().Stdout;
        Assert.Contains($"stg    {head[..12]}  REVOKED by Dana Developer <dana@example.com>  \"error rate alarm after deploy\"", audit);
        Assert.Contains($"stg    {head[..12]}  revocation lifted by Dana Developer <dana@example.com>", audit);
    }

    [Fact]
    public void A_rollback_to_a_commit_revoked_in_prd_is_refused()
    {
        var app = _s.Project();
        var v1 = Head(app);
        Promote(app, v1, "dev", "stg", "prd");
        var v2 = _s.Commit(app, "v2");
        Promote(app, v2, "dev", "stg", "prd");
        _s.Promote(app, "revoke", "prd", v1, "--reason", "data corruption bug").EnsureOk();

        var rollback = _s.Git(app, "push", "-f", "prd", $"{v1}:main");

        Assert.NotEqual(0, rollback.ExitCode);
        Assert.Contains($"[revocation] {v1[..12]} is revoked in prd", rollback.Stderr);
        Assert.Equal(v2, _s.RemoteRef(Prd, "refs/heads/main"));
    }

    [Fact]
    public void The_positive_cache_does_not_let_a_revoked_commit_through()
    {
        var app = _s.Project(TestPolicies.StandardYaml.Replace("branches: [main]", "branches: [main, 'release/*']"));
        var head = Head(app);
        Promote(app, head, "dev", "stg");
        _s.Git(app, "push", "prd", $"{head}:refs/heads/release/1").EnsureOk();
        Assert.Contains(head, File.ReadAllText(Path.Combine(app, ".git", "promote", "green-cache")));

        _s.Promote(app, "revoke", "stg", head, "--reason", "found a bug in stg").EnsureOk();
        var again = _s.Git(app, "push", "prd", $"{head}:refs/heads/release/2");

        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains($"[revocation] {head[..12]} is revoked in stg", again.Stderr);
        Assert.Equal("", _s.RemoteRef(Prd, "refs/heads/release/2"));
    }

    [Fact]
    public void Status_shows_revocations_and_no_longer_counts_the_commit_green_there()
    {
        var app = _s.Project();
        var head = Head(app);
        Promote(app, head, "dev");
        _s.Promote(app, "revoke", "dev", head, "--reason", "flaky migration").EnsureOk();

        var status = _s.Promote(app, "status").EnsureOk().Stdout;

        Assert.Matches($@"revoked: {head[..12]}  \d{{4}}-\d\d-\d\d \d\d:\d\dZ  by Dana Developer <dana@example.com>: flaky migration", status);
        Assert.DoesNotContain($"green: {head[..12]}", status);
        Assert.DoesNotContain("next:", status);
        Assert.Contains("already revoked", _s.Promote(app, "revoke", "dev", head, "--reason", "again").EnsureOk().Stdout);
    }
}
