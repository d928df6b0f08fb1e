using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Git.Tests.Support;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests;

/// <summary>Repositories libgit2 refuses or cannot see, which the locator must hand to the git CLI, and which it must read right.</summary>
public sealed class CliOnlyRepositoryTests : IDisposable
{
    private static readonly FakeEnvironment NoEnvironment = FakeEnvironment.Empty;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IGitRepository OpenWithLocator(string path, GitProcess? git = null) =>
        GitRepositoryLocator.Open(Disk.Files, GitRepositoryLocator.Locate(Disk.Files, path, NoEnvironment)!, NoEnvironment, git ?? GitProcess.Default);

    [Fact]
    public void A_sha256_repository_is_opened_with_the_cli_and_reads_64_character_ids()
    {
        var work = _dir.Combine("sha256");
        Directory.CreateDirectory(work);
        GitCli.Run(work, "init", "-q", "--object-format=sha256");
        var first = GitCli.Commit(work, "one", SampleRepository.FirstDate, new Dictionary<string, string> { [".promote.yml"] = "version: 1\n" });
        var second = GitCli.Commit(work, "two");
        GitCli.Run(work, "tag", "-a", "v1", "-m", "tagged", first);

        using var repo = OpenWithLocator(work);

        Assert.Equal("git-cli", repo.Backend);
        Assert.Equal(ObjectFormat.Sha256, repo.ObjectFormat);
        Assert.Equal(64, second.Length);
        Assert.Equal(second, repo.ResolveCommit("HEAD"));
        Assert.Equal(first, repo.ResolveCommit("v1"));
        Assert.Equal(first, repo.ResolveCommit(first[..12]));
        Assert.Null(repo.ResolveCommit(new string('0', 64)));
        Assert.True(ObjectIds.IsZero(new string('0', 64)));
        Assert.Equal(DateTimeOffset.Parse(SampleRepository.FirstDate), repo.ReadCommit(first)?.CommitTime);
        Assert.Equal("version: 1\n", repo.ReadFileAt("v1", ".promote.yml"));
        var tag = repo.WriteTagObject(second, "promote-green-x", new Identity("A", "a@example.com"), DateTimeOffset.UnixEpoch, "m");
        Assert.Equal(64, tag.Length);
        Assert.Equal(second, repo.ReadTag(tag)?.Target);
    }

    [Fact]
    public void Libgit2_refuses_a_sha256_repository_which_is_why_the_locator_avoids_it()
    {
        var work = _dir.Combine("sha256-refused");
        Directory.CreateDirectory(work);
        GitCli.Run(work, "init", "-q", "--object-format=sha256");
        GitCli.Commit(work, "one");
        var location = GitRepositoryLocator.Locate(Disk.Files, work, NoEnvironment)!;

        Assert.ThrowsAny<Exception>(() => new LibGit2Repository(Disk.Files, location, GitProcess.Default).Dispose());
        Assert.Equal(GitBackend.Cli, GitRepositoryLocator.ChooseBackend(Disk.Files, location, NoEnvironment).Backend);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")] // as an older git, which lacks GIT_NO_LAZY_FETCH, would behave
    public void A_partial_clone_reads_commits_and_reports_missing_blobs_without_fetching_them(string? noLazyFetch)
    {
        var server = _dir.Combine("server");
        Directory.CreateDirectory(server);
        GitCli.Run(server, "init", "-q");
        var first = GitCli.Commit(server, "one", SampleRepository.FirstDate, new Dictionary<string, string> { ["big.txt"] = "first version\n" });
        var second = GitCli.Commit(server, "two", SampleRepository.SecondDate, new Dictionary<string, string> { ["big.txt"] = "second version\n" });
        GitCli.Run(server, "config", "uploadpack.allowFilter", "true");
        var clone = _dir.Combine("partial");
        GitCli.Run(_dir.Path, "clone", "-q", "--filter=blob:none", "--no-checkout", GitCli.FileUrl(server), clone);
        var blob = GitCli.Run(server, "rev-parse", "HEAD~1:big.txt");

        var git = noLazyFetch is null ? null : new GitProcess(new Dictionary<string, string?> { ["GIT_NO_LAZY_FETCH"] = noLazyFetch });
        using var repo = OpenWithLocator(clone, git);

        Assert.Equal("git-cli", repo.Backend);
        Assert.Equal(second, repo.ResolveCommit("origin/main"));
        Assert.Equal(DateTimeOffset.Parse(SampleRepository.FirstDate), repo.ReadCommit(first)?.CommitTime);
        Assert.Null(repo.ReadFileAt(first, "big.txt"));
        var answers = repo.ResolveCommits(["origin/main", "origin/main:big.txt", first]);
        Assert.Equal(second, answers["origin/main"]);
        Assert.Null(answers["origin/main:big.txt"]);
        Assert.Equal(first, answers[first]);
        // Still missing: nothing was fetched behind our back.
        var missing = GitCli.Run(clone, "rev-list", "--objects", "--missing=print", "origin/main");
        Assert.Contains("?" + blob, missing.Split('\n'));
    }

    [Fact]
    public void A_local_git_command_that_hangs_is_stopped_at_the_repository_timeout()
    {
        var work = _dir.Combine("hang");
        Directory.CreateDirectory(work);
        GitCli.Run(work, "init", "-q");
        var fake = Scripts.Write(_dir.Combine("hanging-git"), "sleep 30\n");
        using var repo = new CliGitRepository(Disk.Files, GitRepositoryLocator.Locate(Disk.Files, work, NoEnvironment)!, new GitProcess(executable: fake))
        {
            Timeout = TimeSpan.FromMilliseconds(500),
        };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => repo.ResolveCommit("HEAD"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_repository_with_precious_objects_is_opened_with_the_cli()
    {
        var work = _dir.Combine("precious");
        Directory.CreateDirectory(work);
        GitCli.Run(work, "init", "-q");
        var commit = GitCli.Commit(work, "one");
        GitCli.Run(work, "config", "core.repositoryformatversion", "1");
        GitCli.Run(work, "config", "extensions.preciousObjects", "true");

        using var repo = OpenWithLocator(work);

        Assert.Equal("git-cli", repo.Backend);
        Assert.Equal(commit, repo.ResolveCommit("main"));
        var tag = repo.WriteTagObject(commit, "t", new Identity("A", "a@example.com"), DateTimeOffset.UnixEpoch, "m");
        Assert.Equal(commit, repo.ReadTag(tag)?.Target);
    }

    [Fact]
    public void Inside_a_pre_receive_quarantine_the_cli_sees_the_pushed_objects_through_the_inherited_environment()
    {
        var server = _dir.Combine("server.git");
        GitCli.Run(_dir.Path, "init", "-q", "--bare", server);
        var copy = _dir.Combine("quarantine-copy");
        var hook = Path.Combine(server, "hooks", "pre-receive");
        Scripts.Write(hook, $"cp -r \"$GIT_QUARANTINE_PATH\" '{copy}'\nexit 1\n");
        var work = _dir.Combine("work");
        Directory.CreateDirectory(work);
        GitCli.Run(work, "init", "-q");
        var pushed = GitCli.Commit(work, "pushed", SampleRepository.SecondDate);
        var (code, _, _) = GitCli.TryRun(work, null, null, "push", "-q", server, "main");
        Assert.NotEqual(0, code);
        Assert.True(Directory.Exists(copy), "the hook ran and kept a copy of its quarantine");

        var quarantine = new Dictionary<string, string?>
        {
            ["GIT_QUARANTINE_PATH"] = copy,
            ["GIT_OBJECT_DIRECTORY"] = copy,
            ["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = Path.Combine(server, "objects"),
        };
        var location = GitRepositoryLocator.Locate(Disk.Files, server, NoEnvironment)!;
        Assert.Equal(GitBackend.Cli, GitRepositoryLocator.ChooseBackend(Disk.Files, location, new FakeEnvironment(quarantine)).Backend);

        using var inside = GitRepositoryLocator.Open(Disk.Files, location, new FakeEnvironment(quarantine), new GitProcess(quarantine));
        using var outside = new CliGitRepository(Disk.Files, location, GitProcess.Default);
        using var libgit2 = new LibGit2Repository(Disk.Files, location, GitProcess.Default);
        Assert.Equal(pushed, inside.ResolveCommit(pushed));
        Assert.Equal(DateTimeOffset.Parse(SampleRepository.SecondDate), inside.ReadCommit(pushed)?.CommitTime);
        Assert.Null(outside.ResolveCommit(pushed));
        Assert.Null(libgit2.ResolveCommit(pushed));
    }
}

/// <summary>Git evidence in SHA-256 repositories: 64-character ids in ref names, tags and bypass records.</summary>
public sealed class Sha256GitEvidenceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Green_and_bypass_records_work_with_sha256_ids()
    {
        var server = _dir.Combine("server.git");
        GitCli.Run(_dir.Path, "init", "-q", "--bare", "--object-format=sha256", server);
        var work = _dir.Combine("work");
        Directory.CreateDirectory(work);
        GitCli.Run(work, "init", "-q", "--object-format=sha256");
        var commit = GitCli.Commit(work, "one");
        GitCli.Run(work, "remote", "add", "dev", GitCli.FileUrl(server));
        using var repo = GitRepositoryLocator.Open(Disk.Files, GitRepositoryLocator.Locate(Disk.Files, work, FakeEnvironment.Empty)!, FakeEnvironment.Empty,
            GitProcess.Default);
        var provider = new Evidence.GitEvidenceProvider(repo, new GitRemoteClient(repo.GitDir, GitProcess.Default));
        var env = new Core.Policy.EnvironmentPolicy("dev", 0, ["dev"], null, [new Core.Policy.GitEvidence()], Core.Policy.RequireMode.Any);
        var record = new BypassRecord("dev", commit, "refs/heads/main", "INC-9: sha256 emergency", new Identity("A", "a@example.com"),
            DateTimeOffset.UnixEpoch);

        await provider.OpenStore(env).RecordGreenAsync(commit, new Identity("A", "a@example.com"), DateTimeOffset.UnixEpoch, CancellationToken.None);
        await provider.OpenStore(env).RecordBypassAsync(record, CancellationToken.None);

        Assert.Equal(64, commit.Length);
        var green = await provider.OpenReader(env, new Core.Policy.GitEvidence()).FindGreenAsync([commit], CancellationToken.None);
        Assert.Equal(commit, Assert.Single(green).Commit);
        Assert.Equal([record], (await provider.OpenStore(env).ListBypassesAsync(CancellationToken.None)).Select(b => b with { Id = null }));
    }
}
