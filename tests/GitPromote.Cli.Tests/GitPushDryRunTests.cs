using GitPromote.Cli.Hooks;
using GitPromote.Platform;

namespace GitPromote.Cli.Tests;

/// <summary>
/// git does not tell pre-push whether the push is a dry run; the hook reads the command line of the git process that runs
/// it. A bypass of a dry run is not recorded; when the command line cannot be read, the hook behaves as before (records).
/// </summary>
public class GitPushDryRunTests
{
    [Theory]
    [InlineData("git push --dry-run stg main")]
    [InlineData("git push -n stg main")]
    [InlineData("git push -fn stg main")]
    [InlineData("git push -vn stg main")]
    [InlineData("/usr/bin/git -C /src -c push.default=simple push --dry-run stg main")]
    [InlineData("git --git-dir /x/.git push stg --dry-run")]
    [InlineData("git push --no-dry-run --dry-run stg main")]
    public void A_dry_run_is_read_from_the_push_command_line(string commandLine) =>
        Assert.True(GitPushDryRun.FromArguments(commandLine.Split(' ')));

    [Theory]
    [InlineData("git push stg main")]
    [InlineData("git push -o promote.bypass=x-n stg main")]
    [InlineData("git push -onot-a-dry-run stg main")]
    [InlineData("git push --push-option -n stg main")]
    [InlineData("git push --dry-run --no-dry-run stg main")]
    [InlineData("git push stg -- --dry-run")]
    [InlineData("git -c -n push stg main")]
    [InlineData("git push --force-with-lease stg main")]
    public void A_push_for_real_is_not_a_dry_run(string commandLine) =>
        Assert.False(GitPushDryRun.FromArguments(commandLine.Split(' ')));

    [Theory]
    [InlineData("git pushdry stg main")]
    [InlineData("lefthook run pre-push")]
    [InlineData("/bin/sh .git/hooks/pre-push stg /x")]
    [InlineData("")]
    public void A_command_line_that_is_not_a_git_push_says_nothing(string commandLine) =>
        Assert.Null(GitPushDryRun.FromArguments(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public void The_git_push_is_looked_for_among_a_few_ancestors_so_a_hook_manager_in_between_is_passed()
    {
        // The hook (pid 10) was started by lefthook (9), started by git push --dry-run (8).
        var table = new Dictionary<int, (int Parent, string[] Args)>
        {
            [10] = (9, ["git-promote", "hook", "pre-push", "stg", "/x"]),
            [9] = (8, ["lefthook", "run", "pre-push"]),
            [8] = (7, ["git", "push", "--dry-run", "stg", "main"]),
            [7] = (1, ["bash"]),
        };
        Assert.True(GitPushDryRun.Detect(10, pid => table.TryGetValue(pid, out var p) ? p : null));
    }

    [Fact]
    public void Unreadable_or_too_distant_ancestors_say_nothing_and_never_throw()
    {
        Assert.Null(GitPushDryRun.Detect(10, _ => null));
        Assert.Null(GitPushDryRun.Detect(10, _ => throw new UnauthorizedAccessException("no /proc")));
        // A chain longer than the bound (each process its own parent's child) ends without an answer.
        Assert.Null(GitPushDryRun.Detect(100, pid => (pid - 1, ["sh"])));
        // A loop ends too.
        Assert.Null(GitPushDryRun.Detect(5, pid => (5, ["sh"])));
    }

    [Fact]
    public void This_process_can_read_its_own_ancestry_on_this_machine()
    {
        // The test host is not a git push: an answer of null (not a push) is right, and reading must not throw.
        Assert.Null(GitPushDryRun.OfThisProcess(new SystemFileSystem(), new SystemProcessStarter()));
    }
}
