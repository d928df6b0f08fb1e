using System.Globalization;
using System.Text.RegularExpressions;

namespace GitPromote.IntegrationTests;

/// <summary>The commands around the guard: install/uninstall, init, check, status, demo, help and version.</summary>
[Collection(InstalledCollection.Name)]
public sealed class CommandTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    [Fact]
    public void Install_refuses_to_replace_a_hooksPath_someone_else_set_and_uninstall_restores_it()
    {
        var app = _s.Project();
        _s.Promote(app, "uninstall").EnsureOk();
        _s.Git(app, "config", "core.hooksPath", ".husky").EnsureOk();

        var refused = _s.Promote(app, "install").EnsureExit(2);
        Assert.Contains("already set to '.husky'", refused.Stderr);
        Assert.Contains("--force", refused.Stderr);
        Assert.Equal(".husky", HooksPath(app));

        _s.Promote(app, "install", "--force").EnsureOk();
        Assert.Equal(installed.HooksDir, HooksPath(app));
        Assert.Contains("already installed", _s.Promote(app, "install").EnsureOk().Stdout);

        _s.Promote(app, "uninstall").EnsureOk();
        Assert.Equal(".husky", HooksPath(app));
        Assert.Contains("nothing changed", _s.Promote(app, "uninstall").EnsureOk().Stdout);
    }

    [Fact]
    public void Uninstall_unsets_the_hooksPath_it_set()
    {
        var app = _s.Project();
        Assert.Equal(installed.HooksDir, HooksPath(app));

        _s.Promote(app, "uninstall").EnsureOk();

        Assert.Equal("", HooksPath(app));
    }

    [Fact]
    public void Init_writes_a_valid_starter_policy_from_the_clones_remotes()
    {
        var app = Path.Combine(_s.Root, "fresh");
        _s.Git(_s.Root, "init", "--quiet", app).EnsureOk();
        foreach (var (remote, env) in new[] { ("development", "dev"), ("staging", "stg"), ("production", "prd") })
            _s.Git(app, "remote", "add", remote, _s.Bare(env)).EnsureOk();

        var init = _s.Promote(app, "init").EnsureOk();

        Assert.Contains("dev (development) -> stg (staging) -> prd (production)", init.Stdout);
        var text = File.ReadAllText(Path.Combine(app, ".promote.yml"));
        Assert.Contains("remotes: [production]", text);
        _s.Commit(app, "policy");
        _s.Promote(app, "check", "stg").EnsureExit(1);
        Assert.Equal(2, _s.Promote(app, "init").ExitCode);
    }

    [Fact]
    public void Check_exits_0_when_the_commit_may_go_and_1_when_not()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();

        var no = _s.Promote(app, "check", "stg").EnsureExit(1);
        Assert.Contains("is not green in dev", no.Stdout);
        _s.Record(app, "dev", "HEAD").EnsureOk();
        _s.Promote(app, "check", "stg", "HEAD").EnsureOk();

        var json = _s.Promote(app, "check", "prd", "--json").EnsureExit(1);
        Assert.Contains("\"allowed\":false", json.Stdout);
        Assert.Contains("\"reason\":\"not-green\"", json.Stdout);
        _s.Promote(app, "check", "dev").EnsureOk();
        Assert.Contains("unknown environment 'qa'", _s.Promote(app, "check", "qa").EnsureExit(2).Stderr);
    }

    [Fact]
    public void Status_shows_deployed_and_green_commits_and_what_can_go_next()
    {
        var app = _s.Project();
        var head = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", "HEAD").EnsureOk();

        var human = _s.Promote(app, "status").EnsureOk();
        Assert.Contains($"next: {head[..12]} is green in dev and can go: git push stg {head[..12]}:refs/heads/main", human.Stdout);

        var json = _s.Promote(app, "status", "--json").EnsureOk();
        Assert.Contains($"{{\"name\":\"dev\",\"deployed\":\"{head}\"", json.Stdout);
        Assert.Contains($"\"next\":\"{head}\"", json.Stdout);
    }

    [Fact]
    public void Demo_walks_the_whole_flow_and_every_step_behaves_as_expected()
    {
        var dir = Path.Combine(_s.Root, "playground");

        var demo = _s.Promote(_s.Root, "demo", dir).EnsureOk();

        Assert.Contains("All 20 steps behaved as expected.", demo.Stdout);
        Assert.DoesNotContain("UNEXPECTED", demo.Stdout);
        // Each step ended as this table says, and for the reason it says: not only with the exit code the demo expects.
        var steps = Regex.Split(demo.Stdout, @"^(?=\[\d+\] )", RegexOptions.Multiline).Skip(1).ToList();
        var v1 = Regex.Match(demo.Stdout, "recorded: ([0-9a-f]{12}) is green in dev").Groups[1].Value;
        Assert.Equal(DemoOutcomes.Length, steps.Count);
        for (var i = 0; i < DemoOutcomes.Length; i++)
        {
            var wentThrough = DemoOutcomes[i].WentThrough;
            var reason = string.Format(CultureInfo.InvariantCulture, DemoOutcomes[i].Reason, v1);
            Assert.Contains(wentThrough ? "ok: went through, as expected" : "ok: refused, as expected", steps[i]);
            Assert.True(steps[i].Contains(reason, StringComparison.Ordinal), $"step {i + 1} does not say \"{reason}\":\n{steps[i]}");
        }
        Assert.True(Directory.Exists(Path.Combine(dir, "app", ".git")));
        // It ends with the history: prd's three deployments, the rollback and the bypass among them, and the page.
        Assert.Contains("DORA figures for prd:", demo.Stdout);
        Assert.Contains("rollback", demo.Stdout);
        Assert.Contains($"The history page is {Path.Combine(dir, "history.html")}", demo.Stdout);
        var page = File.ReadAllText(Path.Combine(dir, "history.html"));
        Assert.Contains("INC-12: db failover, approved by on-call", page);
        Assert.DoesNotContain("<script", page);
    }

    /// <summary>The demo's steps in order: whether each goes through, and what its output must say of why ({0}: v1's short id).</summary>
    private static readonly (bool WentThrough, string Reason)[] DemoOutcomes =
    [
        (true, "main -> main"),
        (false, "refs/heads/main: {0} is not green in dev (order)"),
        (true, "recorded: {0} is green in dev"),
        (true, "git-promote: ok stg/main <- {0}: green in dev"),
        (false, "refs/heads/main: {0} is not green in stg (order)"),
        (true, "recorded: {0} is green in stg"),
        (true, "git-promote: ok prd/main <- {0}: green in stg"),
        (true, "recorded: a deployment of {0} to prd (forward)"),
        (true, "git-promote: ok prd/main <- "),
        (true, "git-promote: rollback prd/main <- {0}: green in prd before (rollback: previously-green)"),
        (true, "recorded: a deployment of {0} to prd (rollback)"),
        (false, "is not green in stg (order)"),
        (false, "the bypass justification does not match the policy's pattern"),
        (true, "git-promote: BYPASS prd/main <- "),
        (true, " to prd (bypass)"),
        (true, "\"INC-12: db failover, approved by on-call\""),
        (false, "deleting the deploy branch 'main' of prd is not allowed"),
        (true, "demo-service: dev -> stg -> prd"),
        (true, "DORA figures for prd:"),
        (true, "deployments in 3 environments"),
    ];

    [Fact]
    public void Doctor_reports_how_the_clone_is_wired_from_which_level_and_whether_the_shims_match_the_binary()
    {
        var app = _s.Project();
        var own = Path.Combine(app, ".git", "hooks", "pre-push");
        Sandbox.WriteScript(own, "#!/bin/sh\nexit 0\n");

        var doctor = _s.Promote(app, "doctor").EnsureOk();

        Assert.Contains($"{installed.HooksDir} (from this clone", doctor.Stdout);
        Assert.Contains("git-promote's shims, the same version as this binary", doctor.Stdout);
        Assert.Contains($"after the guard: {own}", doctor.Stdout);
        Assert.Contains($"the shims run this binary ({installed.BinaryPath})", doctor.Stdout);

        var stale = Path.Combine(_s.Root, "stale-hooks");
        Directory.CreateDirectory(stale);
        Sandbox.WriteScript(Path.Combine(stale, "pre-push"), File.ReadAllText(Path.Combine(installed.HooksDir, "pre-push")).Replace("exec", "exec  "));
        _s.Git(app, "config", "core.hooksPath", stale).EnsureOk();
        var outdated = _s.Promote(app, "doctor");
        Assert.Contains("git-promote's shims, but not this binary's version", outdated.Stdout);
    }

    [Fact]
    public void Doctor_warns_when_a_git_store_holds_more_than_ten_thousand_records_and_says_how_to_prune()
    {
        var app = _s.Project();
        var head = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        var dev = Path.Combine(_s.Root, "dev.git");
        _s.Record(app, "dev", head).EnsureOk();
        var few = _s.Promote(app, "doctor");

        // Years of green records, as pack-refs would leave them: one sorted packed-refs file.
        var names = Enumerable.Range(0, 10_001).Select(i => $"refs/promote/green/{i:x40}").Order(StringComparer.Ordinal);
        File.WriteAllText(Path.Combine(dev, "packed-refs"),
            "# pack-refs with: peeled fully-peeled sorted \n" + string.Concat(names.Select(n => $"{head} {n}\n")));
        var many = _s.Promote(app, "doctor");

        Assert.DoesNotContain("refs under refs/promote/", few.Stdout);
        // 10,001 packed, and the loose green record and deployment event of the record above.
        Assert.Contains("10003 refs under refs/promote/ (more than 10000)", many.Stdout);
        Assert.Contains("git promote prune dev --dry-run", many.Stdout);
    }

    [Theory]
    [InlineData("hook")]
    [InlineData("check")]
    [InlineData("record")]
    [InlineData("status")]
    [InlineData("approve")]
    [InlineData("revoke")]
    [InlineData("audit")]
    [InlineData("install")]
    [InlineData("uninstall")]
    [InlineData("init")]
    [InlineData("demo")]
    public void Every_command_has_help(string command)
    {
        var help = _s.Promote(_s.Root, command, "--help").EnsureOk();

        Assert.StartsWith($"usage: git promote {command}", help.Stdout);
    }

    [Fact]
    public void Version_usage_errors_and_outside_a_repository_are_short_and_coded()
    {
        Assert.Matches(@"^git-promote \d+\.\d+\.\d+\S* \(commit ([0-9a-f]{12}|unknown)\)\n$", _s.Promote(_s.Root, "--version").EnsureOk().Stdout);
        Assert.Contains("unknown command 'frobnicate'", _s.Promote(_s.Root, "frobnicate").EnsureExit(2).Stderr);
        Assert.Contains("not inside a git repository", _s.Promote(_s.Root, "status").EnsureExit(2).Stderr);
        Assert.Contains("unknown option '--bogus'", _s.Promote(_s.Root, "status", "--bogus").EnsureExit(2).Stderr);
    }

    private string HooksPath(string app) => _s.Git(app, "config", "--local", "core.hooksPath").Stdout.Trim();
}
