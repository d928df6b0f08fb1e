namespace GitPromote.IntegrationTests;

/// <summary>
/// The article's path as a team walks it, through the installed binary and hooks, with the README's commands: three
/// bare repositories as dev, stg and prd, releases going all the way, a bad release revoked and rolled back, records
/// written by hand and by pipelines whose clone has only <c>origin</c>, and what the tool suggests along the way. Each
/// assertion names the step of the walk it checks (issue 27: each of these failed on the main of that day).
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class ArticleFlowTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    /// <summary>The README's policy for three environments: dev also answers to origin (a pipeline's clone of dev's repository).</summary>
    private const string Policy = """
        version: 1
        name: orders-service
        branches: [main]
        environments:
          - name: dev
            remotes: [dev, origin]
          - name: stg
            remotes: [stg]
          - name: prd
            remotes: [prd]
        rollback: previously-green
        bypass:
          justification: '^[A-Z]+-[0-9]+: .{10,}'
        timeout: 10s

        """;

    public void Dispose() => _s.Dispose();

    private string Bare(string env) => Path.Combine(_s.Root, env + ".git");

    /// <summary>A clone with remotes dev, stg and prd, the policy committed as v1, wired with git promote install.</summary>
    private string Clone()
    {
        var app = _s.Project(Policy);
        _s.Git(app, "commit", "--quiet", "--amend", "-m", "v1").EnsureOk();
        return app;
    }

    private string Head(string dir) => _s.Git(dir, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();

    /// <summary>One release all the way, with the README's commands: push dev, record, push stg, record, push prd, record.</summary>
    private string ReleaseAllTheWay(string app)
    {
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Promote(app, "record", "dev", "main").EnsureOk();
        _s.Promote(app, "push", "stg").EnsureOk();
        _s.Promote(app, "record", "stg", "main").EnsureOk();
        _s.Promote(app, "push", "prd").EnsureOk();
        _s.Promote(app, "record", "prd", "main").EnsureOk();
        return Head(app);
    }

    private string NextRelease(string app, string message)
    {
        _s.Commit(app, message);
        return ReleaseAllTheWay(app);
    }

    [Fact]
    public void A_release_revoked_in_prd_stays_out_after_a_rollback_at_every_enforcement_point_cache_included()
    {
        var app = Clone();
        ReleaseAllTheWay(app);
        var v2 = NextRelease(app, "v2");
        var v3 = NextRelease(app, "v3");

        var revoke = _s.Promote(app, "revoke", "prd", v3, "--reason", "INC-7: checkout errors").EnsureOk();
        Assert.DoesNotContain("revoke it there too", revoke.Stdout);
        Assert.Contains("roll back with: git promote rollback prd", revoke.Stdout);

        var rollback = _s.Promote(app, "rollback", "prd").EnsureOk();
        Assert.Contains($"rollback of prd: to {v2[..12]}", rollback.Stdout);
        Assert.Equal(v2, _s.RemoteRef(Bare("prd"), "refs/heads/main"));

        // The plain push of the revoked release (green in stg, and in the positive cache since its promotion) is refused.
        var again = _s.Git(app, "push", "prd", $"{v3}:main");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains($"{v3[..12]} is revoked in prd", again.Stderr);
        Assert.Equal(v2, _s.RemoteRef(Bare("prd"), "refs/heads/main"));

        var explain = _s.Promote(app, "check", "prd", v3, "--explain").EnsureExit(1);
        Assert.Contains($"FAIL  revocation  {v3[..12]} is revoked in prd", explain.Stdout);

        // The gate of prd's pipeline refuses it too, reading prd's records through --remote.
        var pin = _s.PipelinePolicy(Policy);
        var prdClone = PipelineClone("prd", v3);
        var gate = _s.Promote(prdClone, "gate", "prd", "--policy", pin, "--remote", $"stg={Bare("stg")}", "--remote", $"prd={Bare("prd")}").EnsureExit(1);
        Assert.Contains($"REFUSED: {v3[..12]} may not be deployed to prd", gate.Stdout);
        Assert.Contains($"[revocation] {v3[..12]} is revoked in prd", gate.Stdout);

        // status never offers it as prd's next.
        var status = _s.Promote(app, "status").EnsureOk();
        Assert.DoesNotContain($"next: {v3[..12]}", status.Stdout);
    }

    [Fact]
    public void Record_refuses_a_commit_the_environment_never_deployed_and_force_records_it_saying_so_in_status_audit_and_history()
    {
        var app = Clone();
        var v1 = ReleaseAllTheWay(app);
        var v2 = _s.Commit(app, "v2");
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Promote(app, "record", "dev", "main").EnsureOk();

        // prd's main is at v1: main (v2) was never deployed there.
        var prd = _s.Promote(app, "record", "prd", "main").EnsureExit(1);
        Assert.Contains($"not recorded: prd was not seen deploying {v2[..12]}", prd.Stderr);
        Assert.Contains($"prd's main (remote prd) is at {v1[..12]}, which does not hold {v2[..12]}", prd.Stderr);

        // A commit pushed nowhere is not green in stg, so check prd does not answer ok.
        var nowhere = _s.Commit(app, "pushed nowhere");
        _s.Promote(app, "record", "stg", nowhere).EnsureExit(1);
        _s.Promote(app, "check", "prd", nowhere).EnsureExit(1);

        var forced = _s.Promote(app, "record", "stg", nowhere, "--force").EnsureOk();
        Assert.Contains("recorded with --force", forced.Stdout);
        Assert.Contains("recorded with --force: stg's main (remote stg) is at", _s.Promote(app, "status").EnsureOk().Stdout);
        Assert.Contains($"RECORDED WITH --force by Dana Developer <dana@example.com>: stg's main (remote stg) is at {v1[..12]}",
            _s.Promote(app, "audit", "stg").EnsureOk().Stdout);
        Assert.Contains($"the deployment of {nowhere[..12]}", _s.Promote(app, "history", "--since", "1h").EnsureOk().Output);
    }

    /// <summary>A pipeline's own clone of an environment's repository: its only remote is origin, checked out at the commit.</summary>
    private string PipelineClone(string env, string commit)
    {
        var clone = Path.Combine(_s.Root, $"{env}-pipeline-{commit[..7]}-{Guid.NewGuid().ToString("N")[..4]}");
        _s.Git(_s.Root, "clone", "--quiet", Bare(env), clone).EnsureOk();
        _s.Git(clone, "checkout", "--quiet", commit).EnsureOk();
        return clone;
    }

    [Fact]
    public void A_pipeline_clone_whose_only_remote_is_origin_records_and_gates_with_the_readme_flags_and_names_them()
    {
        var app = Clone();
        var v1 = Head(app);
        _s.Git(app, "push", "dev", "main").EnsureOk();
        var dev = PipelineClone("dev", v1);
        var pipeline = new Dictionary<string, string?> { ["CODEBUILD_RESOLVED_SOURCE_VERSION"] = v1 };

        // The README's recipe, as written, in dev's pipeline clone.
        var recorded = _s.Exec(dev, installed.BinaryPath, ["record", "dev", v1, "--remote", "dev=origin"], env: pipeline).EnsureOk();
        Assert.Contains("git refs on remote origin (--remote dev=...)", recorded.Stdout);
        Assert.Contains("deployed: this pipeline run fetched it (CODEBUILD_RESOLVED_SOURCE_VERSION)", recorded.Stdout);

        _s.Promote(app, "push", "stg").EnsureOk();
        var stg = PipelineClone("stg", v1);
        var pin = _s.PipelinePolicy(Policy);
        // The gate of stg reads dev's green and revocations through --remote; stg's own through PROMOTE_REMOTE_STG.
        var gateEnv = new Dictionary<string, string?>(pipeline) { ["PROMOTE_REMOTE_STG"] = "origin" };
        var gate = _s.Exec(stg, installed.BinaryPath, ["gate", "stg", "--commit", v1, "--policy", pin, "--remote", $"dev={Bare("dev")}"], env: gateEnv)
            .EnsureOk();
        Assert.Contains("ADMITTED: green in dev", gate.Stdout);
        var viaVariable = _s.Exec(stg, installed.BinaryPath, ["record", "stg"], env: gateEnv).EnsureOk();
        Assert.Contains("(PROMOTE_REMOTE_STG)", viaVariable.Stdout);
        Assert.Contains("recorded: a deployment of", viaVariable.Stdout);
        Assert.Contains($"refs/promote/green/{v1}", _s.Git(_s.Root, "ls-remote", Bare("stg"), "refs/promote/green/*").EnsureOk().Stdout);

        // The pipeline run fetched v1: it does not record another commit green.
        var other = _s.Commit(app, "not what the run fetched");
        _s.Git(app, "push", "stg", "main", "--no-verify").EnsureOk();
        var wrong = _s.Exec(stg, installed.BinaryPath, ["record", "stg", "--commit", other, "--remote", "stg=origin"], env: pipeline).EnsureExit(1);
        Assert.Contains($"this pipeline run fetched {v1[..12]} (CODEBUILD_RESOLVED_SOURCE_VERSION), not {other[..12]}", wrong.Stderr);
        Assert.DoesNotContain($"refs/promote/green/{other}", _s.Git(_s.Root, "ls-remote", Bare("stg"), "refs/promote/green/*").EnsureOk().Stdout);
    }

    [Fact]
    public void Suggestions_go_forward_in_time_never_name_what_is_revoked_or_behind_and_their_push_is_one_git_accepts()
    {
        var app = Clone();
        var v1 = ReleaseAllTheWay(app);
        // v2 and v3 are committed and recorded within the same second as each other: history, not the clock, orders them.
        var v2 = _s.Commit(app, "v2");
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Promote(app, "record", "dev", "main").EnsureOk();
        _s.Promote(app, "push", "stg").EnsureOk();
        _s.Promote(app, "record", "stg", "main").EnsureOk();

        _s.Commit(app, "hotfix: untested");
        var refused = _s.Git(app, "push", "prd", "HEAD:main");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"to promote the newest of them: git push prd {v2[..12]}:main", refused.Stderr);

        // After an emergency bypass of the hotfix, prd runs a commit off stg's line: the suggestion replaces it, with a lease.
        _s.Git(app, "reset", "--quiet", "--hard", v1).EnsureOk();
        var branchFix = _s.Commit(app, "hotfix on v1");
        var bypass = new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = "INC-9: checkout down, on-call approved" };
        _s.Exec(app, "git", ["push", "prd", "HEAD:main"], env: bypass).EnsureOk();
        var status = _s.Promote(app, "status").EnsureOk().Stdout;
        var push = $"git push --force-with-lease=refs/heads/main:{branchFix} prd {v2[..12]}:main";
        Assert.Contains($"next: {v2[..12]} is green in stg and can go: {push}", status);
        // The suggested push, run as printed, is accepted by git and by the guard.
        _s.Exec(app, "sh", ["-c", push]).EnsureOk();
        Assert.Equal(v2, _s.RemoteRef(Bare("prd"), "refs/heads/main"));

        // Now prd runs v2: v1, green in stg but behind it, is not offered as its next.
        var after = _s.Promote(app, "status").EnsureOk().Stdout;
        // The suggested push moved prd's branch; its pipeline has not recorded a deployment of v2 (none runs here).
        Assert.Matches($@"prd +deployed {v1[..12]} \(forward, [^)]+ ago\); main at {v2[..12]} \(not deployed", after);
        Assert.DoesNotContain("next:", after[after.IndexOf("prd    deployed", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void Push_and_rollback_are_one_command_each_with_a_dry_run_and_refuse_what_the_guard_would()
    {
        var app = Clone();
        var v1 = ReleaseAllTheWay(app);
        var v2 = NextRelease(app, "v2");

        var dry = _s.Promote(app, "rollback", "prd", "--dry-run").EnsureOk();
        Assert.Contains($"dry run: would run: git push --force-with-lease=refs/heads/main:{v2} prd", dry.Stdout);
        Assert.Equal(v2, _s.RemoteRef(Bare("prd"), "refs/heads/main"));

        var rolled = _s.Promote(app, "rollback", "prd").EnsureOk();
        Assert.Contains("git-promote: rollback prd/main <- " + v1[..12], rolled.Stderr);
        Assert.Equal(v1, _s.RemoteRef(Bare("prd"), "refs/heads/main"));
        // Rolling back again goes further back, never forward to v2: there is nothing before v1.
        _s.Promote(app, "rollback", "prd").EnsureExit(1);

        // rollback --to a commit that was never green in prd is not a rollback.
        var untested = _s.Commit(app, "untested");
        var notRollback = _s.Promote(app, "rollback", "prd", "--to", untested);
        Assert.NotEqual(0, notRollback.ExitCode);
        Assert.Equal(v1, _s.RemoteRef(Bare("prd"), "refs/heads/main"));

        // push of a commit the guard refuses pushes nothing.
        var refused = _s.Promote(app, "push", "prd", untested).EnsureExit(1);
        Assert.Contains("not pushed: the guard would refuse it", refused.Stdout);
        Assert.Equal(v1, _s.RemoteRef(Bare("prd"), "refs/heads/main"));

        // push with no commit named sends stg's newest that may go: v2 again.
        var next = _s.Promote(app, "push", "prd", "--dry-run").EnsureOk();
        Assert.Contains($"next for prd: {v2[..12]}", next.Stdout);
    }

    [Fact]
    public void A_refusal_to_stg_with_dev_pushed_but_not_recorded_names_the_record_command()
    {
        var app = Clone();
        var v1 = Head(app);
        _s.Git(app, "push", "dev", "main").EnsureOk();

        var refused = _s.Git(app, "push", "stg", "main");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"git promote record dev {v1[..12]}", refused.Stderr);
    }
}
