using GitPromote.TestSupport;
namespace GitPromote.IntegrationTests;

/// <summary>
/// What a pusher can do to a guarded server besides pushing commits: take over the policy, forge or erase records,
/// and leave records of pushes that never landed. Every test pushes with real git and <c>--no-verify</c> to a bare
/// repository set up with <c>git promote install --server</c>, and looks at the server's refs and the audit afterwards.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class ServerIntegrityTests(InstalledGitPromote installed) : IDisposable
{
    private const string Justification = "INC-12: db failover, hotfix approved";
    /// <summary>gitolite names the pusher to hooks in GL_USER; over file:// the server's hooks inherit the pusher's environment.</summary>
    private static readonly Dictionary<string, string?> AsAlice = new() { ["GL_USER"] = "alice" };
    private static readonly Dictionary<string, string?> AsPipeline = new() { ["GL_USER"] = "pipeline" };

    private readonly Sandbox _s = new(installed);
    private GitDaemon? _daemon;

    public void Dispose()
    {
        _daemon?.Dispose();
        _s.Dispose();
    }

    private string Stg => Path.Combine(_s.Root, "stg.git");

    // ---- 10.1: the policy source ----

    [Fact]
    public void Install_refuses_an_unborn_HEAD_and_a_pusher_cannot_replace_the_pinned_policy_through_it()
    {
        var app = _s.Project();
        _s.Git(app, "push", "--quiet", "--no-verify", "stg", "main").EnsureOk();
        // git 2.39's `git init --bare` gives HEAD master while the team pushes main.
        _s.Git(Stg, "symbolic-ref", "HEAD", "refs/heads/master").EnsureOk();

        var refused = _s.Promote(Stg, "install", "--server", "--env", "stg");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("HEAD names master, which does not exist yet: a pusher could create it and write the policy there", refused.Stderr);
        Assert.False(File.Exists(Path.Combine(Stg, "hooks", "pre-receive")));

        _s.Git(Stg, "symbolic-ref", "HEAD", "refs/heads/main").EnsureOk();
        _s.Promote(Stg, "install", "--server", "--env", "stg").EnsureOk();
        _s.Git(Stg, "config", "promote.remote.dev", Path.Combine(_s.Root, "dev.git")).EnsureOk();
        Assert.Equal("refs/heads/main", _s.Git(Stg, "config", "promote.policyRef").EnsureOk().Stdout.Trim());
        _s.Git(Stg, "symbolic-ref", "HEAD", "refs/heads/master").EnsureOk();
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");

        // The attacker's policy guards master only, so main would be unguarded under it.
        File.WriteAllText(Path.Combine(app, ".promote.yml"), TestPolicies.StandardYaml.Replace("branches: [main]", "branches: [master]"));
        var evil = _s.Commit(app, "evil policy");
        Push(app, $"{evil}:refs/heads/master").EnsureOk();
        var untested = _s.Commit(app, "untested");
        var push = Push(app, $"{untested}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"remote:   refs/heads/main: {untested[..12]} is not green in dev", push.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));

        // An install from before the pin reads the branch HEAD names, and never falls back to another one.
        _s.Git(Stg, "config", "--unset", "promote.policyRef").EnsureOk();
        _s.Git(Stg, "update-ref", "-d", "refs/heads/master").EnsureOk();
        var unpinned = Push(app, $"{untested}:refs/heads/main");
        Assert.NotEqual(0, unpinned.ExitCode);
        Assert.Contains("remote: git-promote: push refused: no policy: the branch HEAD names, master, does not exist", unpinned.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Fact]
    public void A_missing_pinned_policy_branch_refuses_every_push()
    {
        var app = Server();
        _s.Git(Stg, "config", "promote.policyRef", "refs/heads/gone").EnsureOk();
        var green = GreenInDev(app, "green");

        var push = Push(app, $"{green}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("push refused: no policy: the policy branch pinned at install (git config promote.policyRef), gone, does not exist", push.Stderr);
    }

    // ---- 15.1 + 10.2: a record exists exactly when its push landed ----

    [Fact]
    public void A_bypass_that_git_then_denies_as_non_fast_forward_leaves_no_record()
    {
        var app = Server();
        var v1 = _s.RemoteRef(Stg, "refs/heads/main");
        var v2 = GreenInDev(app, "v2");
        Push(app, $"{v2}:refs/heads/main").EnsureOk();
        _s.Git(Stg, "config", "receive.denyNonFastForwards", "true").EnsureOk();

        var push = PushWith("file", app, ["-f", "-o", $"promote.bypass={Justification}"], AsAlice, $"{v1}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("denying non-fast-forward", push.Stderr);
        Assert.Equal(v2, _s.RemoteRef(Stg, "refs/heads/main"));
        Assert.Empty(BypassRecords());
        Assert.DoesNotContain(v1[..12], _s.Promote(app, "audit", "stg").EnsureOk().Stdout);
        _s.Git(Stg, "fsck", "--strict", "--no-dangling").EnsureOk();
    }

    [Fact]
    public void A_bypass_declined_by_an_update_hook_after_the_guard_leaves_no_record_and_the_landed_one_names_the_gitolite_user()
    {
        var app = Server(TestPolicies.StandardYaml.Replace("branches: [main]", "branches: [main, release]"));
        // As gitolite's update hook does for a ref the user may not write.
        Sandbox.WriteScript(Path.Combine(Stg, "hooks", "update"),
            "#!/bin/sh\nif [ \"$1\" = refs/heads/release ]; then echo \"FATAL: W $1 stg $GL_USER DENIED by fallthru\" >&2; exit 1; fi\nexit 0\n");
        var hotfix = _s.Commit(app, "hotfix");

        var push = PushWith("file", app, ["-o", $"promote.bypass={Justification}"], AsAlice, $"{hotfix}:refs/heads/main", $"{hotfix}:refs/heads/release");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("DENIED by fallthru", push.Stderr);
        Assert.Equal(hotfix, _s.RemoteRef(Stg, "refs/heads/main"));
        Assert.Equal("", _s.RemoteRef(Stg, "refs/heads/release"));
        var records = BypassRecords();
        Assert.Single(records);
        var audit = _s.Promote(app, "audit", "stg", "--json").EnsureOk().Stdout;
        Assert.Contains("\"ref\":\"refs/heads/main\"", audit);
        Assert.DoesNotContain("refs/heads/release", audit);
        Assert.Contains("\"byName\":\"alice\"", audit);
        _s.Git(Stg, "fsck", "--strict", "--no-dangling").EnsureOk();
    }

    [Theory]
    [InlineData("file")]
    [InlineData("daemon")]
    public async Task Concurrent_bypass_pushes_that_lose_the_ref_lock_leave_no_record_and_every_landed_one_has_its_own(string transport)
    {
        var app = Server();
        var clones = new List<(string Clone, string Commit)>();
        for (var i = 0; i < 5; i++)
        {
            var clone = Path.Combine(_s.Root, $"c{i}");
            _s.Git(_s.Root, "clone", "--quiet", Stg, clone).EnsureOk();
            clones.Add((clone, _s.Commit(clone, $"hotfix {i}")));
        }
        var url = StgUrl(transport);
        using var go = new ManualResetEventSlim();
        var pushes = clones.Select(c => Task.Run(() =>
        {
            go.Wait();
            return _s.Exec(c.Clone, "git", ["push", "--no-verify", "-o", $"promote.bypass={Justification}", url, $"+{c.Commit}:refs/heads/main"], env: AsAlice);
        })).ToList();
        go.Set();
        var results = await Task.WhenAll(pushes).WaitAsync(TimeSpan.FromSeconds(180));

        var landed = clones.Where((c, i) => results[i].ExitCode == 0).Select(c => c.Commit).ToList();
        var lost = clones.Where((c, i) => results[i].ExitCode != 0).Select(c => c.Commit).ToList();
        Assert.NotEmpty(landed);
        Assert.All(results.Where(r => r.ExitCode != 0), r => Assert.Contains("lock", r.Stderr));
        var recorded = BypassRecords().Select(r => r.Split('-')[1]).ToList();
        Assert.Equal(landed.Order(), recorded.Order());
        Assert.DoesNotContain(recorded, lost.Contains);
        Assert.Contains(_s.RemoteRef(Stg, "refs/heads/main"), recorded);
        _s.Git(Stg, "fsck", "--strict", "--no-dangling").EnsureOk();
    }

    [Fact]
    public void A_push_killed_after_the_guard_allowed_its_bypass_leaves_no_record_and_no_broken_object()
    {
        var app = Server();
        // The process that receives the push dies right after the guard: as when an admin or the OOM killer stops it.
        var hooks = Path.Combine(Stg, "hooks");
        File.Move(Path.Combine(hooks, "pre-receive"), Path.Combine(hooks, "guard"));
        Sandbox.WriteScript(Path.Combine(hooks, "pre-receive"), $"#!/bin/sh\n'{Path.Combine(hooks, "guard")}' || exit $?\nkill -9 $PPID\nsleep 5\n");
        var hotfix = _s.Commit(app, "hotfix");
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");

        var push = PushWith("file", app, ["-o", $"promote.bypass={Justification}"], AsAlice, $"{hotfix}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
        Assert.Empty(BypassRecords());
        _s.Git(Stg, "fsck", "--strict", "--no-dangling").EnsureOk();
        Assert.Contains("no bypasses recorded", _s.Promote(app, "audit", "stg").EnsureOk().Stdout);

        // The next push settles what the killed one left behind.
        File.Move(Path.Combine(hooks, "guard"), Path.Combine(hooks, "pre-receive"), overwrite: true);
        PushWith("file", app, ["-o", $"promote.bypass={Justification}"], AsAlice, $"{hotfix}:refs/heads/main").EnsureOk();
        Assert.Equal("", _s.Git(Stg, "for-each-ref", "refs/promote/pending/").EnsureOk().Stdout);
        Assert.Single(BypassRecords());
    }

    [Fact]
    public void Audit_skips_and_names_a_record_it_cannot_read_and_lists_the_others()
    {
        var app = Server();
        var hotfix = _s.Commit(app, "hotfix");
        PushWith("file", app, ["-o", $"promote.bypass={Justification}"], AsAlice, $"{hotfix}:refs/heads/main").EnsureOk();
        // A record whose commit never landed, as older versions could leave: a tag naming a missing commit.
        var missing = "1234567890123456789012345678901234567890";
        var tag = _s.Exec(Stg, "git", ["hash-object", "-t", "tag", "-w", "--literally", "--stdin"],
            stdin: $"object {missing}\ntype commit\ntag promote-bypass\ntagger Eve <eve@example.com> 1700000000 +0000\n\n{{}}\n").EnsureOk().Stdout.Trim();
        var broken = $"refs/promote/bypass/20231114T221320Z-{missing}-abcd";
        _s.Git(Stg, "update-ref", broken, tag).EnsureOk();

        var audit = _s.Promote(app, "audit", "stg");

        Assert.Equal(0, audit.ExitCode);
        Assert.Contains($"{hotfix[..12]}  alice  \"{Justification}\"", audit.Stdout);
        Assert.Contains($"git-promote: skipped a record of stg that cannot be read: {broken}", audit.Stderr);
    }

    // ---- 10.3: erasing a revocation ----

    [Fact]
    public void A_revocation_is_not_erased_by_a_lifted_ref_that_is_not_a_lifted_record_of_that_commit()
    {
        var app = Server();
        var bad = GreenInDev(app, "bad");
        _s.Promote(app, "revoke", "stg", bad, "--reason", "bad migration").EnsureOk();
        var revoked = $"refs/promote/revoked/{bad}";
        var before = _s.RemoteRef(Stg, revoked);

        var forged = PushWith("file", app, [], AsPipeline, $"{bad}:refs/promote/revoked-lifted/x-{bad}", ":" + revoked);

        Assert.NotEqual(0, forged.ExitCode);
        Assert.Contains($"refs/promote/revoked-lifted/x-{bad} is not a lifted revocation record of stg", forged.Stderr);
        Assert.Equal(before, _s.RemoteRef(Stg, revoked));

        // A lifted ref that is not a record (written around the guard) is named by audit, not hidden.
        _s.Git(Stg, "update-ref", $"refs/promote/revoked-lifted/20200101T000000Z-{bad}-0000", bad).EnsureOk();
        var audit = _s.Promote(app, "audit", "stg").EnsureOk();
        Assert.Contains($"REVOKED by Dana Developer <dana@example.com>  \"bad migration\"", audit.Stdout);
        Assert.Contains($"skipped a record of stg that cannot be read: refs/promote/revoked-lifted/20200101T000000Z-{bad}-0000", audit.Stderr);

        // The real lift, by the pipeline's account: record --force.
        _s.Exec(app, installed.BinaryPath, ["record", "stg", bad, "--force"], env: AsPipeline).EnsureOk();
        Assert.Equal("", _s.RemoteRef(Stg, revoked));
    }

    // ---- 10.4: forged records ----

    [Fact]
    public void A_pusher_not_listed_as_recorder_cannot_forge_green_and_a_fast_forward_is_never_a_rollback()
    {
        var app = Server();
        var untested = _s.Commit(app, "untested");
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");

        var forged = PushWith("file", app, [], AsAlice, $"{untested}:refs/promote/green/{untested}");

        Assert.NotEqual(0, forged.ExitCode);
        Assert.Contains($"refs/promote/green/{untested}: only the accounts in git config promote.recorders may write green records, and this server knows " +
            $"you as alice", forged.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, $"refs/promote/green/{untested}"));

        // A green record that got there anyway (written around the guard) does not make a fast-forward a rollback.
        PushWith("file", app, [], AsAlice, $"{untested}:refs/heads/feature").EnsureOk();
        _s.Git(Stg, "update-ref", $"refs/promote/green/{untested}", untested).EnsureOk();
        var push = PushWith("file", app, [], AsAlice, $"{untested}:refs/heads/main");
        Assert.NotEqual(0, push.ExitCode);
        Assert.DoesNotContain("rollback", push.Stderr);
        Assert.Contains($"{untested[..12]} is not green in dev", push.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));

        // The pipeline's account may.
        var green = _s.Commit(app, "green");
        PushWith("file", app, [], AsPipeline, $"{green}:refs/promote/green/{green}").EnsureOk();
    }

    [Fact]
    public void An_approval_can_be_pushed_only_under_the_pushers_own_identity()
    {
        var app = Server(TestPolicies.StandardYaml.Replace("    remotes: [stg]\n", "    remotes: [stg]\n    approvals: { required: 1 }\n"));
        var commit = GreenInDev(app, "needs review");
        var asAlice = new Dictionary<string, string?> { ["GIT_COMMITTER_NAME"] = "Alice", ["GIT_COMMITTER_EMAIL"] = "alice@example.com" };
        var mallory = new Dictionary<string, string?> { ["GITEA_PUSHER_NAME"] = "mallory", ["GITEA_PUSHER_EMAIL"] = "mallory@example.com" };
        var alice = new Dictionary<string, string?>(asAlice) { ["GITEA_PUSHER_NAME"] = "alice", ["GITEA_PUSHER_EMAIL"] = "alice@example.com" };

        var forged = _s.Exec(app, installed.BinaryPath, ["approve", "stg", commit], env: new Dictionary<string,
            string?>(asAlice)
        { ["GITEA_PUSHER_NAME"] = "mallory", ["GITEA_PUSHER_EMAIL"] = "mallory@example.com" });
        Assert.NotEqual(0, forged.ExitCode);
        Assert.Contains("an approval may be written only by the approver themself, and this server knows you as mallory <mallory@example.com>", forged.Output);
        Assert.Equal("", _s.Git(Stg, "for-each-ref", "refs/promote/approval/").EnsureOk().Stdout);

        _s.Exec(app, installed.BinaryPath, ["approve", "stg", commit], env: alice).EnsureOk();
        PushWith("file", app, [], mallory, $"{commit}:refs/heads/main").EnsureOk();
    }

    [Fact]
    public void A_bypass_record_pushed_by_anyone_is_refused_only_the_guard_writes_them()
    {
        var app = Server();
        var commit = _s.Commit(app, "hotfix");
        var tag = _s.Exec(app, "git", ["mktag"],
            stdin: $"object {commit}\ntype commit\ntag promote-bypass\ntagger Alice CEO <ceo@example.com> 1577836800 +0000\n\n" +
                   $"{{\"environment\":\"stg\",\"commit\":\"{commit}\",\"ref\":\"refs/heads/main\",\"justification\":\"INC-1: approved by the " +
                       $"CEO\",\"byName\":\"Alice CEO\",\"at\":\"2020-01-01T00:00:00Z\"}}\n").EnsureOk().Stdout.Trim();

        var forged = PushWith("file", app, [], AsPipeline, $"{tag}:refs/promote/bypass/20200101T000000Z-{commit}-abcd");
        var pending = PushWith("file", app, [], AsPipeline, $"{commit}:refs/promote/pending/x");

        Assert.NotEqual(0, forged.ExitCode);
        Assert.Contains("bypass records are written only by this server's guard", forged.Stderr);
        Assert.NotEqual(0, pending.ExitCode);
        Assert.Empty(BypassRecords());
        Assert.DoesNotContain("Alice CEO", _s.Promote(app, "audit", "stg").EnsureOk().Stdout);
    }

    // ---- 15.3 and 15.4: who the pusher is, and what the pusher sees ----

    [Fact]
    public void Over_a_shared_ssh_account_the_key_owner_named_in_authorized_keys_is_the_pusher()
    {
        var app = Server();
        // What sshd does for a key whose authorized_keys line is
        //   command="env PROMOTE_PUSHER=alice git-shell -c \"$SSH_ORIGINAL_COMMAND\"" ssh-ed25519 ...
        // on the shared account "git": the forced command runs with the client's command in SSH_ORIGINAL_COMMAND.
        var tools = Path.Combine(_s.Root, "tools");
        Directory.CreateDirectory(tools);
        var ssh = Path.Combine(tools, "fake-sshd");
        Sandbox.WriteScript(ssh, """
            #!/bin/sh
            # git calls: <ssh> [options] host command; the last argument is the command.
            for last; do :; done
            export SSH_ORIGINAL_COMMAND="$last" SSH_CONNECTION="127.0.0.1 50000 127.0.0.1 22" USER=git LOGNAME=git
            unset GL_USER
            if [ -n "$KEY_OWNER" ]; then exec env PROMOTE_PUSHER="$KEY_OWNER" git-shell -c "$SSH_ORIGINAL_COMMAND"; fi
            exec git-shell -c "$SSH_ORIGINAL_COMMAND"

            """);
        var url = $"ssh://git@127.0.0.1{Stg}";
        var hotfix1 = _s.Commit(app, "hotfix 1");
        _s.Exec(app, "git", ["push", "--no-verify", "-o", $"promote.bypass={Justification}", url, $"{hotfix1}:refs/heads/main"],
            env: new Dictionary<string, string?> { ["GIT_SSH_COMMAND"] = ssh }).EnsureOk();
        var hotfix2 = _s.Commit(app, "hotfix 2");
        _s.Exec(app, "git", ["push", "--no-verify", "-o", $"promote.bypass={Justification}", url, $"{hotfix2}:refs/heads/main"],
            env: new Dictionary<string, string?> { ["GIT_SSH_COMMAND"] = ssh, ["KEY_OWNER"] = "alice" }).EnsureOk();

        var audit = _s.Promote(app, "audit", "stg").EnsureOk().Stdout;
        Assert.Contains($"{hotfix1[..12]}  git  \"", audit);
        Assert.Contains($"{hotfix2[..12]}  alice  \"", audit);

        var doctor = _s.Exec(Stg, installed.BinaryPath, ["doctor", "--server"], env: new Dictionary<string, string?> { ["USER"] = "git" });
        Assert.Contains("with a shared account (git@host) every key is 'git' in records", doctor.Stdout);
        Assert.Contains("environment=\"PROMOTE_PUSHER=<name>\"", doctor.Stdout);
    }

    [Fact]
    public async Task Over_smart_http_the_authenticated_user_is_the_pusher()
    {
        var app = Server();
        // git http-backend as CGI behind a server that requires basic authentication and passes REMOTE_USER, as Apache does.
        var cgi = Path.Combine(_s.Root, "www", "cgi-bin");
        Directory.CreateDirectory(cgi);
        Sandbox.WriteScript(Path.Combine(cgi, "git"), "#!/bin/sh\nexec git http-backend\n");
        var server = Path.Combine(_s.Root, "www", "serve.py");
        File.WriteAllText(server, """
            import http.server, os
            os.setuid = lambda uid: None  # stay this account: as root, CGIHTTPRequestHandler would switch to nobody
            class Handler(http.server.CGIHTTPRequestHandler):
                cgi_directories = ['/cgi-bin']
                def log_message(self, *args): pass
                def authenticated(self):
                    if self.headers.get('Authorization'): return True
                    self.send_response(401)
                    self.send_header('WWW-Authenticate', 'Basic realm="git"')
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return False
                def do_GET(self):
                    if self.authenticated(): super().do_GET()
                def do_POST(self):
                    if self.authenticated(): super().do_POST()
            httpd = http.server.HTTPServer(('127.0.0.1', 0), Handler)
            print(httpd.server_address[1], flush=True)
            httpd.serve_forever()

            """);
        var start = new System.Diagnostics.ProcessStartInfo("python3", [server])
        {
            WorkingDirectory = Path.Combine(_s.Root, "www"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal)
            || k.StartsWith("PROMOTE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["HOME"] = _s.Home;
        start.Environment["GIT_CONFIG_GLOBAL"] = _s.GlobalConfig;
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_PROJECT_ROOT"] = _s.Root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["PATH"] = Path.Combine(installed.Prefix, "bin") + ":" + System.Environment.GetEnvironmentVariable("PATH");
        using var http = System.Diagnostics.Process.Start(start)!;
        try
        {
            var port = await http.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
            var url = $"http://alice:secret@127.0.0.1:{port!.Trim()}/cgi-bin/git/stg.git";
            var hotfix = _s.Commit(app, "hotfix");

            _s.Exec(app, "git", ["push", "--no-verify", "-o", $"promote.bypass={Justification}", url, $"{hotfix}:refs/heads/main"]).EnsureOk();

            Assert.Equal(hotfix, _s.RemoteRef(Stg, "refs/heads/main"));
            Assert.Contains($"{hotfix[..12]}  alice  \"{Justification}\"", _s.Promote(app, "audit", "stg").EnsureOk().Stdout);
        }
        finally
        {
            http.Kill(entireProcessTree: true);
            http.WaitForExit(10_000);
        }
    }

    [Fact]
    public void Refusals_name_the_environment_and_setting_never_a_server_path()
    {
        var app = Server();
        var untested = _s.Commit(app, "untested");

        var notGreen = Push(app, $"{untested}:refs/heads/main");
        _s.Git(Stg, "config", "promote.remote.dev", Path.Combine(_s.Root, "nowhere.git")).EnsureOk();
        var unreadable = Push(app, $"{untested}:refs/heads/main");
        _s.Git(Stg, "config", "promote.policy", Path.Combine(_s.Root, "etc", "missing.yml")).EnsureOk();
        var noPolicy = Push(app, $"{untested}:refs/heads/main");

        Assert.Contains("remote:     no evidence in: git refs on the dev repository (git config promote.remote.dev)", notGreen.Stderr);
        Assert.Contains("ask the server admin to check git config promote.remote.dev", unreadable.Stderr);
        Assert.Contains("push refused: the server's policy (git config promote.policy) does not exist", noPolicy.Stderr);
        foreach (var run in new[] { notGreen, unreadable, noPolicy })
        {
            Assert.NotEqual(0, run.ExitCode);
            Assert.DoesNotContain(_s.Root, string.Join("\n", run.Stderr.Split('\n').Where(l => l.StartsWith("remote:", StringComparison.Ordinal))));
        }
    }

    private string Server(string policy = TestPolicies.StandardYaml) => _s.GuardedStgServer(policy);

    private string GreenInDev(string app, string message) => _s.GreenInDev(app, message);

    private List<string> BypassRecords() =>
        _s.Git(Stg, "for-each-ref", "--format=%(refname)", "refs/promote/bypass/").EnsureOk().Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    private string StgUrl(string transport) => transport switch
    {
        "file" => "file://" + Stg,
        "daemon" => (_daemon ??= GitDaemon.Start(_s)).Url("stg.git"),
        _ => throw new ArgumentException(transport),
    };

    private Run Push(string clone, params string[] refspecs) => PushWith("file", clone, [], null, refspecs);

    private Run PushWith(string transport, string clone, string[] options, IDictionary<string, string?>? env, params string[] refspecs) =>
        _s.Exec(clone, "git", ["push", "--no-verify", .. options, StgUrl(transport), .. refspecs], env: env);
}
