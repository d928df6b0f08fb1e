using GitPromote.Cli.Gate;
using GitPromote.Cli.Install;
using GitPromote.Cli.Workspaces;
using GitPromote.Cli.Tests.Support;
using GitPromote.Git;

namespace GitPromote.Cli.Tests;

/// <summary><c>git promote init</c> through the context's file system: never overwrites a policy unasked, and writes only what it would load.</summary>
public class InitCommandTests
{
    private const string WorkTree = "/home/ada/orders";
    private const string PolicyPath = WorkTree + "/.promote.yml";

    private readonly FakeFileSystem _files = new();
    private readonly FakeCommandLine _cli;

    public InitCommandTests()
    {
        _cli = new FakeCommandLine { Files = _files };
        _cli.Git.Location = new GitLocation(WorkTree + "/.git", WorkTree + "/.git", WorkTree);
        _cli.Git.Repository = new FakeRepository(WorkTree + "/.git")
        {
            Remotes = [new GitRemote("dev", "/srv/dev.git", "/srv/dev.git"), new GitRemote("prd", "/srv/prd.git", "/srv/prd.git")],
        };
    }

    [Fact]
    public async Task An_existing_policy_is_kept_unless_force_is_given()
    {
        _files.Files[PolicyPath] = "# ours\n";

        var (exit, _, error) = await _cli.RunAsync("init");

        Assert.Equal(2, exit);
        Assert.Contains(".promote.yml already exists", error);
        Assert.Equal("# ours\n", _files.Files[PolicyPath]);
    }

    [Fact]
    public async Task The_starter_policy_names_the_clones_remotes_and_loads_as_written()
    {
        _files.Files[PolicyPath] = "# ours\n";

        var (exit, @out, _) = await _cli.RunAsync("init", "--force");

        Assert.Equal(0, exit);
        Assert.Contains("wrote .promote.yml", @out);
        var policy = PolicySource.FromText(_files.Files[PolicyPath], ".promote.yml", "orders").Policy;
        Assert.Equal(["dev", "prd"], policy.Environments.Select(e => e.Name));
    }
}
