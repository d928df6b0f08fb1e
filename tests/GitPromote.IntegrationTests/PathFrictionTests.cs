using GitPromote.TestSupport;
namespace GitPromote.IntegrationTests;

/// <summary>
/// What a team met around the path (issue 27, items 6 to 9): the manual git opens for <c>git promote --help</c>, file
/// errors said in words, doctor on a server and the guard it advertises, and the smaller messages, each through the
/// installed binary.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class PathFrictionTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    /// <summary>man as a user's terminal runs it, without a pager, wide enough that no usage line wraps.</summary>
    private static readonly Dictionary<string, string?> Man = new() { ["MANPAGER"] = "cat", ["PAGER"] = "cat", ["MANWIDTH"] = "250", ["MANPATH"] = null };

    [Theory]
    [InlineData("git", "promote --help")]
    [InlineData("git", "help promote")]
    [InlineData("man", "git-promote")]
    public void Git_promote_help_opens_the_manual_page_installed_beside_the_binary(string program, string args)
    {
        var app = _s.Project();

        var run = _s.Exec(app, program, args.Split(' '), env: Man).EnsureOk();

        Assert.Contains("GIT-PROMOTE(1)", run.Stdout);
        // Every command of the binary's own help is on the page, with the exit codes and the bypass variable.
        var commands = _s.Promote(app, "--help").EnsureOk().Stdout.Split('\n')
            .Where(l => l.StartsWith("  ", StringComparison.Ordinal) && l.Trim().Length > 0).Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.True(commands.Count >= 15, string.Join(",", commands));
        foreach (var command in commands) Assert.Contains($"git promote {command}", run.Stdout);
        Assert.Contains("EXIT STATUS", run.Stdout);
        Assert.Contains("PROMOTE_BYPASS", run.Stdout);
        Assert.Contains("git promote rollback <env> [--to <rev>] [--dry-run]", run.Stdout);
    }

    [Fact]
    public void A_file_the_user_names_that_cannot_be_written_is_said_in_words_with_exit_2()
    {
        var app = _s.Project();
        var folder = Path.Combine(_s.Root, "a-folder");
        Directory.CreateDirectory(folder);

        var noFolder = _s.Promote(app, "history", "--html", "/no/such/dir/x.html").EnsureExit(2);
        var isFolder = _s.Promote(app, "history", "--html", folder).EnsureExit(2);
        var demo = _s.Promote(app, "demo", "/proc/foo").EnsureExit(2);

        Assert.Contains("cannot write /no/such/dir/x.html: no such folder: /no/such/dir", noFolder.Stderr);
        Assert.Contains($"cannot write {folder}: it is a folder", isFolder.Stderr);
        Assert.Contains("cannot create the folder /proc/foo", demo.Stderr);
        foreach (var run in new[] { noFolder, isFolder, demo })
        {
            Assert.DoesNotContain("IO_", run.Output);
            Assert.DoesNotContain("UnauthorizedAccess_", run.Output);
            Assert.DoesNotContain("internal error", run.Output);
        }
    }

    [Fact]
    public void Files_are_never_written_through_a_symbolic_link()
    {
        var app = _s.Project();
        var outside = Path.Combine(_s.Root, "outside.txt");
        File.WriteAllText(outside, "not yours\n");
        File.CreateSymbolicLink(Path.Combine(app, "history.html"), outside);
        var html = _s.Promote(app, "history", "--html", "history.html").EnsureExit(2);
        File.Delete(Path.Combine(app, ".promote.yml"));
        File.CreateSymbolicLink(Path.Combine(app, ".promote.yml"), outside);
        var init = _s.Promote(app, "init", "--force").EnsureExit(2);

        Assert.Contains("is a symbolic link: git-promote does not write through links", html.Stderr);
        Assert.Contains("is a symbolic link: git-promote does not write through links", init.Stderr);
        Assert.Equal("not yours\n", File.ReadAllText(outside));
    }

    [Fact]
    public void Doctor_on_a_working_server_checks_only_the_previous_environment_and_clones_see_which_servers_run_the_guard()
    {
        var app = _s.Project();
        _s.Git(app, "push", "--quiet", "--no-verify", "prd", "main").EnsureOk();
        var prd = Path.Combine(_s.Root, "prd.git");
        _s.Promote(prd, "install", "--server", "--env", "prd").EnsureOk();
        _s.Git(prd, "config", "promote.remote.stg", Path.Combine(_s.Root, "stg.git")).EnsureOk();

        var server = _s.Promote(prd, "doctor", "--server");

        Assert.DoesNotContain("FAIL", server.Stdout);
        Assert.DoesNotContain("dev     remote", server.Stdout);
        Assert.DoesNotContain("prd     remote", server.Stdout);
        Assert.Contains("stg     remote", server.Stdout);
        Assert.Equal(0, server.ExitCode);

        var client = _s.Promote(app, "doctor").Stdout;
        Assert.Contains("runs the pre-receive guard: --no-verify does not get past it", client);
        Assert.Contains("remote stg advertises no pre-receive guard", client);

        _s.Promote(prd, "uninstall", "--server").EnsureOk();
        Assert.Contains("remote prd advertises no pre-receive guard", _s.Promote(app, "doctor").Stdout);
    }

    [Fact]
    public void The_server_marker_cannot_be_pushed_or_deleted_by_a_pusher()
    {
        var app = _s.Project();
        _s.Git(app, "push", "--quiet", "--no-verify", "prd", "main").EnsureOk();
        var prd = Path.Combine(_s.Root, "prd.git");
        _s.Promote(prd, "install", "--server", "--env", "prd").EnsureOk();

        var delete = _s.Git(app, "push", "--no-verify", "prd", ":refs/promote/guard");

        Assert.NotEqual(0, delete.ExitCode);
        Assert.Contains("refs/promote/guard is the guard's own bookkeeping", delete.Stderr);
    }

    [Fact]
    public void Approving_for_an_environment_that_needs_no_approvals_says_so_and_writes_nothing()
    {
        var app = _s.Project();
        _s.Git(app, "push", "--quiet", "--no-verify", "prd", "main").EnsureOk();

        var approve = _s.Promote(app, "approve", "prd").EnsureOk();

        Assert.Contains("prd needs no approvals", approve.Stdout);
        Assert.Empty(_s.Git(app, "ls-remote", "prd", "refs/promote/*").EnsureOk().Stdout.Trim());
    }

    [Fact]
    public void Doctor_counts_two_policy_errors_as_two_problems()
    {
        var app = _s.Project();
        File.WriteAllText(Path.Combine(app, ".promote.yml"), TestPolicies.StandardYaml.Replace("branches: [main]", "branches: [main]\nsaok: 1h\ntimout: 5s"));

        var doctor = _s.Promote(app, "doctor").EnsureExit(1);

        Assert.Contains("2 problems found", doctor.Stdout);
    }

    [Fact]
    public void A_gate_refusal_calls_it_a_deployment_not_a_push()
    {
        var app = _s.Project();
        var head = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();

        var gate = _s.Promote(app, "gate", "stg", "--policy", _s.PipelinePolicy(TestPolicies.StandardYaml)).EnsureExit(1);

        Assert.Contains("git-promote: deployment to stg refused", gate.Stdout);
        Assert.DoesNotContain("push to stg refused", gate.Stdout);
        Assert.Contains(head[..12], gate.Stdout);
    }

    [Fact]
    public void History_of_one_environment_draws_no_path_and_a_young_page_starts_at_its_first_deployment_with_labels()
    {
        var app = _s.Project();
        _s.GreenInDev(app, "c1");
        _s.GreenInDev(app, "c2");

        var text = _s.Promote(app, "history", "dev").EnsureOk().Stdout;
        _s.Promote(app, "history", "--html", "page.html").EnsureOk();
        var page = File.ReadAllText(Path.Combine(app, "page.html"));

        Assert.DoesNotContain("lead time per commit", text);
        Assert.DoesNotContain("to dev: total", text);
        // Two deployments seconds apart in a 90-day window: the axis spans minutes and labels them.
        Assert.Matches("<text class=\"axis\"[^>]*>[0-9]{2}:[0-9]{2}</text>", page);
    }
}
