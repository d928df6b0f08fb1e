using GitPromote.Cli.Hooks;
using GitPromote.Cli.Install;
using GitPromote.Cli.Tests.Support;
using GitPromote.Cli.Workspaces;
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

    [Theory]
    [InlineData("codecommit::eu-west-1://orders", "https://git-codecommit.eu-central-1.amazonaws.com/v1/repos/orders",
        "ssh://APKAEIBAERJR2EXAMPLE@git-codecommit.us-east-2.amazonaws.com/v1/repos/orders")]
    [InlineData("codecommit::eu-west-1://orders-dev@orders", "https://git-codecommit-fips.eu-central-1.amazonaws.com/v1/repos/orders",
        "ssh://git-codecommit.us-east-2.amazonaws.com/v1/repos/orders")]
    public async Task CodeCommit_remotes_get_their_region_ssm_and_the_constructs_pipeline_as_evidence_and_init_says_what_it_guessed(string dev, string stg,
        string prd)
    {
        _cli.Git.Repository = new FakeRepository(WorkTree + "/.git")
        {
            Remotes = [new GitRemote("dev", dev, dev), new GitRemote("stg", stg, stg), new GitRemote("prd", prd, prd)],
        };

        var (exit, @out, _) = await _cli.RunAsync("init");

        Assert.Equal(0, exit);
        var policy = PolicySource.FromText(_files.Files[PolicyPath], ".promote.yml", "orders").Policy;
        Assert.Equal(["dev", "stg", "prd"], policy.Environments.Select(e => e.Name));
        Assert.Equal(["eu-west-1", "eu-central-1", "us-east-2"], policy.Environments.Select(e => e.Aws!.Region));
        Assert.All(policy.Environments, e =>
        {
            Assert.True(e.StoresInSsm);
            Assert.Equal($"orders-{e.Name}", Assert.Single(e.Evidence.OfType<GitPromote.Core.Policy.CodePipelineEvidence>()).Pipeline);
            Assert.DoesNotContain(e.Evidence, x => x is GitPromote.Core.Policy.GitEvidence);
        });
        Assert.Contains("dev: remote 'dev' is CodeCommit in eu-west-1", @out);
        Assert.Contains("prd: remote 'prd' is CodeCommit in us-east-2", @out);
    }

    [Fact]
    public async Task CodeCommit_remotes_give_each_environment_its_profile_and_the_service_its_repositorys_name()
    {
        _cli.Git.Repository = new FakeRepository(WorkTree + "/.git")
        {
            Remotes =
            [
                new GitRemote("dev", "codecommit::eu-west-1://orders-dev@orders-service-dev", "codecommit::eu-west-1://orders-dev@orders-service-dev"),
                new GitRemote("stg", "codecommit::eu-west-1://orders-stg@orders-service-stg", "codecommit::eu-west-1://orders-stg@orders-service-stg"),
                new GitRemote("prd", "codecommit::eu-west-1://orders-prd@orders-service-prd", "codecommit::eu-west-1://orders-prd@orders-service-prd"),
            ],
        };

        var (exit, @out, _) = await _cli.RunAsync("init");

        Assert.Equal(0, exit);
        var policy = PolicySource.FromText(_files.Files[PolicyPath], ".promote.yml", "folder-name").Policy;
        Assert.Equal("orders-service", policy.Name);
        Assert.Equal(["orders-dev", "orders-stg", "orders-prd"], policy.Environments.Select(e => e.Aws!.Profile));
        Assert.Equal("orders-service-prd", policy.Environments[2].Evidence.OfType<GitPromote.Core.Policy.CodePipelineEvidence>().Single().Pipeline);
        Assert.Contains("dev: remote 'dev' names the AWS profile orders-dev", @out);
    }

    [Theory]
    [InlineData("/srv/dev.git")]
    [InlineData("https://github.com/acme/orders.git")]
    [InlineData("https://git-codecommit.eu-west-1.amazonaws.com.evil.example/v1/repos/orders")]
    [InlineData("codecommit::not-a-region://orders")]
    [InlineData("ssh://git@example.com/v1/repos/git-codecommit.eu-west-1.amazonaws.com")]
    public void Other_remotes_are_not_taken_for_CodeCommit(string url)
    {
        Assert.Null(GitPromote.Cli.Commands.InitCommand.CodeCommitRegion(url));
    }
}
