using GitPromote.Git.Tests.Support;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests;

public sealed class GitRepositoryLocatorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _work;

    public GitRepositoryLocatorTests()
    {
        _work = _dir.Combine("work");
        Directory.CreateDirectory(_work);
        GitCli.Run(_work, "init", "-q");
        GitCli.Commit(_work, "one");
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>An environment with only these variables, and discovery fenced in to the test's directory.</summary>
    private FakeEnvironment Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => (string?)v.Value);
        map.TryAdd("GIT_CEILING_DIRECTORIES", GitTestEnvironment.Root);
        return new FakeEnvironment(map);
    }

    private static IGitRepository Open(string path, FakeEnvironment environment) =>
        GitRepositoryLocator.Open(Disk.Files, GitRepositoryLocator.Locate(Disk.Files, path, environment)!, environment, GitProcess.Default);

    [Fact]
    public void Finds_the_repository_from_a_subdirectory_of_the_work_tree()
    {
        var sub = Path.Combine(_work, "a", "b");
        Directory.CreateDirectory(sub);
        var location = GitRepositoryLocator.Locate(Disk.Files, sub, Env());
        Assert.Equal(new GitLocation(Path.Combine(_work, ".git"), Path.Combine(_work, ".git"), _work), location);
    }

    [Fact]
    public void Locate_finds_the_git_dir_without_opening_the_repository()
    {
        Assert.Equal(Path.Combine(_work, ".git"), GitRepositoryLocator.Locate(Disk.Files, _work, Env())?.GitDir);
    }

    [Fact]
    public void Inside_the_git_directory_the_work_tree_is_its_parent()
    {
        var location = GitRepositoryLocator.Locate(Disk.Files, Path.Combine(_work, ".git", "refs"), Env());
        Assert.Equal(Path.Combine(_work, ".git"), location?.GitDir);
        Assert.Equal(_work, location?.WorkTree);
    }

    [Fact]
    public void A_linked_worktree_is_found_through_its_gitfile_with_the_main_repository_as_common_dir()
    {
        var linked = _dir.Combine("linked");
        GitCli.Run(_work, "worktree", "add", "-q", "-b", "side", linked);
        var location = GitRepositoryLocator.Locate(Disk.Files, linked, Env())!;
        Assert.Equal(Path.Combine(_work, ".git", "worktrees", "linked"), location.GitDir);
        Assert.Equal(Path.Combine(_work, ".git"), location.CommonDir);
        Assert.Equal(linked, location.WorkTree);

        using var repo = Open(linked, Env());
        Assert.Equal(GitCli.Run(linked, "rev-parse", "HEAD"), repo.ResolveCommit("HEAD"));
        Assert.Equal(GitCli.Run(linked, "rev-parse", "side"), repo.ResolveCommit("side"));
    }

    [Fact]
    public void A_linked_worktree_named_by_GIT_DIR_gets_its_own_work_tree()
    {
        var linked = _dir.Combine("linked2");
        GitCli.Run(_work, "worktree", "add", "-q", "-b", "side2", linked);
        var gitDir = Path.Combine(_work, ".git", "worktrees", "linked2");
        var location = GitRepositoryLocator.Locate(Disk.Files, _dir.Path, Env(("GIT_DIR", gitDir)));
        Assert.Equal(new GitLocation(gitDir, Path.Combine(_work, ".git"), linked), location);
    }

    [Fact]
    public void A_bare_repository_is_found_from_inside_it_and_has_no_work_tree()
    {
        var bare = _dir.Combine("bare.git");
        GitCli.Run(_dir.Path, "clone", "-q", "--bare", _work, bare);
        Assert.Equal(new GitLocation(bare, bare, null), GitRepositoryLocator.Locate(Disk.Files, bare, Env()));
        Assert.Equal(new GitLocation(bare, bare, null), GitRepositoryLocator.Locate(Disk.Files, Path.Combine(bare, "refs", "heads"), Env()));
    }

    [Fact]
    public void GIT_DIR_and_GIT_WORK_TREE_win_over_discovery()
    {
        var elsewhere = _dir.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        var tree = _dir.Combine("tree");
        var location = GitRepositoryLocator.Locate(Disk.Files, elsewhere, Env(("GIT_DIR", Path.Combine(_work, ".git")), ("GIT_WORK_TREE", tree)));
        Assert.Equal(new GitLocation(Path.Combine(_work, ".git"), Path.Combine(_work, ".git"), tree), location);
    }

    [Fact]
    public void A_relative_GIT_DIR_as_hooks_get_it_is_resolved_against_the_start_directory()
    {
        var location = GitRepositoryLocator.Locate(Disk.Files, _work, Env(("GIT_DIR", ".git")));
        Assert.Equal(new GitLocation(Path.Combine(_work, ".git"), Path.Combine(_work, ".git"), _work), location);
    }

    [Fact]
    public void GIT_DIR_that_is_not_a_repository_finds_nothing()
    {
        Assert.Null(GitRepositoryLocator.Locate(Disk.Files, _work, Env(("GIT_DIR", _dir.Combine("nope")))));
    }

    [Fact]
    public void Outside_any_repository_nothing_is_located()
    {
        var outside = _dir.Combine("plain");
        Directory.CreateDirectory(outside);
        Assert.Null(GitRepositoryLocator.Locate(Disk.Files, outside, Env(("GIT_CEILING_DIRECTORIES", _dir.Path))));
    }

    [Fact]
    public void Discovery_stops_at_a_ceiling_directory()
    {
        var sub = Path.Combine(_work, "sub");
        Directory.CreateDirectory(sub);
        Assert.Null(GitRepositoryLocator.Locate(Disk.Files, sub, Env(("GIT_CEILING_DIRECTORIES", _work))));
        Assert.NotNull(GitRepositoryLocator.Locate(Disk.Files, sub, Env(("GIT_CEILING_DIRECTORIES", _dir.Path))));
    }

    public static TheoryData<string, string[], GitBackend, string> BackendCases => new()
    {
        { "", [], GitBackend.LibGit2, "default" },
        { "[extensions]\n\tobjectformat = sha256\n", [], GitBackend.Cli, "objectFormat" },
        { "[extensions]\n\tobjectFormat = sha1\n", [], GitBackend.LibGit2, "default" },
        { "[extensions]\n\tpartialClone = origin\n", [], GitBackend.Cli, "partial clone" },
        { "[remote \"origin\"]\n\turl = x\n\tpromisor = true\n", [], GitBackend.Cli, "remote.origin.promisor" },
        { "[remote \"origin\"]\n\tpromisor = false\n", [], GitBackend.LibGit2, "default" },
        { "[extensions]\n\tpreciousObjects = true\n", [], GitBackend.Cli, "preciousObjects" },
        { "[extensions]\n\tpreciousObjects\n", [], GitBackend.Cli, "preciousObjects" },
        { "[extensions]\n\tpreciousObjects = false\n", [], GitBackend.LibGit2, "default" },
        { "[extensions]\n\trefStorage = reftable\n", [], GitBackend.Cli, "refstorage" },
        { "[extensions]\n\tworktreeConfig = true\n", [], GitBackend.LibGit2, "default" },
        { "", ["GIT_QUARANTINE_PATH=/q"], GitBackend.Cli, "GIT_QUARANTINE_PATH" },
        { "", ["GIT_OBJECT_DIRECTORY=/q"], GitBackend.Cli, "GIT_OBJECT_DIRECTORY" },
        { "", ["GIT_ALTERNATE_OBJECT_DIRECTORIES=/q"], GitBackend.Cli, "GIT_ALTERNATE_OBJECT_DIRECTORIES" },
        { "", ["PROMOTE_GIT_BACKEND=cli"], GitBackend.Cli, "PROMOTE_GIT_BACKEND=cli" },
        { "[extensions]\n\tobjectformat = sha256\n", ["PROMOTE_GIT_BACKEND=libgit2"], GitBackend.LibGit2, "PROMOTE_GIT_BACKEND=libgit2" },
        { "", ["PROMOTE_GIT_BACKEND=other"], GitBackend.LibGit2, "default" },
    };

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void The_backend_is_chosen_from_the_config_file_and_environment(string config, string[] env, GitBackend expected, string reason)
    {
        var gitDir = _dir.Combine("fake.git");
        Directory.CreateDirectory(gitDir);
        File.WriteAllText(Path.Combine(gitDir, "config"), "[core]\n\trepositoryformatversion = 1\n" + config);
        var variables = new FakeEnvironment(env.Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]));

        var choice = GitRepositoryLocator.ChooseBackend(Disk.Files, new GitLocation(gitDir, gitDir, null), variables);

        Assert.Equal(expected, choice.Backend);
        Assert.Contains(reason, choice.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_ordinary_clone_opens_with_libgit2()
    {
        using var repo = Open(_work, Env());
        Assert.Equal("libgit2", repo.Backend);
    }

    [Fact]
    public void When_libgit2_cannot_open_a_repository_the_cli_takes_it()
    {
        // A repository format from the future: libgit2 refuses to open it, and nothing in the config names why.
        GitCli.Run(_work, "config", "core.repositoryformatversion", "7");
        using var repo = Open(_work, Env());
        Assert.Equal("git-cli", repo.Backend);
    }

    [Fact]
    public void A_forced_libgit2_backend_does_not_silently_fall_back()
    {
        GitCli.Run(_work, "config", "core.repositoryformatversion", "7");
        Assert.ThrowsAny<Exception>(() => Open(_work, Env(("PROMOTE_GIT_BACKEND", "libgit2"))).Dispose());
    }
}
