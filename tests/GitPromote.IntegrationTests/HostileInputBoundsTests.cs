using System.Diagnostics;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// Bounds and faults: a policy that is not a regular file or is huge, endpoints and remotes that never finish, a bypass
/// pattern that runs away. Each ends in bounded time and memory with a message that says what happened.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class HostileInputBoundsTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private string Stg => Path.Combine(_s.Root, "stg.git");

    [Fact]
    public void Policy_that_is_a_fifo_refuses_the_push_instead_of_hanging_the_hook()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        var policy = Path.Combine(app, ".promote.yml");
        File.Delete(policy);
        _s.Exec(app, "mkfifo", [policy]).EnsureOk();

        var push = _s.Exec(app, "git", ["push", "stg", "main"], timeout: TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains(".promote.yml is a FIFO, not a regular file", push.Stderr);
        Assert.DoesNotContain("internal error", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Fact]
    public void Policy_that_a_commit_made_a_symlink_to_dev_zero_is_refused_unread()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        var policy = Path.Combine(app, ".promote.yml");
        File.Delete(policy);
        File.CreateSymbolicLink(policy, "/dev/zero");
        _s.Git(app, "commit", "--quiet", "-am", "policy is now a link").EnsureOk();

        var push = _s.Exec(app, "git", ["push", "stg", "main"], timeout: TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains(".promote.yml is a symbolic link, not a regular file", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Stg, "refs/heads/main"));
    }

    [Fact]
    public void Server_refuses_a_deploy_branch_policy_that_is_a_symlink_blob()
    {
        var app = ServerWithDeployBranchPolicy(app =>
        {
            File.Delete(Path.Combine(app, ".promote.yml"));
            File.CreateSymbolicLink(Path.Combine(app, ".promote.yml"), "/dev/zero");
        });

        var push = _s.Git(app, "push", "--no-verify", "stg", "HEAD:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("main:.promote.yml is a symbolic link, not a regular file", push.Stderr);
        Assert.DoesNotContain("internal error", push.Stderr);
    }

    [Fact]
    public void Server_says_a_70_MB_deploy_branch_policy_is_too_large_rather_than_an_internal_error()
    {
        var app = ServerWithDeployBranchPolicy(app =>
        {
            using var file = File.Create(Path.Combine(app, ".promote.yml"));
            var line = "# padding padding padding padding padding padding padding padding padding padding padding\n"u8.ToArray();
            for (long written = 0; written < 70L * 1024 * 1024; written += line.Length) file.Write(line);
        });

        var push = _s.Git(app, "push", "--no-verify", "stg", "HEAD:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("main:.promote.yml is larger than 1 MiB", push.Stderr);
        Assert.DoesNotContain("internal error", push.Stderr);
    }

    /// <summary>
    /// stg.git guarded by its server hook, whose deploy branch main was then moved (by an admin, on the server) to a
    /// commit whose .promote.yml <paramref name="spoil"/> made unusable; returns the clone, one commit ahead.
    /// </summary>
    private string ServerWithDeployBranchPolicy(Action<string> spoil)
    {
        var app = _s.Project();
        _s.Git(app, "push", "--quiet", "--no-verify", "stg", "main").EnsureOk();
        _s.Promote(Stg, "install", "--server", "--env", "stg").EnsureOk();
        spoil(app);
        _s.Git(app, "add", "-A").EnsureOk();
        _s.Git(app, "commit", "--quiet", "-m", "spoiled policy").EnsureOk();
        _s.Git(app, "push", "--quiet", "--no-verify", "stg", "HEAD:refs/heads/side").EnsureOk();
        _s.Git(Stg, "update-ref", "refs/heads/main", "refs/heads/side").EnsureOk();
        _s.Commit(app, "next");
        return app;
    }

    [Fact]
    public void Bypass_pattern_that_times_out_says_so_instead_of_does_not_match()
    {
        var app = _s.Project(TestPolicies.StandardYaml.Replace("'^[A-Z]+-[0-9]+: .{10,}'", "'^(a+)+$'"));
        _s.Git(app, "push", "dev", "main").EnsureOk();

        var push = _s.Exec(app, "git", ["push", "stg", "main"],
            env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = new string('a', 900) + "!" });

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("took too long on this justification", push.Stderr);
        Assert.DoesNotContain("does not match", push.Stderr);
    }

    [Fact]
    public void Timeout_holds_when_a_git_remote_leaves_a_grandchild_holding_the_pipe()
    {
        var app = _s.Project(TestPolicies.StandardYaml.Replace("timeout: 10s", "timeout: 2s"));
        var hanging = Path.Combine(_s.Root, "hanging-upload-pack");
        var leaving = Path.Combine(_s.Root, "leaving-upload-pack");
        Sandbox.WriteScript(hanging, "#!/bin/sh\nsleep 20\n");
        // The backgrounded sleep leaves the process tree at once but keeps git's stderr (our pipe) open.
        Sandbox.WriteScript(leaving, "#!/bin/sh\n(sleep 20 &)\nsleep 20\n");

        _s.Git(app, "config", "remote.dev.uploadpack", hanging).EnsureOk();
        var (plain, plainElapsed) = Timed(() => _s.Promote(app, "check", "stg"));
        _s.Git(app, "config", "remote.dev.uploadpack", leaving).EnsureOk();
        var (held, heldElapsed) = Timed(() => _s.Promote(app, "check", "stg"));

        Assert.Equal(1, held.ExitCode);
        Assert.Contains("could not tell whether", held.Output);
        Assert.Contains("could not tell whether", plain.Output);
        // Measured against the same check with a remote that only hangs, so a busy machine slows both alike;
        // the held pipe used to add 2 s (the wait for EOF after the kill).
        var overrun = heldElapsed - plainElapsed;
        Assert.True(overrun < TimeSpan.FromSeconds(1.2),
            $"a held pipe added {overrun.TotalSeconds:0.00} s ({heldElapsed.TotalSeconds:0.00} s against {plainElapsed.TotalSeconds:0.00} s)");
    }

    [Fact]
    public void Timeout_holds_when_an_ssm_endpoint_drip_feeds_its_answer()
    {
        using var drip = HostileHttpServer.Drip(TimeSpan.FromMilliseconds(100));
        var policy = TestPolicies.StandardYaml.Replace("timeout: 10s", "timeout: 2s").Replace("""
                remotes: [dev]
                evidence:
                  - git: {}
            """, """
                remotes: [dev]
                aws: { region: eu-west-1 }
                evidence:
                  - ssm: {}
            """);
        var app = _s.Project(policy);
        var env = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE",
            ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ["AWS_ENDPOINT_URL_SSM"] = drip.Endpoint.ToString(),
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };

        var (check, elapsed) = Timed(() => _s.Exec(app, installed.BinaryPath, ["check", "stg"], env: env));

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("timeout", check.Output);
        // Generous: this guards against a drip holding the check for its whole 100 MB (hours), not against load.
        Assert.True(elapsed < TimeSpan.FromSeconds(6), $"a 2 s timeout took {elapsed.TotalSeconds:0.00} s");
    }

    private static (Run Run, TimeSpan Elapsed) Timed(Func<Run> run)
    {
        var clock = Stopwatch.StartNew();
        var result = run();
        return (result, clock.Elapsed);
    }
}
