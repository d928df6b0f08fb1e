using GitPromote.TestSupport;
namespace GitPromote.IntegrationTests;

/// <summary>
/// Every promise of the pre-push guard that needs git, shown with real pushes through the installed hook. What needs no
/// git of its own (a justification that does not match, deleting a deploy branch, many refs at once, a broken policy) is
/// Cli.Tests' GuardRulesInProcessTests, the hook run in process with fake evidence through the context.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class PrePushGuardTests(InstalledGitPromote installed) : IDisposable
{
    private const string GoodJustification = "INC-12: db failover, hotfix approved";
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    [Fact]
    public void Push_to_dev_goes_through_without_a_gate()
    {
        var app = _s.Project();
        var head = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();

        _s.Git(app, "push", "dev", "main").EnsureOk();

        Assert.Equal(head, _s.RemoteRef(Path.Combine(_s.Root, "dev.git"), "refs/heads/main"));
    }

    [Fact]
    public void Push_to_stg_is_blocked_when_commit_not_green_in_dev()
    {
        var app = _s.Project();
        var green = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", "main").EnsureOk();
        var notGreen = _s.Commit(app, "second");
        _s.Git(app, "push", "dev", "main").EnsureOk();

        var push = _s.Git(app, "push", "stg", "main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("push to stg refused", push.Stderr);
        Assert.Contains($"{notGreen[..12]} is not green in dev", push.Stderr);
        Assert.Contains("newest commits green in dev", push.Stderr);
        Assert.Contains($"git push stg {green[..12]}:refs/heads/main", push.Stderr);
        Assert.DoesNotContain("   at ", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));
    }

    [Fact]
    public void Push_to_stg_goes_through_after_dev_pipeline_recorded_green()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        Assert.NotEqual(0, _s.Git(app, "push", "stg", "main").ExitCode);

        _s.Record(app, "dev", "main").EnsureOk();
        var push = _s.Git(app, "push", "stg", "main").EnsureOk();

        Assert.Contains("green in dev", push.Stderr);
        Assert.Equal(_s.Git(app, "rev-parse", "HEAD").Stdout.Trim(), _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));
    }

    [Fact]
    public void Push_to_prd_is_blocked_when_commit_not_green_in_stg()
    {
        var app = _s.Project();
        var head = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", head).EnsureOk();
        _s.Git(app, "push", "stg", "main").EnsureOk();

        var refused = _s.Git(app, "push", "prd", $"{head}:refs/heads/main");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("is not green in stg", refused.Stderr);

        _s.Record(app, "stg", head).EnsureOk();
        _s.Git(app, "push", "prd", $"{head}:refs/heads/main").EnsureOk();
        Assert.Equal(head, _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/main"));
    }

    [Fact]
    public void Rollback_to_a_commit_green_in_prd_before_goes_through_and_says_so()
    {
        var app = _s.Project();
        var v1 = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        Promote(app, v1, "dev", "stg", "prd");
        var v2 = _s.Commit(app, "v2");
        Promote(app, v2, "dev", "stg", "prd");
        Assert.Equal(v2, _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/main"));

        var rollback = _s.Git(app, "push", "-f", "prd", $"{v1}:main").EnsureOk();

        Assert.Contains("rollback", rollback.Stderr);
        Assert.Equal(v1, _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/main"));
    }

    [Fact]
    public void Rollback_is_refused_when_the_policy_says_never()
    {
        var app = _s.Project(TestPolicies.StandardYaml.Replace("rollback: previously-green", "rollback: never"));
        var v1 = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        Promote(app, v1, "dev", "stg", "prd");
        var v2 = _s.Commit(app, "v2");
        Promote(app, v2, "dev", "stg", "prd");
        // v1 stays green in stg, so it would pass as a promotion; make stg forget it to isolate the rollback rule.
        _s.Git(_s.Root, "--git-dir", Path.Combine(_s.Root, "stg.git"), "update-ref", "-d", $"refs/promote/green/{v1}").EnsureOk();
        File.Delete(Path.Combine(app, ".git", "promote", "green-cache"));

        var rollback = _s.Git(app, "push", "-f", "prd", $"{v1}:main");

        Assert.NotEqual(0, rollback.ExitCode);
        Assert.Contains("is not green in stg", rollback.Stderr);
        Assert.Equal(v2, _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/main"));
    }

    [Fact]
    public void Bypass_with_a_matching_justification_is_recorded_then_allowed_and_audited()
    {
        var app = _s.Project();
        var hotfix = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();

        var push = _s.Exec(app, "git", ["push", "prd", "main"], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = GoodJustification }).EnsureOk();

        Assert.Contains("BYPASS", push.Stderr);
        Assert.Equal(hotfix, _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/main"));
        var audit = _s.Promote(app, "audit", "prd").EnsureOk();
        Assert.Contains(hotfix[..12], audit.Stdout);
        Assert.Contains("Dana Developer <dana@example.com>", audit.Stdout);
        Assert.Contains(GoodJustification, audit.Stdout);
        Assert.Contains("prd", audit.Stdout);
        var json = _s.Promote(app, "audit", "prd", "--json").EnsureOk();
        Assert.Contains($"\"commit\":\"{hotfix}\"", json.Stdout);
        Assert.Contains("\"byEmail\":\"dana@example.com\"", json.Stdout);
        Assert.Matches("\"at\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\"", json.Stdout);
    }

    [Fact]
    public void Bypass_is_refused_when_its_record_cannot_be_written()
    {
        var app = _s.Project();
        var prd = Path.Combine(_s.Root, "prd.git");
        var hook = Path.Combine(prd, "hooks", "pre-receive");
        Sandbox.WriteScript(hook, "#!/bin/sh\nwhile read old new ref; do case \"$ref\" in refs/promote/bypass/*) echo 'audit store is read-only' >&2; exit " +
            "1;; esac; done\nexit 0\n");

        var push = _s.Exec(app, "git", ["push", "prd", "main"], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = GoodJustification });

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("bypass could not be recorded", push.Stderr);
        Assert.Equal("", _s.RemoteRef(prd, "refs/heads/main"));
    }

    [Fact]
    public void Refs_that_are_not_deploy_branches_and_unknown_remotes_pass_untouched()
    {
        var app = _s.Project();
        var head = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        var other = _s.Bare("elsewhere");
        _s.Git(app, "remote", "add", "elsewhere", other).EnsureOk();

        var feature = _s.Git(app, "push", "prd", "main:refs/heads/feature/try").EnsureOk();
        _s.Git(app, "push", "elsewhere", "main").EnsureOk();
        _s.Git(app, "push", other, "main:refs/heads/by-url").EnsureOk();

        Assert.DoesNotContain("git-promote", feature.Stderr);
        Assert.Equal(head, _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/feature/try"));
        Assert.Equal(head, _s.RemoteRef(other, "refs/heads/main"));
    }

    [Fact]
    public void A_push_by_url_that_matches_an_environment_glob_is_guarded()
    {
        var app = _s.Project(TestPolicies.StandardYaml.Replace("remotes: [prd]", "remotes: [prd, '*/prd.git']"));
        var prd = Path.Combine(_s.Root, "prd.git");

        var push = _s.Git(app, "push", prd, "main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("push to prd refused", push.Stderr);
    }

    [Fact]
    public void A_push_to_the_url_of_a_configured_remote_is_guarded_like_the_remote()
    {
        var app = _s.Project();

        var push = _s.Git(app, "push", Path.Combine(_s.Root, "prd.git"), "main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("push to prd refused", push.Stderr);
    }

    [Fact]
    public void Remotes_added_with_a_relative_path_work_as_for_git_itself()
    {
        var app = _s.Project();
        _s.Git(app, "remote", "set-url", "dev", "../dev.git").EnsureOk();
        _s.Git(app, "push", "dev", "main").EnsureOk();

        Assert.NotEqual(0, _s.Git(app, "push", "stg", "main").ExitCode);
        _s.Record(app, "dev", "HEAD").EnsureOk();
        _s.Git(app, "push", "stg", "main").EnsureOk();
        Assert.Contains("; main at " + _s.Git(app, "rev-parse", "--short=12", "HEAD").Stdout.Trim(), _s.Promote(app, "status").EnsureOk().Stdout);
    }

    [Theory]
    [InlineData("garbage\n")]
    [InlineData("refs/heads/main 123 refs/heads/main 456\n")]
    [InlineData("refs/heads/main\0 0000000000000000000000000000000000000000 refs/heads/main 0000000000000000000000000000000000000000\n")]
    public void Garbage_hook_input_is_refused_with_a_clear_message(string input)
    {
        var app = _s.Project();

        var run = _s.Exec(app, installed.BinaryPath, ["hook", "pre-push", "stg", Path.Combine(_s.Root, "stg.git")], stdin: input);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cannot read the push from git", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public void Evidence_that_cannot_be_read_blocks_the_push_and_says_what_to_do()
    {
        var app = _s.Project();
        _s.Git(app, "remote", "set-url", "dev", Path.Combine(_s.Root, "no-such-repo.git")).EnsureOk();

        var push = _s.Git(app, "push", "stg", "main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("could not tell whether", push.Stderr);
        Assert.Contains("what to do:", push.Stderr);
        Assert.DoesNotContain("   at ", push.Stderr);
    }

    [Fact]
    public void The_hook_chains_to_the_clones_own_pre_push_with_the_same_input()
    {
        var app = _s.Project();
        var own = Path.Combine(app, ".git", "hooks", "pre-push");
        var seen = Path.Combine(_s.Root, "seen.txt");
        Sandbox.WriteScript(own, $"#!/bin/sh\necho \"$1 $2\" > '{seen}'\ncat >> '{seen}'\n");

        _s.Git(app, "push", "dev", "main").EnsureOk();

        var text = File.ReadAllText(seen);
        Assert.StartsWith($"dev {Path.Combine(_s.Root, "dev.git")}", text);
        Assert.Contains("refs/heads/main", text);
    }

    [Fact]
    public void The_shim_fails_closed_when_the_binary_is_missing()
    {
        var app = _s.Project();
        var lonelyHooks = Path.Combine(_s.Root, "share", "git-promote", "hooks");
        Directory.CreateDirectory(lonelyHooks);
        File.Copy(Path.Combine(installed.HooksDir, "pre-push"), Path.Combine(lonelyHooks, "pre-push"));
        _s.Git(app, "config", "core.hooksPath", lonelyHooks).EnsureOk();
        var noPromote = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin" };

        var push = _s.Exec(app, "git", ["push", "stg", "main"], env: noPromote);

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("git-promote program is missing", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));
    }

    private void Promote(string app, string commit, params string[] envs)
    {
        foreach (var env in envs)
        {
            _s.Git(app, "push", "-f", env, $"{commit}:refs/heads/main").EnsureOk();
            _s.Record(app, env, commit).EnsureOk();
        }
    }
}
