using GitPromote.TestSupport;
namespace GitPromote.IntegrationTests;

/// <summary>
/// The server guard: a bare repository with <c>git promote install --server</c>, pushed to over real transports
/// (file:// and git daemon's git://) with <c>--no-verify</c>, so only the server decides. Every test looks at what
/// the pusher sees (<c>remote:</c> lines) and at the server's refs afterwards.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class ServerHookTests(InstalledGitPromote installed) : IDisposable
{
    private const string GoodJustification = "INC-12: db failover, hotfix approved";
    /// <summary>The pipeline's account, the one listed in promote.recorders (gitolite names pushers in GL_USER).</summary>
    private static readonly Dictionary<string, string?> AsPipeline = new() { ["GL_USER"] = "pipeline" };
    public static readonly TheoryData<string> Transports = new() { "file", "daemon" };

    private readonly Sandbox _s = new(installed);
    private GitDaemon? _daemon;

    public void Dispose()
    {
        _daemon?.Dispose();
        _s.Dispose();
    }

    private string Stg => Path.Combine(_s.Root, "stg.git");

    [Theory]
    [MemberData(nameof(Transports))]
    public void Push_of_a_commit_green_in_dev_is_accepted_by_the_server(string transport)
    {
        var app = Server();
        var green = GreenInDev(app, "feature");

        var push = Push(transport, app, $"{green}:refs/heads/main").EnsureOk();

        Assert.Contains($"remote: git-promote: ok stg/main <- {green[..12]}: green in dev", push.Stderr);
        Assert.Equal(green, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void Push_of_a_commit_not_green_in_dev_is_refused_even_with_no_verify(string transport)
    {
        var app = Server();
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");
        var green = GreenInDev(app, "tested");
        var untested = _s.Commit(app, "untested");

        var push = Push(transport, app, $"{untested}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("remote: git-promote: push to stg refused", push.Stderr);
        Assert.Contains($"remote:   refs/heads/main: {untested[..12]} is not green in dev", push.Stderr);
        Assert.Contains($"remote:   to promote the newest of them: git push stg {green[..12]}:main", push.Stderr);
        Assert.Contains("remote:   in an emergency: git push -o promote.bypass=\"<justification>\" stg ...", push.Stderr);
        Assert.Contains("pre-receive hook declined", push.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void Rollback_to_a_commit_once_green_in_stg_is_accepted_and_called_a_rollback(string transport)
    {
        var app = Server();
        var v1 = GreenInDev(app, "v1");
        Push(transport, app, $"{v1}:refs/heads/main").EnsureOk();
        _s.Exec(app, installed.BinaryPath, ["record", "stg", v1], env: AsPipeline).EnsureOk();
        var v2 = GreenInDev(app, "v2");
        Push(transport, app, $"{v2}:refs/heads/main").EnsureOk();

        var rollback = Push(transport, app, $"+{v1}:refs/heads/main").EnsureOk();

        Assert.Contains($"remote: git-promote: rollback stg/main <- {v1[..12]}", rollback.Stderr);
        Assert.Equal(v1, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void Bypass_push_option_is_recorded_on_the_server_and_shows_in_audit_from_a_clone(string transport)
    {
        var app = Server();
        var hotfix = _s.Commit(app, "hotfix");
        // Over file:// the server's receive-pack inherits the pusher's environment, as a GitLab hook gets GL_USERNAME;
        // git daemon is anonymous, so there the pusher is unknown.
        var env = new Dictionary<string, string?> { ["GL_USERNAME"] = "alice" };

        var push = PushWith(transport, app, ["-o", $"promote.bypass={GoodJustification}"], env, $"{hotfix}:refs/heads/main").EnsureOk();

        var pusher = transport == "file" ? "alice" : "unknown";
        Assert.Contains($"remote: git-promote: BYPASS stg/main <- {hotfix[..12]} by {pusher}", push.Stderr);
        Assert.Equal(hotfix, _s.RemoteRef(Stg, "refs/heads/main"));
        var audit = _s.Promote(app, "audit", "stg").EnsureOk();
        Assert.Contains($"stg    {hotfix[..12]}  {pusher}  \"{GoodJustification}\"", audit.Stdout);
        _s.Git(Stg, "fsck", "--no-dangling").EnsureOk();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void Bypass_whose_justification_does_not_match_the_policy_is_refused(string transport)
    {
        var app = Server();
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");
        var hotfix = _s.Commit(app, "hotfix");

        var push = PushWith(transport, app, ["-o", "promote.bypass=urgent"], null, $"{hotfix}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("remote:   refs/heads/main: the bypass justification does not match the policy's pattern ^[A-Z]+-[0-9]+: .{10,}", push.Stderr);
        Assert.Contains("git push -o promote.bypass=\"INC-123: <what happened and who approved>\" stg ...", push.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
        Assert.Equal("", _s.Git(Stg, "for-each-ref", "refs/promote/bypass/").EnsureOk().Stdout);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void Deleting_the_deploy_branch_is_refused(string transport)
    {
        var app = Server();
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");

        var push = Push(transport, app, ":refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("remote:   refs/heads/main: deleting the deploy branch 'main' of stg is not allowed", push.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void A_push_of_several_refs_is_decided_as_one_batch(string transport)
    {
        var app = Server(TestPolicies.StandardYaml.Replace("branches: [main]", "branches: [main, release]"));
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");
        var green = GreenInDev(app, "green");
        var untested = _s.Commit(app, "untested");

        var refused = Push(transport, app, $"{green}:refs/heads/main", $"{untested}:refs/heads/release", $"{green}:refs/heads/feature");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("remote: git-promote: push to stg refused (1 of 2 deploy refs)", refused.Stderr);
        Assert.Contains($"remote:   refs/heads/release: {untested[..12]} is not green in dev", refused.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
        Assert.Equal("", _s.RemoteRef(Stg, "refs/heads/release"));
        Assert.Equal("", _s.RemoteRef(Stg, "refs/heads/feature"));

        var accepted = Push(transport, app, $"{green}:refs/heads/main", $"{green}:refs/heads/release", $"{untested}:refs/heads/feature").EnsureOk();

        Assert.Contains($"remote: git-promote: ok stg/main <- {green[..12]}", accepted.Stderr);
        Assert.Contains($"remote: git-promote: ok stg/release <- {green[..12]}", accepted.Stderr);
        Assert.Equal(green, _s.RemoteRef(Stg, "refs/heads/release"));
        Assert.Equal(untested, _s.RemoteRef(Stg, "refs/heads/feature"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void A_push_that_loosens_the_policy_is_judged_by_the_policy_before_it(string transport)
    {
        var app = Server();
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");
        // Drop dev from the path, so stg would be the first environment, without a gate.
        var loosened = TestPolicies.StandardYaml.Replace("""
              - name: dev
                remotes: [dev]
                evidence:
                  - git: {}

            """.Replace("\r\n", "\n"), "");
        Assert.NotEqual(TestPolicies.StandardYaml, loosened);
        File.WriteAllText(Path.Combine(app, ".promote.yml"), loosened);
        var tampered = _s.Commit(app, "stg needs no dev");

        var push = Push(transport, app, $"{tampered}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"remote:   refs/heads/main: {tampered[..12]} is not green in dev", push.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void Policy_named_at_install_guards_an_empty_repository(string transport)
    {
        var policyFile = Path.Combine(_s.Root, "policies", "orders.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(policyFile)!);
        File.WriteAllText(policyFile, TestPolicies.StandardYaml);
        var app = Server(seed: false, installArgs: ["--policy", policyFile]);
        Assert.Equal(policyFile, _s.Git(Stg, "config", "promote.policy").EnsureOk().Stdout.Trim());
        var untested = _s.Commit(app, "untested");

        var refused = Push(transport, app, $"{untested}:refs/heads/main");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"remote:   refs/heads/main: {untested[..12]} is not green in dev", refused.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, "refs/heads/main"));

        var green = GreenInDev(app, "tested");
        Push(transport, app, $"{green}:refs/heads/main").EnsureOk();
        Assert.Equal(green, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Fact]
    public void Install_without_a_deploy_branch_or_a_policy_file_is_refused_with_the_reason()
    {
        _s.Project();

        var install = _s.Promote(Stg, "install", "--server", "--env", "stg");

        Assert.Equal(2, install.ExitCode);
        Assert.Contains("HEAD names main, which does not exist yet: a pusher could create it and write the policy there", install.Stderr);
        Assert.Contains("or name a policy file with --policy FILE", install.Stderr);
        Assert.False(File.Exists(Path.Combine(Stg, "hooks", "pre-receive")));
    }

    public static readonly TheoryData<string, string> UntrustedPolicies = new()
    {
        { "version: 1\nenvironments: [\n", "remote: git-promote: main:.promote.yml is not valid" },
        {
            TestPolicies.StandardYaml.Replace("branches: [main]", "branches: [release]"),
            "remote: git-promote: push refused: main:.promote.yml does not list main in 'branches', so it is not guarded and cannot be trusted"
        },
    };

    [Theory]
    [MemberData(nameof(UntrustedPolicies))]
    public void A_policy_on_the_deploy_branch_that_cannot_be_trusted_refuses_every_push(string policy, string expected)
    {
        var app = Server();
        // The deploy branch later gets a policy that cannot be trusted (written on the server, around the guard).
        File.WriteAllText(Path.Combine(app, ".promote.yml"), policy);
        var broken = _s.Commit(app, "broken policy");
        Push("file", app, $"{broken}:refs/heads/incoming").EnsureOk();
        _s.Git(Stg, "update-ref", "refs/heads/main", broken).EnsureOk();
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");
        var feature = _s.Commit(app, "feature");

        var push = Push("file", app, $"{feature}:refs/heads/feature", $"{feature}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains(expected, push.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, "refs/heads/feature"));
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Fact]
    public void Evidence_of_dev_that_cannot_be_read_refuses_the_push_and_names_the_setting()
    {
        var app = Server();
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");
        var green = GreenInDev(app, "tested");
        _s.Git(Stg, "config", "--unset", "promote.remote.dev").EnsureOk();

        var push = Push("file", app, $"{green}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"remote:   refs/heads/main: could not tell whether {green[..12]} is green in dev", push.Stderr);
        Assert.Contains("git config promote.remote.dev is not set", push.Stderr);
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Fact]
    public void Evidence_slower_than_the_server_budget_is_cut_off_and_the_push_refused()
    {
        var app = Server();
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");
        var green = GreenInDev(app, "tested");
        // dev's repository behind a transport that never answers (a git remote helper that sleeps).
        var tools = Path.Combine(_s.Root, "tools");
        Directory.CreateDirectory(tools);
        Sandbox.WriteScript(Path.Combine(tools, "git-remote-stuck"), "#!/bin/sh\nsleep 60\n");
        _s.Git(Stg, "config", "promote.remote.dev", "stuck::dev").EnsureOk();
        _s.Git(Stg, "config", "promote.timeout", "1s").EnsureOk();
        var path = new Dictionary<string, string?>
        {
            ["PATH"] = $"{tools}:{Path.Combine(installed.Prefix, "bin")}:{System.Environment.GetEnvironmentVariable("PATH")}",
        };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var push = PushWith("file", app, [], path, $"{green}:refs/heads/main");
        clock.Stop();

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"remote:   refs/heads/main: could not tell whether {green[..12]} is green in dev", push.Stderr);
        Assert.Contains("no answer within the time allowed", push.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the push took {clock.Elapsed}, the stuck remote sleeps 60 s");
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Fact]
    public void Settings_can_come_from_the_hook_script_environment_as_on_a_hosted_server()
    {
        // As in GitLab's or Gitea's custom hook directories, where the repository's config is not the admin's to edit.
        var app = _s.Project();
        _s.Git(app, "push", "--quiet", "--no-verify", "stg", "main").EnsureOk();
        Sandbox.WriteScript(Path.Combine(Stg, "hooks", "pre-receive"), $"""
            #!/bin/sh
            GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=promote.environment GIT_CONFIG_VALUE_0=stg \
              GIT_CONFIG_KEY_1=promote.remote.dev GIT_CONFIG_VALUE_1='{Path.Combine(_s.Root, "dev.git")}' \
              exec '{installed.BinaryPath}' hook pre-receive

            """);
        var untested = _s.Commit(app, "untested");
        var green = GreenInDev(app, "tested");

        var refused = Push("file", app, $"{untested}:refs/heads/main");
        var accepted = Push("file", app, $"{green}:refs/heads/main").EnsureOk();

        Assert.Contains($"{untested[..12]} is not green in dev", refused.Stderr);
        Assert.Contains($"ok stg/main <- {green[..12]}: green in dev", accepted.Stderr);
        Assert.Equal(green, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Fact]
    public void When_the_binary_is_gone_the_shim_refuses_every_push()
    {
        var app = _s.Project();
        _s.Git(app, "push", "--no-verify", "stg", "main").EnsureOk();
        var deployed = _s.RemoteRef(Stg, "refs/heads/main");
        // An installation that is later removed: the hook names its binary, which is then deleted.
        var prefix = Path.Combine(_s.Root, "removed-prefix");
        Directory.CreateDirectory(Path.Combine(prefix, "bin"));
        foreach (var file in Directory.GetFiles(Path.Combine(installed.Prefix, "bin")))
            File.Copy(file, Path.Combine(prefix, "bin", Path.GetFileName(file)));
        var binary = Path.Combine(prefix, "bin", "git-promote");
        _s.Exec(Stg, binary, ["install", "--server", "--env", "stg", "--hooks-dir", installed.HooksDir]).EnsureOk();
        Directory.Delete(prefix, recursive: true);
        var feature = _s.Commit(app, "feature");
        var noPromote = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin" };

        var push = _s.Exec(app, "git", ["push", "--no-verify", "file://" + Stg, $"{feature}:refs/heads/feature", $"{feature}:refs/heads/main"], env: noPromote);

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("remote: git-promote: push refused: this repository's guard cannot run (git-promote not found).", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, "refs/heads/feature"));
        Assert.Equal(deployed, _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Two_clients_pushing_at_once_are_each_decided_on_their_own_commit(string transport)
    {
        var app = Server(TestPolicies.StandardYaml.Replace("branches: [main]", "branches: [main, release]"));
        var other = Path.Combine(_s.Root, "other");
        _s.Git(_s.Root, "clone", "--quiet", Stg, other).EnsureOk();

        for (var round = 0; round < 3; round++)
        {
            var green = GreenInDev(app, $"green {round}");
            var untested = _s.Commit(other, $"untested {round}");
            var before = _s.RemoteRef(Stg, "refs/heads/release");

            var pushes = await Task.WhenAll(
                Task.Run(() => Push(transport, app, $"{green}:refs/heads/main")),
                Task.Run(() => Push(transport, other, $"+{untested}:refs/heads/release"))).WaitAsync(TimeSpan.FromSeconds(120));
            var (accepted, refused) = (pushes[0], pushes[1]);

            accepted.EnsureOk();
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains($"{untested[..12]} is not green in dev", refused.Stderr);
            Assert.Equal(green, _s.RemoteRef(Stg, "refs/heads/main"));
            Assert.Equal(before, _s.RemoteRef(Stg, "refs/heads/release"));
        }

        // Both at once again, both allowed now (one by a bypass): both land, one record, a sound repository.
        var last = GreenInDev(app, "last");
        var hotfix = _s.Commit(other, "hotfix");
        var both = await Task.WhenAll(
            Task.Run(() => Push(transport, app, $"{last}:refs/heads/main")),
            Task.Run(() => PushWith(transport, other, ["-o", $"promote.bypass={GoodJustification}"], null, $"+{hotfix}:refs/heads/release")))
            .WaitAsync(TimeSpan.FromSeconds(120));
        both[0].EnsureOk();
        both[1].EnsureOk();
        Assert.Equal(last, _s.RemoteRef(Stg, "refs/heads/main"));
        Assert.Equal(hotfix, _s.RemoteRef(Stg, "refs/heads/release"));
        Assert.Single(_s.Git(Stg, "for-each-ref", "refs/promote/bypass/").EnsureOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        _s.Git(Stg, "fsck", "--strict", "--no-dangling").EnsureOk();
    }

    [Fact]
    public void Bypass_records_cannot_be_deleted_or_moved_by_a_push()
    {
        var app = Server();
        var hotfix = _s.Commit(app, "hotfix");
        PushWith("file", app, ["-o", $"promote.bypass={GoodJustification}"], null, $"{hotfix}:refs/heads/main").EnsureOk();
        var record = _s.Git(Stg, "for-each-ref", "--format=%(refname)", "refs/promote/bypass/").EnsureOk().Stdout.Trim();
        var tag = _s.RemoteRef(Stg, record);

        var delete = Push("file", app, ":" + record);
        var move = Push("file", app, $"+{hotfix}:{record}");

        Assert.NotEqual(0, delete.ExitCode);
        Assert.NotEqual(0, move.ExitCode);
        Assert.Contains($"remote: git-promote: push refused: {record} is a bypass record: records are never changed or deleted", delete.Stderr);
        Assert.Equal(tag, _s.RemoteRef(Stg, record));
    }

    [Fact]
    public void A_revocation_cannot_be_deleted_by_a_push_only_lifted_by_record_force()
    {
        var app = Server();
        var bad = _s.Commit(app, "bad");
        var revoked = $"refs/promote/revoked/{bad}";
        _s.Git(app, "push", "--no-verify", "-q", "stg", $"{bad}:refs/heads/other").EnsureOk();
        _s.Git(Stg, "update-ref", revoked, bad).EnsureOk();

        var delete = Push("file", app, ":" + revoked);

        Assert.NotEqual(0, delete.ExitCode);
        Assert.Contains($"{revoked} is a revocation: it is lifted only by git promote record --force", delete.Stderr);
        Assert.Equal(bad, _s.RemoteRef(Stg, revoked));
    }

    [Theory]
    [InlineData("hello\n")]
    [InlineData("0000000000000000000000000000000000000000 1111111111111111111111111111111111111111\n")]
    [InlineData("0000 1111 refs/heads/main\n")]
    [InlineData("0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 main\n")]
    public void Garbage_on_the_pre_receive_input_is_refused_with_exit_2_and_a_message(string input)
    {
        Server();

        var run = _s.Exec(Stg, installed.BinaryPath, ["hook", "pre-receive"], stdin: input);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("git-promote: push refused: cannot read the push from git (hook input line 1:", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public void Install_refuses_a_foreign_pre_receive_without_force_keeps_it_running_with_force_and_uninstall_restores_it()
    {
        var app = _s.Project();
        _s.Git(app, "push", "--no-verify", "stg", "main").EnsureOk();
        _s.Git(Stg, "config", "receive.advertisePushOptions", "false").EnsureOk();
        var foreign = Path.Combine(Stg, "hooks", "pre-receive");
        const string foreignText = "#!/bin/sh\n# ops freeze\nif grep -q ' refs/heads/frozen$'; then echo 'frozen by ops' >&2; exit 1; fi\nexit 0\n";
        Sandbox.WriteScript(foreign, foreignText);

        var refused = _s.Promote(Stg, "install", "--server", "--env", "stg");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("is not git-promote's", refused.Stderr);
        Assert.Contains("with --force it is kept as pre-receive.local", refused.Stderr);
        Assert.Equal(foreignText, File.ReadAllText(foreign));

        _s.Promote(Stg, "install", "--server", "--env", "stg", "--force").EnsureOk();
        _s.Git(Stg, "config", "promote.remote.dev", Path.Combine(_s.Root, "dev.git")).EnsureOk();
        Assert.Equal(foreignText, File.ReadAllText(Path.Combine(Stg, "hooks", "pre-receive.local")));
        Assert.Equal("true", _s.Git(Stg, "config", "receive.advertisePushOptions").Stdout.Trim());
        var green = GreenInDev(app, "green");
        var frozen = Push("file", app, $"{green}:refs/heads/frozen");
        Assert.NotEqual(0, frozen.ExitCode);
        Assert.Contains("remote: frozen by ops", frozen.Stderr);
        var untested = _s.Commit(app, "untested");
        Assert.Contains("is not green in dev", Push("file", app, $"{untested}:refs/heads/main").Stderr);
        Push("file", app, $"{green}:refs/heads/main").EnsureOk();

        _s.Promote(Stg, "uninstall", "--server").EnsureOk();

        Assert.Equal(foreignText, File.ReadAllText(foreign));
        Assert.False(File.Exists(Path.Combine(Stg, "hooks", "pre-receive.local")));
        Assert.Equal("false", _s.Git(Stg, "config", "receive.advertisePushOptions").Stdout.Trim());
        Assert.NotEqual(0, _s.Git(Stg, "config", "promote.environment").ExitCode);
        Push("file", app, $"{untested}:refs/heads/main").EnsureOk();
    }

    [Fact]
    public void Install_is_idempotent_and_uninstall_removes_exactly_what_it_added()
    {
        var app = _s.Project();
        _s.Git(app, "push", "--no-verify", "stg", "main").EnsureOk();
        var configBefore = LocalConfig();

        _s.Promote(Stg, "install", "--server", "--env", "stg").EnsureOk();
        var hook = File.ReadAllText(Path.Combine(Stg, "hooks", "pre-receive"));
        _s.Promote(Stg, "install", "--server", "--env", "stg").EnsureOk();

        Assert.Equal(hook, File.ReadAllText(Path.Combine(Stg, "hooks", "pre-receive")));
        Assert.Contains($"bin='{installed.BinaryPath}'", hook);
        Assert.Equal("stg", _s.Git(Stg, "config", "promote.environment").Stdout.Trim());
        Assert.True(File.Exists(Path.Combine(Stg, "hooks", "reference-transaction")));
        _s.Promote(Stg, "uninstall", "--server").EnsureOk();
        Assert.False(File.Exists(Path.Combine(Stg, "hooks", "pre-receive")));
        Assert.False(File.Exists(Path.Combine(Stg, "hooks", "reference-transaction")));
        Assert.Equal(configBefore, LocalConfig());
    }

    [Fact]
    public void Install_server_refuses_a_repository_with_a_work_tree_and_an_unknown_environment()
    {
        var app = _s.Project();
        var policyFile = Path.Combine(_s.Root, "orders.yml");
        File.WriteAllText(policyFile, TestPolicies.StandardYaml);

        var inClone = _s.Promote(app, "install", "--server", "--env", "stg");
        var unknownEnv = _s.Promote(Stg, "install", "--server", "--env", "qa", "--policy", policyFile);

        Assert.Equal(2, inClone.ExitCode);
        Assert.Contains("--server is for the bare repository on the server", inClone.Stderr);
        Assert.Equal(2, unknownEnv.ExitCode);
        Assert.Contains("--env qa", unknownEnv.Stderr);
        Assert.False(File.Exists(Path.Combine(Stg, "hooks", "pre-receive")));
    }

    [Fact]
    public void A_bare_repository_not_set_up_as_a_server_passes_through_a_shared_hooks_path_to_its_own_hook()
    {
        var app = _s.Project();
        _s.Promote(app, "install", "--global").EnsureOk();
        var marker = Path.Combine(_s.Root, "own-hook-ran");
        Sandbox.WriteScript(Path.Combine(Stg, "hooks", "pre-receive"), $"#!/bin/sh\ncat > '{marker}'\n");

        var push = _s.Git(app, "push", "--no-verify", "file://" + Stg, "main").EnsureOk();

        Assert.DoesNotContain("git-promote", push.Stderr);
        Assert.Contains("refs/heads/main", File.ReadAllText(marker));
        Assert.Equal(_s.Git(app, "rev-parse", "HEAD").Stdout.Trim(), _s.RemoteRef(Stg, "refs/heads/main"));
    }

    private string Server(string policy = TestPolicies.StandardYaml, bool seed = true, string[]? installArgs = null) =>
        _s.GuardedStgServer(policy, seed, installArgs);

    private string GreenInDev(string app, string message) => _s.GreenInDev(app, message);

    private string StgUrl(string transport) => transport switch
    {
        "file" => "file://" + Stg,
        "daemon" => (_daemon ??= GitDaemon.Start(_s)).Url("stg.git"),
        _ => throw new ArgumentException(transport),
    };

    private Run Push(string transport, string clone, params string[] refspecs) => PushWith(transport, clone, [], null, refspecs);

    /// <summary><c>git push --no-verify &lt;options&gt; &lt;stg url&gt; &lt;refspecs&gt;</c>, over file:// or git://.</summary>
    private Run PushWith(string transport, string clone, string[] options, IDictionary<string, string?>? env, params string[] refspecs) =>
        _s.Exec(clone, "git", ["push", "--no-verify", .. options, StgUrl(transport), .. refspecs], env: env);

    private string LocalConfig() => _s.Git(Stg, "config", "--local", "--list").EnsureOk().Stdout;
}
