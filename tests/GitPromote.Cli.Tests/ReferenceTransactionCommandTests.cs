using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Tests.Support;
using GitPromote.Git;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests;

/// <summary>
/// The server's reference-transaction hook runs around every ref update of the repository. Through fakes: a push
/// (a receive-pack owns this process) whose git cannot run. Only an update that may carry a pending bypass of this
/// push reaches git, and then a failure while the refs are locked ("prepared") refuses the update.
/// </summary>
public sealed class ReferenceTransactionCommandTests : IDisposable
{
    private static readonly string Zero = new('0', 40);
    private static readonly string Pushed = Ids.Sha1('c');

    private readonly GitPromote.TestSupport.TempDirectory _gitDir = new();
    private readonly HookRun _run = new();

    public ReferenceTransactionCommandTests()
    {
        _run.Environment = new FakeEnvironment(("GIT_DIR", _gitDir.Path));
        _run.Git.Owner = new PushOwner(4242, 1);
    }

    public void Dispose() => _gitDir.Dispose();

    /// <summary>A loose pending ref, in the files the hook reads (it looks there before it runs git).</summary>
    private void PendingEntryExists() => _run.Files.Files[_gitDir.Combine("refs/promote/pending/stg-1")] = Pushed + "\n";

    private Task<(int Exit, string Out, string Error)> Update(string refName, string state) =>
        _run.RunAsync($"{Zero} {Pushed} {refName}\n", "hook", "reference-transaction", state);

    [Fact]
    public async Task A_push_that_may_have_a_pending_bypass_is_refused_while_prepared_when_its_record_cannot_be_settled()
    {
        PendingEntryExists();

        var (exit, _, error) = await Update("refs/heads/main", "prepared");

        Assert.Equal(ExitCodes.Blocked, exit);
        Assert.StartsWith("git-promote: push refused: the bypass could not be recorded (git could not be started", error);
        Assert.EndsWith("\n  nothing was updated; retry, and if it keeps failing ask the server admin to check the repository\n", error);
    }

    [Theory]
    [InlineData("committed")]
    [InlineData("aborted")]
    public async Task After_git_decided_a_failure_is_said_and_the_next_push_settles_it(string state)
    {
        PendingEntryExists();

        var (exit, _, error) = await Update("refs/heads/main", state);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("git-promote: the bypass record of this push could not be settled (git could not be started", error);
        Assert.EndsWith("; the next push settles it\n", error);
    }

    [Fact]
    public async Task Without_a_pending_entry_in_the_repository_a_push_passes_without_starting_git()
    {
        var (exit, _, error) = await Update("refs/heads/main", "prepared");

        Assert.Equal((ExitCodes.Ok, ""), (exit, error));
    }

    [Fact]
    public async Task The_guards_own_updates_pass_without_starting_git()
    {
        PendingEntryExists();

        var (exit, _, error) = await Update("refs/promote/pending/stg-1", "prepared");

        Assert.Equal((ExitCodes.Ok, ""), (exit, error));
    }

    [Fact]
    public async Task A_ref_update_outside_a_push_passes_without_starting_git()
    {
        PendingEntryExists();
        _run.Git.Owner = null;

        var (exit, _, error) = await Update("refs/heads/main", "prepared");

        Assert.Equal((ExitCodes.Ok, ""), (exit, error));
    }

    [Fact]
    public async Task A_state_git_may_add_later_passes_untouched()
    {
        PendingEntryExists();

        var (exit, _, error) = await Update("refs/heads/main", "preparing");

        Assert.Equal((ExitCodes.Ok, ""), (exit, error));
    }
}
