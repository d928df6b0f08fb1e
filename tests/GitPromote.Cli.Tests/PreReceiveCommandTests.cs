using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Tests.Support;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests;

/// <summary>
/// The server hook through fakes: its refusals before any evidence is asked (each in the one hook refusal format),
/// and the pushes it lets through without starting git or reading a commit.
/// </summary>
public sealed class PreReceiveCommandTests
{
    private const string GitDir = "/srv/git/orders-stg.git";

    private static readonly string Zero = new('0', 40);
    private static readonly string Tip = Ids.Sha1('a');
    private static readonly string Pushed = Ids.Sha1('c');

    private readonly HookRun _run = new();

    public PreReceiveCommandTests() => _run.Files.WriteAllText(GitDir + "/HEAD", "ref: refs/heads/main\n");

    /// <summary>A server repository guarding <paramref name="env"/>, its policy pinned on main (dev then stg).</summary>
    private FakeRepository Server(string env) =>
        _run.Bare(GitDir, ("promote.environment", env), ("promote.policyRef", "refs/heads/main"))
            .Branch("refs/heads/main", Tip, (".promote.yml", PolicyYaml.DevThenStg("main")));

    private static string Update(string refName, string from = "") => $"{(from.Length > 0 ? from : Zero)} {Pushed} {refName}\n";

    [Fact]
    public async Task A_repository_without_promote_environment_refuses_every_push_and_says_who_fixes_it()
    {
        _run.Bare(GitDir);

        var (exit, _, error) = await _run.RunAsync(Update("refs/heads/main"), "hook", "pre-receive");

        Assert.Equal(ExitCodes.UsageOrPolicy, exit);
        Assert.Equal("git-promote: push refused: this repository's guard is not configured (git config promote.environment)\n"
            + "  the server admin runs: git promote install --server --env <env>\n", error);
    }

    [Fact]
    public async Task A_pusher_outside_promote_recorders_cannot_write_green_records()
    {
        Server("stg");

        var (exit, _, error) = await _run.RunAsync(Update($"refs/promote/green/{Pushed}"), "hook", "pre-receive");

        Assert.Equal(ExitCodes.Blocked, exit);
        Assert.StartsWith(
            $"git-promote: push refused: refs/promote/green/{Pushed}: only the accounts in git config promote.recorders may write green records", error);
        Assert.Contains("\n  records are written by the environment's pipeline", error);
    }

    [Fact]
    public async Task A_policy_that_does_not_define_the_repository_environment_refuses_and_lists_the_ones_it_has()
    {
        Server("prd");

        var (exit, _, error) = await _run.RunAsync(Update("refs/heads/main"), "hook", "pre-receive");

        Assert.Equal(ExitCodes.UsageOrPolicy, exit);
        Assert.StartsWith("git-promote: push refused: this repository is environment 'prd', which ", error);
        Assert.Contains("\n  environments there: dev, stg\n", error);
    }

    [Fact]
    public async Task A_push_to_the_first_environment_goes_through_without_starting_git_or_reading_a_commit()
    {
        // FakeGit's git process does not exist and FakeRepository refuses to resolve commits: either would fail the run.
        Server("dev");

        var (exit, _, error) = await _run.RunAsync(Update("refs/heads/main", from: Tip), "hook", "pre-receive");

        Assert.Equal((ExitCodes.Ok, ""), (exit, error));
    }

    [Fact]
    public async Task A_push_of_a_branch_the_policy_does_not_deploy_goes_through_unchecked()
    {
        Server("stg");

        var (exit, _, error) = await _run.RunAsync(Update("refs/heads/feature/x"), "hook", "pre-receive");

        Assert.Equal((ExitCodes.Ok, ""), (exit, error));
    }

    [Fact]
    public async Task A_policy_branch_without_a_policy_refuses_every_push()
    {
        _run.Bare(GitDir, ("promote.environment", "stg"), ("promote.policyRef", "refs/heads/main")).Branch("refs/heads/main", Tip);

        var (exit, _, error) = await _run.RunAsync(Update("refs/heads/main"), "hook", "pre-receive");

        Assert.Equal(ExitCodes.Blocked, exit);
        Assert.StartsWith("git-promote: push refused: ", error);
        Assert.Contains("has no .promote.yml", error);
    }
}
