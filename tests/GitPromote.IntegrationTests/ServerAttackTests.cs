using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// A pusher (or an unlucky operator) against the surfaces around the guard: the first environment's records, the
/// internal variable of the reference-transaction hook, namespaces, record-name spellings. Every test pushes with real
/// git and <c>--no-verify</c> to bare repositories set up with <c>git promote install --server</c>.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class ServerAttackTests(InstalledGitPromote installed) : IDisposable
{
    private const string Justification = "INC-12: db failover, hotfix approved";
    private static readonly Dictionary<string, string?> AsAlice = new() { ["GL_USER"] = "alice" };
    private static readonly Dictionary<string, string?> AsPipeline = new() { ["GL_USER"] = "pipeline" };

    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private string Stg => Path.Combine(_s.Root, "stg.git");
    private string Dev => Path.Combine(_s.Root, "dev.git");

    [Fact]
    public void The_first_environment_guards_its_records_so_no_pusher_makes_a_commit_green_for_the_next()
    {
        var app = _s.GuardedStgServer();
        _s.Git(app, "push", "--quiet", "--no-verify", "dev", "main").EnsureOk();
        var unguarded = _s.Exec(Stg, installed.BinaryPath, ["doctor", "--server"], env: AsAlice);
        Assert.Contains($"records of dev", unguarded.Stdout);
        Assert.Contains($"{Dev} (git config promote.remote.dev) is not guarded as dev: any pusher there can write the green records that admit commits here",
            unguarded.Stdout);

        var install = _s.Promote(Dev, "install", "--server", "--env", "dev");

        Assert.Equal(0, install.ExitCode);
        Assert.Contains("first environment: pushes to its branches are not gated; its records (refs/promote/*), which the next environment reads, are guarded",
            install.Stdout);
        _s.Git(Dev, "config", "promote.recorders", "pipeline").EnsureOk();
        var untested = _s.Commit(app, "untested");
        var forged = _s.Exec(app, "git", ["push", "--no-verify", "file://" + Dev, $"{untested}:refs/promote/green/{untested}"], env: AsAlice);
        Assert.NotEqual(0, forged.ExitCode);
        Assert.Contains($"refs/promote/green/{untested}: only the accounts in git config promote.recorders may write green records, and this server knows " +
            $"you as alice", forged.Stderr);
        Assert.Equal("", _s.RemoteRef(Dev, $"refs/promote/green/{untested}"));
        var promoted = _s.Exec(app, "git", ["push", "--no-verify", "file://" + Stg, $"{untested}:refs/heads/main"], env: AsAlice);
        Assert.NotEqual(0, promoted.ExitCode);
        Assert.Contains($"{untested[..12]} is not green in dev", promoted.Stderr);

        // dev itself stays ungated, and its pipeline records green there as before.
        _s.Exec(app, "git", ["push", "--no-verify", "file://" + Dev, $"{untested}:refs/heads/main"], env: AsAlice).EnsureOk();
        _s.Exec(app, installed.BinaryPath, ["record", "dev", untested], env: AsPipeline).EnsureOk();
        _s.Exec(app, "git", ["push", "--no-verify", "file://" + Stg, $"{untested}:refs/heads/main"], env: AsAlice).EnsureOk();
        var guarded = _s.Exec(Stg, installed.BinaryPath, ["doctor", "--server"], env: AsAlice);
        Assert.Contains($"{Dev} is guarded as dev: only its recorders write the records that admit commits here", guarded.Stdout);
    }

    [Fact]
    public void A_pusher_who_sets_the_guards_internal_variable_still_leaves_a_bypass_record()
    {
        var app = _s.GuardedStgServer();
        var hotfix = _s.Commit(app, "hotfix");
        // Over file:// (or sshd with AcceptEnv GIT_*) receive-pack and its hooks inherit the pusher's environment.
        var env = new Dictionary<string, string?>(AsAlice) { ["GIT_PROMOTE_INTERNAL"] = "1" };

        var push = _s.Exec(app, "git", ["push", "--no-verify", "-o", $"promote.bypass={Justification}", "file://" + Stg, $"{hotfix}:refs/heads/main"],
            env: env);

        Assert.Equal(0, push.ExitCode);
        Assert.Equal(hotfix, _s.RemoteRef(Stg, "refs/heads/main"));
        Assert.Single(BypassRecords(), r => r.Contains(hotfix, StringComparison.Ordinal));
        Assert.Contains($"{hotfix[..12]}  alice  \"{Justification}\"", _s.Promote(app, "audit", "stg").EnsureOk().Stdout);
        Assert.Equal("", _s.Git(Stg, "for-each-ref", "refs/promote/pending/").EnsureOk().Stdout);
    }

    [Fact]
    public void A_bypass_into_a_git_namespace_is_refused_with_why_rather_than_landing_unrecorded()
    {
        var app = _s.GuardedStgServer();
        var hotfix = _s.Commit(app, "hotfix");
        var env = new Dictionary<string, string?>(AsAlice) { ["GIT_NAMESPACE"] = "team" };

        var push = _s.Exec(app, "git", ["push", "--no-verify", "-o", $"promote.bypass={Justification}", "file://" + Stg, $"{hotfix}:refs/heads/main"],
            env: env);

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("this push is into git namespace 'team' (GIT_NAMESPACE)", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, "refs/namespaces/team/refs/heads/main"));
        Assert.Empty(BypassRecords());
    }

    [Theory]
    [InlineData("refs/Promote/green/{0}")]
    [InlineData("refs/PROMOTE/green/{0}")]
    [InlineData("refs/promotE/bypass/{0}")]
    public void A_record_ref_spelled_in_another_case_is_refused_from_everyone(string spelling)
    {
        var app = _s.GuardedStgServer();
        var untested = _s.Commit(app, "untested");
        var name = string.Format(System.Globalization.CultureInfo.InvariantCulture, spelling, untested);

        var push = _s.Exec(app, "git", ["push", "--no-verify", "file://" + Stg, $"{untested}:{name}"], env: AsPipeline);

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"{name} differs from refs/promote/ only in case", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, name));
    }

    [Fact]
    public void A_recorder_is_matched_exactly_so_a_pusher_named_in_another_case_writes_no_green_record()
    {
        var app = _s.GuardedStgServer();
        var untested = _s.Commit(app, "untested");

        var push = _s.Exec(app, "git", ["push", "--no-verify", "file://" + Stg, $"{untested}:refs/promote/green/{untested}"],
            env: new Dictionary<string, string?> { ["GL_USER"] = "PIPELINE" });

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("only the accounts in git config promote.recorders may write green records, and this server knows you as PIPELINE", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, $"refs/promote/green/{untested}"));
    }

    /// <summary>The server's name for the pusher is compared as it gave it: cleaning (spaces, angle brackets, control characters) is for display.</summary>
    [Theory]
    [InlineData("pipeline ")]
    [InlineData(" pipeline")]
    [InlineData("<pipeline>")]
    [InlineData("pipe<>line")]
    [InlineData("pipe\u0001line")]
    public void A_recorder_is_matched_as_the_server_named_the_pusher_so_a_name_that_only_cleans_to_it_writes_no_green_record(string name)
    {
        var app = _s.GuardedStgServer();
        var untested = _s.Commit(app, "untested");

        var push = _s.Exec(app, "git", ["push", "--no-verify", "file://" + Stg, $"{untested}:refs/promote/green/{untested}"],
            env: new Dictionary<string, string?> { ["GL_USERNAME"] = name });

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("only the accounts in git config promote.recorders may write green records, and this server knows you as pipeline", push.Stderr);
        Assert.DoesNotContain("\u0001", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, $"refs/promote/green/{untested}"));
    }

    [Fact]
    public void A_bypass_recorded_for_a_push_killed_before_git_committed_it_is_marked_not_seen_landed_by_the_audit()
    {
        var app = _s.GuardedStgServer();
        var hooks = Path.Combine(Stg, "hooks");
        // receive-pack dies once git has locked the ref and the guard has written the record ("prepared"), before "committed".
        File.Move(Path.Combine(hooks, "reference-transaction"), Path.Combine(hooks, "guard-rt"));
        Sandbox.WriteScript(Path.Combine(hooks, "reference-transaction"), $"""
            #!/bin/sh
            # git-promote-shim: reference-transaction (wrapped by the test)
            input=$(cat)
            printf '%s\n' "$input" | '{Path.Combine(hooks, "guard-rt")}' "$@" || exit $?
            if [ "$1" = prepared ] && printf '%s\n' "$input" | grep -q ' refs/heads/main$' && [ -e '{Path.Combine(_s.Root, "kill")}' ]; then
              kill -9 $PPID; sleep 5; fi
            exit 0

            """);
        File.WriteAllText(Path.Combine(_s.Root, "kill"), "");
        var killed = _s.Commit(app, "hotfix killed");
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");

        var push = _s.Exec(app, "git", ["push", "--no-verify", "-o", $"promote.bypass={Justification}", "file://" + Stg, $"{killed}:refs/heads/main"],
            env: AsAlice);

        Assert.NotEqual(0, push.ExitCode);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
        Assert.Single(BypassRecords(), r => r.Contains(killed, StringComparison.Ordinal));
        File.Delete(Path.Combine(_s.Root, "kill"));
        // What the killed process left: the locks of main and of HEAD (which names it), removed as an admin would.
        File.Delete(Path.Combine(Stg, "refs", "heads", "main.lock"));
        File.Delete(Path.Combine(Stg, "HEAD.lock"));
        _s.Git(app, "reset", "--quiet", "--hard", deployed).EnsureOk();
        var landed = _s.Commit(app, "hotfix landed");
        _s.Exec(app, "git", ["push", "--no-verify", "-o", $"promote.bypass={Justification}", "file://" + Stg, $"{landed}:refs/heads/main"],
            env: AsAlice).EnsureOk();

        var audit = _s.Promote(app, "audit", "stg").EnsureOk().Stdout;
        var json = _s.Promote(app, "audit", "stg", "--json").EnsureOk().Stdout;

        var killedLine = Assert.Single(audit.Split('\n'), l => l.Contains(killed[..12], StringComparison.Ordinal));
        Assert.Contains("NOT SEEN LANDED: refs/heads/main of stg does not hold it", killedLine);
        var landedLine = Assert.Single(audit.Split('\n'), l => l.Contains(landed[..12], StringComparison.Ordinal));
        Assert.DoesNotContain("NOT SEEN LANDED", landedLine);
        Assert.Contains($"\"commit\":\"{killed}\"", json);
        Assert.Contains("\"landed\":false", json);
        PublishedSchemas.AssertConforms("audit", json.TrimEnd('\n'));
        Assert.Contains("\"landed\":true", json);
    }

    [Fact]
    public void A_bypass_push_that_lands_on_a_server_leaves_a_bypass_deployment_event_for_history()
    {
        var app = _s.GuardedStgServer();
        var hotfix = _s.Commit(app, "hotfix");

        _s.Exec(app, "git", ["push", "--no-verify", "-o", $"promote.bypass={Justification}", "file://" + Stg, $"{hotfix}:refs/heads/main"], env: AsAlice)
            .EnsureOk();

        var events = _s.Git(Stg, "for-each-ref", "--format=%(refname) %(*objectname)", "refs/promote/deploy/").EnsureOk().Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ev = Assert.Single(events);
        Assert.Contains($"-{hotfix}-", ev);
        Assert.EndsWith(" " + hotfix, ev);
        var name = ev.Split(' ')[0];
        var message = _s.Git(Stg, "cat-file", "-p", name).EnsureOk().Stdout;
        Assert.Contains("\"kind\":\"bypass\"", message.Replace(" ", ""));
        Assert.Empty(_s.Git(Stg, "for-each-ref", "refs/promote/pending/").EnsureOk().Stdout.Trim());
        // It names the bypass record of this push and says it is the push landing, not yet a deployment: the pipeline's
        // record after it is the deployment that uses the bypass up.
        var record = Assert.Single(BypassRecords());
        Assert.Contains($"\"bypass\":\"{record["refs/promote/bypass/".Length..]}\"", message.Replace(" ", ""));
        Assert.Contains("\"landed\":true", message.Replace(" ", ""));
    }

    private List<string> BypassRecords() =>
        _s.Git(Stg, "for-each-ref", "--format=%(refname)", "refs/promote/bypass/").EnsureOk().Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}
