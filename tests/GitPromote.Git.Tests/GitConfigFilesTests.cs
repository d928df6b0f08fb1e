using GitPromote.Git.Tests.Support;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests;

public sealed class GitConfigFilesTests
{
    private static FakeEnvironment Env => FakeEnvironment.FromProcess();

    /// <summary>What git itself lists, in order, as (key, value); a bare key has no value.</summary>
    private static List<(string, string?)> GitsOwnList(string repo) =>
        GitCli.Run(repo, "config", "--list", "-z").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.IndexOf('\n') is var nl && nl < 0 ? (r, (string?)null) : (r[..nl], r[(nl + 1)..])).ToList();

    [Fact]
    public void The_files_give_exactly_what_git_config_lists_for_remotes_rewrites_comments_and_bare_keys()
    {
        using var dir = new TempDirectory();
        GitCli.Run(dir.Path, "init", "-q", "repo");
        var repo = dir.Combine("repo");
        File.AppendAllText(Path.Combine(repo, ".git", "config"),
            "[remote \"Dev\"]\n\turl = ../dev.git\n\tfetch = +refs/heads/*:refs/remotes/Dev/*\n" +
            "[remote \"prd\"] url = https://git.example.com/prd.git ; a comment\n\tpushurl=ssh://git@example.com/prd.git\n" +
            "[url \"https://mirror.example.com/\"]\n\tinsteadOf = gh:\n" +
            "# a comment line\n[Promote]\n\tChainHooks\n\tTimeout = 5s\n[Old.Style]\n\tKey = v\n");

        var files = GitConfigFiles.TryRead(Path.Combine(repo, ".git"), Env);

        Assert.NotNull(files);
        Assert.Equal(GitsOwnList(repo), files.Select(e => (e.Key, e.Value)).ToList());
        Assert.Contains(files, e => e.Key == "remote.Dev.url" && e.Scope == "local");
        Assert.Contains(files, e => e.Key == "user.name" && e.Scope == "global");
    }

    [Theory]
    [InlineData("[include]\n\tpath = other.config\n")]
    [InlineData("[includeIf \"gitdir:/x/\"]\n\tpath = other.config\n")]
    [InlineData("[user]\n\tname = a\\\n b\n")]
    [InlineData("[user]\n\tname = \" spaced \"\n")]
    [InlineData("[extensions]\n\tworktreeConfig = true\n")]
    public void A_file_only_git_can_read_exactly_is_left_to_git(string local)
    {
        using var dir = new TempDirectory();
        GitCli.Run(dir.Path, "init", "-q", "repo");
        var gitDir = dir.Combine("repo", ".git");
        File.AppendAllText(Path.Combine(gitDir, "config"), local);

        Assert.Null(GitConfigFiles.TryRead(gitDir, Env));
    }

    [Theory]
    [InlineData("GIT_CONFIG_COUNT", "1")]
    [InlineData("GIT_CONFIG_PARAMETERS", "'core.hookspath'='/x'")]
    public void Settings_given_on_the_command_line_or_environment_are_left_to_git(string variable, string value)
    {
        using var dir = new TempDirectory();
        GitCli.Run(dir.Path, "init", "-q", "repo");

        Assert.Null(GitConfigFiles.TryRead(dir.Combine("repo", ".git"), Env.With(variable, value)));
    }

    [Fact]
    public void A_linked_worktree_reads_the_config_of_its_common_directory()
    {
        using var dir = new TempDirectory();
        GitCli.Run(dir.Path, "init", "-q", "repo");
        var repo = dir.Combine("repo");
        GitCli.Commit(repo, "first");
        GitCli.Run(repo, "worktree", "add", "-q", dir.Combine("linked"));
        var linkedGitDir = GitCli.Run(dir.Combine("linked"), "rev-parse", "--absolute-git-dir");

        Assert.Equal(Path.GetFullPath(Path.Combine(repo, ".git")), Path.TrimEndingDirectorySeparator(GitConfigFiles.CommonDir(linkedGitDir)));
    }
}
