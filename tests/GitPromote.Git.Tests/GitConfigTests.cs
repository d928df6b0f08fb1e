using GitPromote.Git.Tests.Support;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests;

/// <summary>The one config reader, against git's own <c>git config --list --show-scope --show-origin</c> on tricky files.</summary>
public sealed class GitConfigTests
{
    /// <summary>A repository with its own system and global files, and the environment that points git at them.</summary>
    private sealed class Fixture : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public Fixture()
        {
            GitCli.Run(_dir.Path, "init", "-q", "repo");
            Repo = _dir.Combine("repo");
            GitDir = Path.Combine(Repo, ".git");
            Environment = new Dictionary<string, string>
            {
                ["GIT_CONFIG_SYSTEM"] = _dir.Combine("system.config"),
                ["GIT_CONFIG_GLOBAL"] = _dir.Combine("global.config"),
                ["GIT_CONFIG_COUNT"] = "",
                ["GIT_CONFIG_PARAMETERS"] = "",
            };
            File.WriteAllText(Environment["GIT_CONFIG_SYSTEM"], "[core]\n\thooksPath = /etc/hooks\n");
            File.WriteAllText(Environment["GIT_CONFIG_GLOBAL"], "[user]\n\tname = Dana\n[core]\n\thooksPath = ~/hooks\n");
        }

        public string Repo { get; }
        public string GitDir { get; }
        public Dictionary<string, string> Environment { get; }

        public string Combine(params string[] parts) => _dir.Combine(parts);

        public void AppendLocal(string text) => File.AppendAllText(Path.Combine(GitDir, "config"), text);

        public GitConfig Read() => ReadWith("git", levels: true);

        /// <summary>The reader run with <paramref name="git"/> as its git.</summary>
        public GitConfig ReadWith(string git, bool levels = false) =>
            GitConfig.Read(Disk.Files, GitDir, new GitProcess(Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value), git), TimeSpan.FromSeconds(30),
                levels);

        /// <summary>
        /// A git older than 2.26 (Debian 10, Ubuntu 20.04): it rejects <c>--show-scope</c>/<c>--show-origin</c> as such a git
        /// does (exit 129), and is the real git otherwise.
        /// </summary>
        public string OldGit()
        {
            var realGit = GitCli.Run(_dir.Path, "--exec-path").Trim() + "/git";
            return Scripts.Write(_dir.Combine("git-2.25"),
                "for a in \"$@\"; do case \"$a\" in --show-scope|--show-origin) echo \"error: unknown option \\`${a#--}'\" >&2; exit 129;; esac; done\n" +
                $"exec '{realGit}' \"$@\"\n");
        }

        /// <summary>What git itself lists, parsed here independently of the reader: (scope, origin, key, value).</summary>
        public List<(string, string, string, string?)> GitsOwnList()
        {
            var parts = GitCli.RunWithEnv(Repo, Environment, "--git-dir=" + GitDir, "config", "--list", "-z", "--show-scope", "--show-origin").Split('\0');
            var list = new List<(string, string, string, string?)>();
            for (var i = 0; i + 2 < parts.Length; i += 3)
            {
                var kv = parts[i + 2].Split('\n', 2);
                list.Add((parts[i], parts[i + 1], kv[0], kv.Length == 2 ? kv[1] : null));
            }
            return list;
        }

        public void Dispose() => _dir.Dispose();
    }

    private static List<(string, string, string, string?)> Listed(GitConfig config) =>
        config.Entries.Select(e => (e.Scope, e.Origin, e.Key, e.Value)).ToList();

    [Fact]
    public void Plain_files_are_read_without_git_and_give_exactly_what_git_lists_with_scopes_and_origins()
    {
        using var f = new Fixture();
        f.AppendLocal("[remote \"Dev\"]\n\turl = ../dev.git\n\tfetch = +refs/heads/*:refs/remotes/Dev/*\n" +
                      "[remote \"prd\"] url = https://git.example.com/prd.git ; a comment\n\tpushurl=ssh://git@example.com/prd.git\n" +
                      "[url \"https://mirror.example.com/\"]\n\tinsteadOf = gh:\n" +
                      "# a comment line\n[Promote]\n\tChainHooks\n\tTimeout = 5s\n[Old.Style]\n\tKey = v\n");

        var config = f.Read();

        Assert.True(config.ReadFromFiles);
        Assert.Equal(f.GitsOwnList(), Listed(config));
        Assert.Equal(ConfigLevel.Local, config.Last("remote.Dev.url")!.Level);
        Assert.Equal(ConfigLevel.Global, config.Last("user.name")!.Level);
        Assert.Equal("~/hooks", config.Get("core.hooksPath"));
    }

    public static TheoryData<string, string> FilesOnlyGitReadsExactly => new()
    {
        { "include", "[include]\n\tpath = {dir}/included.config\n" },
        { "includeIf", "[includeIf \"gitdir:{dir}/\"]\n\tpath = {dir}/included.config\n" },
        { "continued line", "[user]\n\tname = a\\\n b\n" },
        { "escapes", "[user]\n\tname = tab\\there \\\"q\\\" back\\\\slash\n" },
        { "quoted value", "[user]\n\tname = \" spaced ; not a comment \"\n" },
        { "quoted subsection", "[remote \"we\\\"ird\"]\n\turl = \"../x.git\"\n" },
    };

    [Theory]
    [MemberData(nameof(FilesOnlyGitReadsExactly))]
    public void A_file_only_git_reads_exactly_is_read_through_git_with_its_levels(string what, string local)
    {
        using var f = new Fixture();
        File.WriteAllText(f.Combine("included.config"), "[core]\n\thooksPath = /included/hooks\n[promote]\n\tenvironment = stg\n");
        f.AppendLocal(local.Replace("{dir}", f.Combine()));

        var config = f.Read();

        Assert.False(config.ReadFromFiles, what);
        Assert.Equal(f.GitsOwnList(), Listed(config));
    }

    [Fact]
    public void An_included_file_counts_at_the_level_of_the_file_that_includes_it()
    {
        using var f = new Fixture();
        File.WriteAllText(f.Combine("included.config"), "[core]\n\thooksPath = /included/hooks\n");
        f.AppendLocal($"[include]\n\tpath = {f.Combine("included.config")}\n");

        var winner = f.Read().Last("core.hookspath")!;

        Assert.Equal(("/included/hooks", ConfigLevel.Local, "file:" + f.Combine("included.config")), (winner.Value, winner.Level, winner.Origin));
    }

    [Fact]
    public void Per_worktree_config_is_read_through_git_at_the_worktree_level()
    {
        using var f = new Fixture();
        GitCli.RunWithEnv(f.Repo, f.Environment, "config", "extensions.worktreeConfig", "true");
        GitCli.RunWithEnv(f.Repo, f.Environment, "config", "--worktree", "core.hooksPath", "/worktree/hooks");

        var config = f.Read();

        Assert.False(config.ReadFromFiles);
        Assert.Equal(f.GitsOwnList(), Listed(config));
        Assert.Equal(ConfigLevel.Worktree, config.Last("core.hooksPath")!.Level);
    }

    [Theory]
    [InlineData("GIT_CONFIG_COUNT")]
    [InlineData("GIT_CONFIG_PARAMETERS")]
    public void Settings_given_in_the_environment_are_read_through_git_at_the_command_level(string variable)
    {
        using var f = new Fixture();
        if (variable == "GIT_CONFIG_COUNT")
        {
            f.Environment["GIT_CONFIG_COUNT"] = "1";
            f.Environment["GIT_CONFIG_KEY_0"] = "core.hooksPath";
            f.Environment["GIT_CONFIG_VALUE_0"] = "/command/hooks";
        }
        else
        {
            f.Environment["GIT_CONFIG_PARAMETERS"] = "'core.hooksPath'='/command/hooks'";
        }

        var config = f.Read();

        Assert.False(config.ReadFromFiles);
        Assert.Equal(f.GitsOwnList(), Listed(config));
        Assert.Equal(("/command/hooks", ConfigLevel.Command), (config.Get("core.hooksPath"), config.Last("core.hooksPath")!.Level));
    }

    [Fact]
    public void An_older_git_without_show_scope_still_gives_the_remotes_of_a_config_only_git_reads()
    {
        using var f = new Fixture();
        File.WriteAllText(f.Combine("included.config"), "[remote \"backup\"]\n\turl = ../stg.git\n");
        f.AppendLocal($"[remote \"stg\"]\n\turl = {f.Combine("stg.git")}\n[include]\n\tpath = {f.Combine("included.config")}\n");

        var config = f.ReadWith(f.OldGit());

        Assert.False(config.ReadFromFiles);
        Assert.Equal([("stg", f.Combine("stg.git")), ("backup", "../stg.git")], config.Remotes().Select(r => (r.Name, r.Url)));
        Assert.Equal("Dana", config.Get("user.name"));
    }

    [Fact]
    public void An_older_git_gives_every_entry_without_levels_where_levels_are_asked_for()
    {
        using var f = new Fixture();
        f.AppendLocal($"[include]\n\tpath = {f.Combine("none.config")}\n[promote]\n\tenvironment = stg\n");

        var config = f.ReadWith(f.OldGit(), levels: true);

        Assert.Equal(f.GitsOwnList().Select(e => e.Item3), config.Entries.Select(e => e.Key));
        Assert.Equal(("stg", ConfigLevel.Unknown, ""),
            (config.Get("promote.environment"), config.Last("promote.environment")!.Level, config.Last("promote.environment")!.Origin));
    }

    [Fact]
    public void Without_levels_the_reader_does_not_ask_git_for_them()
    {
        using var f = new Fixture();
        var log = f.Combine("git.log");
        var realGit = GitCli.Run(f.Repo, "--exec-path").Trim() + "/git";
        var git = Scripts.Write(f.Combine("logging-git"), $"echo \"$*\" >> '{log}'\nexec '{realGit}' \"$@\"\n");
        f.AppendLocal($"[include]\n\tpath = {f.Combine("none.config")}\n");

        f.ReadWith(git);

        Assert.Equal($"--git-dir={f.GitDir} config --list -z", File.ReadAllText(log).Trim());
    }

    [Fact]
    public void A_config_git_cannot_list_is_an_error_not_an_empty_config()
    {
        using var f = new Fixture();
        f.AppendLocal($"[remote \"stg\"]\n\turl = ../stg.git\n[include]\n\tpath = {f.Combine("none.config")}\n[broken\n");

        var e = Assert.Throws<GitConfigUnreadableException>(() => f.ReadWith("git"));

        Assert.StartsWith("git config failed (exit 128)", e.Message);
        Assert.Contains("bad config line", e.Message);
    }

    [Fact]
    public void Without_a_known_system_file_the_files_are_left_to_git()
    {
        using var f = new Fixture();
        Assert.Null(GitConfig.FromFiles(Disk.Files, f.GitDir,
            new FakeEnvironment(f.Environment.Where(kv => kv.Key is not ("GIT_CONFIG_SYSTEM" or "PATH")).Append(new("PATH", f.Combine())).ToDictionary(kv =>
                kv.Key, kv => (string?)kv.Value))));
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

        Assert.Equal(Path.GetFullPath(Path.Combine(repo, ".git")), Path.TrimEndingDirectorySeparator(GitConfig.CommonDir(Disk.Files, linkedGitDir)));
    }

    private static GitConfig Listing(params string[] records) =>
        GitConfig.Parse(string.Concat(records.Select(r => "local\0file:.git/config\0" + r + "\0")));

    [Fact]
    public void The_last_value_wins_and_a_bare_key_is_true()
    {
        var config = Listing("a.b\n1", "a.b\n2", "a.flag", "sec.Sub.name\nv"); // git lists section and name lower-cased
        Assert.Equal("2", config.Get("A.B"));
        Assert.Equal("true", config.Get("a.flag"));
        Assert.Null(config.Last("a.flag")!.Value);
        Assert.Equal("v", config.Get("sec.Sub.NAME"));
        Assert.Null(config.Get("sec.sub.name"));
        Assert.Null(config.Get("nodot"));
    }

    public static TheoryData<string[], string, string> RemoteCases => new()
    {
        { ["remote.o.url\nhttps://h/x"], "https://h/x", "https://h/x" },
        { ["remote.o.url\nhttps://h/x", "remote.o.pushurl\nssh://h/x"], "https://h/x", "ssh://h/x" },
        { ["url.https://github.com/.insteadof\ngh:", "remote.o.url\ngh:a/b"], "https://github.com/a/b", "https://github.com/a/b" },
        { ["url.ssh://git@github.com/.pushinsteadof\nhttps://github.com/", "remote.o.url\nhttps://github.com/a/b"], "https://github.com/a/b",
            "ssh://git@github.com/a/b" },
        // pushInsteadOf never rewrites an explicit pushurl; insteadOf does.
        { ["url.X:.pushinsteadof\nhttps://", "url.https://long/.insteadof\nl:", "remote.o.url\nhttps://h/x", "remote.o.pushurl\nl:y"], "https://h/x",
            "https://long/y" },
        // The longest matching insteadOf wins.
        { ["url.A/.insteadof\ngh:", "url.B/.insteadof\ngh:org/", "remote.o.url\ngh:org/r"], "B/r", "B/r" },
    };

    [Theory]
    [MemberData(nameof(RemoteCases))]
    public void Remote_urls_are_rewritten_as_git_rewrites_them(string[] entries, string url, string pushUrl)
    {
        var remote = Assert.Single(Listing(entries).Remotes());
        Assert.Equal(new GitRemote("o", url, pushUrl), remote);
    }

    [Theory]
    [InlineData("[core]\n\tbare = true\n", "core.bare", "true")]
    [InlineData("[Core]\n\tBARE = false ; comment\n", "core.bare", "false")]
    [InlineData("[remote \"Origin\"]\n\turl = \"https://x/y.git\" # c\n", "remote.Origin.url", "https://x/y.git")]
    [InlineData("[remote \"Origin\"]\n\turl = a\n", "remote.origin.url", null)]
    [InlineData("[extensions]\n\tpreciousObjects\n", "extensions.preciousobjects", "true")]
    [InlineData("[branch.Main]\n\tremote = o\n", "branch.main.remote", "o")]
    [InlineData("[core] bare = true\n", "core.bare", "true")]
    [InlineData("[a]\n\tk = 1\n\tk = 2\n", "a.k", "2")]
    [InlineData("# only a comment\n", "core.bare", null)]
    [InlineData("[a]\n\tk = x\\\"y\n", "a.k", "x\"y")]
    public void One_file_is_read_as_git_reads_it(string text, string key, string? expected)
    {
        Assert.Equal(expected, GitConfig.FromText(text).Get(key));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("Yes", true)]
    [InlineData("on", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("off", false)]
    [InlineData(null, false)]
    public void Reads_booleans_as_git_does(string? value, bool expected) => Assert.Equal(expected, GitConfig.IsTrue(value));

    [Fact]
    public void A_missing_file_reads_as_empty()
    {
        Assert.Empty(GitConfig.FromFile(Disk.Files, Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "config")).Entries);
    }
}
