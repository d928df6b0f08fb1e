using GitPromote.Cli.Tests.Support;
using GitPromote.Git;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests;

/// <summary>What a user sees for a bad command line: a short what and what-to-do on stderr, the documented exit code, never a stack trace.</summary>
public sealed class AppTests : IDisposable
{
    private const int Ok = 0, UsageOrPolicy = 2, Internal = 3;

    private readonly TempDirectory _dir = new();
    private readonly FakeCommandLine _cli = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A clone whose work tree holds <paramref name="policy"/>, and whose HEAD is <see cref="Head"/>.</summary>
    private void InAClone(string policy)
    {
        File.WriteAllText(_dir.Combine(".promote.yml"), policy);
        _cli.Git.Location = new GitLocation(_dir.Combine(".git"), _dir.Combine(".git"), _dir.Path);
        _cli.Git.Repository = new FakeRepository(_dir.Combine(".git")).Branch("HEAD", Head);
    }

    private static readonly string Head = Ids.Sha1('a');

    private static readonly string Policy = PolicyYaml.DevThenStg("main");

    [Fact]
    public async Task No_command_prints_the_help_and_exits_with_the_usage_code()
    {
        var (exit, @out, error) = await _cli.RunAsync();

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("usage: git promote <command>", @out);
        Assert.Empty(error);
    }

    [Fact]
    public async Task An_unknown_command_is_a_usage_error_that_points_to_the_help()
    {
        var (exit, @out, error) = await _cli.RunAsync("promote-everything");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Empty(@out);
        Assert.Equal("git-promote: unknown command 'promote-everything'\n  see: git promote --help\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Help_after_a_command_prints_its_usage_and_succeeds_without_running_it()
    {
        _cli.Git.Failure = new InvalidOperationException("must not be reached");

        var (exit, @out, _) = await _cli.RunAsync("check", "--help");

        Assert.Equal(Ok, exit);
        Assert.StartsWith("usage: git promote check <env> [<rev>]", @out);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        var (exit, _, error) = await _cli.RunAsync("check", "stg", "--frobnicate");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("unknown option '--frobnicate'", error);
    }

    [Fact]
    public async Task Too_many_arguments_are_refused_with_the_commands_usage()
    {
        var (exit, _, error) = await _cli.RunAsync("check", "stg", "HEAD", "extra");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("too many arguments: extra", error);
        Assert.Contains("usage: git promote check", error);
    }

    [Fact]
    public async Task Check_without_an_environment_asks_which_before_looking_for_a_repository()
    {
        _cli.Git.Failure = new InvalidOperationException("must not be reached");

        var (exit, _, error) = await _cli.RunAsync("check");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("which environment?", error);
    }

    [Fact]
    public async Task Check_outside_a_repository_says_to_run_it_in_a_clone()
    {
        var (exit, _, error) = await _cli.RunAsync("check", "stg");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Equal("git-promote: not inside a git repository\n  run this in a clone\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Check_of_an_environment_the_policy_does_not_have_is_a_usage_error()
    {
        InAClone(Policy);

        var (exit, _, error) = await _cli.RunAsync("check", "prd");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("prd", error);
        Assert.Contains("dev, stg", error);
    }

    [Fact]
    public async Task Check_of_a_revision_that_is_not_a_commit_says_so()
    {
        InAClone(Policy);

        var (exit, _, error) = await _cli.RunAsync("check", "stg", "no-such-branch");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("'no-such-branch' is not a commit in this repository", error);
    }

    [Fact]
    public async Task An_invalid_policy_is_a_policy_error_that_lists_what_is_wrong()
    {
        InAClone(Policy + "rollbak: never\n");

        var (exit, _, error) = await _cli.RunAsync("check", "stg");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains(".promote.yml is not valid, so guarded pushes are refused:", error);
        Assert.Contains("fix the policy", error);
    }

    [Fact]
    public async Task An_internal_error_is_one_line_and_a_hint_never_a_stack_trace()
    {
        _cli.Git.Failure = new InvalidOperationException("the index is on fire");

        var (exit, _, error) = await _cli.RunAsync("check", "stg");

        Assert.Equal(Internal, exit);
        Assert.Equal("git-promote: internal error: the index is on fire\n  run with PROMOTE_DEBUG=1 for details, and report it\n",
            error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("yes")]
    [InlineData("On")]
    public async Task PROMOTE_DEBUG_adds_the_stack_trace_of_an_internal_error(string yes)
    {
        var cli = new FakeCommandLine { Environment = new FakeEnvironment(("PROMOTE_DEBUG", yes)) };
        cli.Git.Failure = new InvalidOperationException("the index is on fire");

        var (exit, _, error) = await cli.RunAsync("check", "stg");

        Assert.Equal(Internal, exit);
        Assert.Contains(" at ", error);
        Assert.Contains(nameof(FakeGit), error);
    }

    [Theory]
    [InlineData("check", "stg", "--verbose")]
    [InlineData("--verbose", "check", "stg")]
    public async Task Verbose_before_or_after_the_command_adds_the_stack_trace_of_an_internal_error(params string[] args)
    {
        _cli.Git.Failure = new InvalidOperationException("the index is on fire");

        var (exit, _, error) = await _cli.RunAsync(args);

        Assert.Equal(Internal, exit);
        Assert.Contains(nameof(FakeGit), error);
    }

    [Fact]
    public async Task Verbose_as_the_value_of_another_option_is_that_value_and_adds_no_details()
    {
        _cli.Git.Failure = new InvalidOperationException("the index is on fire");

        var (exit, _, error) = await _cli.RunAsync("approve", "stg", "--comment", "--verbose");

        Assert.Equal(Internal, exit);
        Assert.Equal("git-promote: internal error: the index is on fire\n  run with PROMOTE_DEBUG=1 for details, and report it\n",
            error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Verbose_as_the_value_of_since_is_read_as_the_start_of_the_window()
    {
        var (exit, _, error) = await _cli.RunAsync("history", "--since", "--verbose");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("--since '--verbose' is neither a date nor a duration", error);
    }

    [Fact]
    public async Task Help_as_the_value_of_another_option_does_not_print_the_help()
    {
        var (exit, @out, error) = await _cli.RunAsync("history", "--until", "--help");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Empty(@out);
        Assert.Contains("--until '--help' is neither a date nor a duration", error);
    }

    [Fact]
    public async Task An_unknown_option_near_a_declared_one_is_suggested()
    {
        var (exit, _, error) = await _cli.RunAsync("prune", "stg", "--dryrun");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Equal("git-promote: unknown option '--dryrun'; did you mean '--dry-run'?\n  see --help\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_misspelt_global_option_is_suggested_too()
    {
        var (_, _, error) = await _cli.RunAsync("status", "--verbos");

        Assert.Contains("unknown option '--verbos'; did you mean '--verbose'?", error);
    }

    [Fact]
    public async Task An_unknown_command_near_a_known_one_is_suggested()
    {
        var (exit, @out, error) = await _cli.RunAsync("stauts");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Empty(@out);
        Assert.Equal("git-promote: unknown command 'stauts'; did you mean 'status'?\n  see: git promote --help\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_flag_given_a_value_is_refused_as_such()
    {
        var (exit, _, error) = await _cli.RunAsync("check", "stg", "--json=yes");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("option --json takes no value", error);
    }

    [Fact]
    public async Task Install_server_takes_the_server_form_and_refuses_a_clone()
    {
        InAClone(Policy);

        var (exit, _, error) = await _cli.RunAsync("install", "--server", "--env", "stg");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("--server is for the bare repository on the server, and this one has a work tree", error);
    }

    [Fact]
    public async Task Install_server_refuses_the_options_of_a_clone_install()
    {
        var (exit, _, error) = await _cli.RunAsync("install", "--server", "--env", "stg", "--global");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("unknown option '--global'", error);
    }

    [Fact]
    public async Task Server_as_the_value_of_hooks_dir_does_not_choose_the_server_install()
    {
        var (exit, _, error) = await _cli.RunAsync("install", "--hooks-dir", "--server", "--env", "stg");

        // The clone install read it: --env is not one of its options (the server install would have taken it).
        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("unknown option '--env'", error);
    }

    [Fact]
    public async Task Hook_without_a_name_lists_every_hook_it_runs()
    {
        var (exit, _, error) = await _cli.RunAsync("hook");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Contains("expected: pre-push, pre-receive or reference-transaction", error);
        Assert.Contains("git promote hook reference-transaction prepared|committed|aborted", error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("no")]
    [InlineData("off")]
    public async Task PROMOTE_DEBUG_set_to_no_keeps_the_one_line(string no)
    {
        var cli = new FakeCommandLine { Environment = new FakeEnvironment(("PROMOTE_DEBUG", no)) };
        cli.Git.Failure = new InvalidOperationException("the index is on fire");

        var (_, _, error) = await cli.RunAsync("check", "stg");

        Assert.DoesNotContain(" at ", error);
        Assert.Contains("run with PROMOTE_DEBUG=1 for details", error);
    }

    [Fact]
    public async Task Control_characters_in_an_argument_never_reach_the_terminal_raw()
    {
        var (exit, _, error) = await _cli.RunAsync("\u001b]0;pwned\u0007\u001b[2J");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.DoesNotContain('\u001b', error);
        Assert.DoesNotContain('\u0007', error);
    }
}
