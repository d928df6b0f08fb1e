using GitPromote.Core.Evidence;
using GitPromote.Git.Tests.Support;
using GitPromote.Platform;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests;

/// <summary>
/// The one contract every <see cref="IGitRepository"/> keeps, run against both backends (see the derived classes at the
/// bottom). Repositories are real, made with the git CLI.
/// </summary>
public abstract class RepositoryContractTests(SampleRepository sample) : IDisposable
{
    private readonly List<IDisposable> _opened = [];

    protected abstract string ExpectedBackend { get; }

    protected abstract IGitRepository OpenBackend(GitLocation location);

    protected IGitRepository Open(string path)
    {
        var location = GitRepositoryLocator.Locate(Disk.Files, path, FakeEnvironment.Empty) ?? throw new InvalidOperationException("no repository at " + path);
        var repo = OpenBackend(location);
        _opened.Add(repo);
        return repo;
    }

    public void Dispose()
    {
        foreach (var d in _opened) d.Dispose();
    }

    private string Expected(string symbol) => symbol switch
    {
        "first" => sample.First,
        "second" => sample.Second,
        _ => throw new ArgumentOutOfRangeException(nameof(symbol)),
    };

    private string Revision(string spec) => spec switch
    {
        "full:first" => sample.First,
        "full:second" => sample.Second,
        "abbrev:first" => sample.First[..7],
        "abbrev:second" => sample.Second[..10],
        "upper:first" => sample.First.ToUpperInvariant(),
        "tagobject" => sample.AnnotatedTagId,
        _ => spec,
    };

    [Fact]
    public void Reports_its_backend_and_paths()
    {
        using var repo = Open(sample.Work);
        Assert.Equal(ExpectedBackend, repo.Backend);
        Assert.Equal(Path.Combine(sample.Work, ".git"), repo.GitDir);
        Assert.Equal(sample.Work, repo.WorkTree);
        Assert.Equal(ObjectFormat.Sha1, repo.ObjectFormat);
        Assert.False(repo.IsShallow);
    }

    [Theory]
    [InlineData("main", "second")]
    [InlineData("HEAD", "second")]
    [InlineData("HEAD~1", "first")]
    [InlineData("feature", "first")]
    [InlineData("refs/heads/feature", "first")]
    [InlineData("v1", "first")]
    [InlineData("v2", "second")]
    [InlineData("refs/tags/v2", "second")]
    [InlineData("tagobject", "second")]
    [InlineData("full:first", "first")]
    [InlineData("full:second", "second")]
    [InlineData("abbrev:first", "first")]
    [InlineData("abbrev:second", "second")]
    public void Resolves_branches_tags_and_ids_to_commits(string revision, string expected)
    {
        var repo = Open(sample.Work);
        Assert.Equal(Expected(expected), repo.ResolveCommit(Revision(revision)));
    }

    [Fact]
    public void An_annotated_tag_is_peeled_to_its_commit_not_the_tag_object()
    {
        var repo = Open(sample.Work);
        var resolved = repo.ResolveCommit("v2");
        Assert.NotEqual(sample.AnnotatedTagId, resolved);
        Assert.Equal(sample.Second, resolved);
    }

    [Theory]
    [InlineData("no-such-branch")]
    [InlineData("0000000000000000000000000000000000000000")]
    [InlineData("1234567890123456789012345678901234567890")]
    [InlineData("HEAD:README.md")]
    [InlineData("HEAD~5")]
    [InlineData("")]
    [InlineData("main\nHEAD")]
    [InlineData("v2^{tree}")]
    [InlineData("--all")]
    public void A_missing_or_non_commit_revision_resolves_to_null(string revision)
    {
        var repo = Open(sample.Work);
        Assert.Null(repo.ResolveCommit(revision));
    }

    [Fact]
    public void ResolveCommits_answers_every_revision_including_missing_and_duplicates()
    {
        var repo = Open(sample.Work);
        var asked = new[] { "main", "nope", "v1", "main", sample.First[..8], "HEAD:README.md" };
        var answers = repo.ResolveCommits(asked);
        Assert.Equal(5, answers.Count);
        Assert.Equal(sample.Second, answers["main"]);
        Assert.Null(answers["nope"]);
        Assert.Equal(sample.First, answers["v1"]);
        Assert.Equal(sample.First, answers[sample.First[..8]]);
        Assert.Null(answers["HEAD:README.md"]);
    }

    [Fact]
    public void ResolveCommits_handles_a_thousand_revisions()
    {
        var repo = Open(sample.Work);
        var asked = Enumerable.Range(0, 1000).Select(i => i % 3 == 0 ? $"missing-{i}" : i % 3 == 1 ? "v1" : $"main~{i % 2}").ToList();
        var answers = repo.ResolveCommits(asked);
        Assert.Equal(asked.Distinct().Count(), answers.Count);
        Assert.All(asked, r => Assert.Equal(r.StartsWith("missing", StringComparison.Ordinal) ? null : r == "main~0" ? sample.Second : sample.First,
            answers[r]));
    }

    [Fact]
    public void Commit_time_is_the_committer_time_with_its_offset()
    {
        var repo = Open(sample.Work);
        var first = repo.ReadCommit(sample.First)?.CommitTime;
        var second = repo.ReadCommit(sample.Second)?.CommitTime;
        Assert.Equal(DateTimeOffset.Parse(SampleRepository.FirstDate), first);
        Assert.Equal(TimeSpan.FromHours(2), first!.Value.Offset);
        Assert.Equal(DateTimeOffset.Parse(SampleRepository.SecondDate), second);
        Assert.Equal(-new TimeSpan(7, 30, 0), second!.Value.Offset);
    }

    [Fact]
    public void Commit_subject_is_the_first_paragraph_on_one_line()
    {
        var repo = Open(sample.Work);
        Assert.Equal("First commit", repo.ReadCommit(sample.First)?.Subject);
        Assert.Equal("Second commit still the subject", repo.ReadCommit(sample.Second)?.Subject);
    }

    [Fact]
    public void ReadCommit_gives_committer_time_and_subject_and_peels_tags()
    {
        var repo = Open(sample.Work);
        var info = repo.ReadCommit(sample.AnnotatedTagId);
        Assert.NotNull(info);
        Assert.Equal(sample.Second, info.Id);
        Assert.Equal(new Identity("Test User", "test@example.com"), info.Committer);
        Assert.Equal("Second commit still the subject", info.Subject);
    }

    [Fact]
    public void ReadCommits_reads_many_commits_and_maps_missing_ones_to_null()
    {
        var repo = Open(sample.Work);
        var commits = repo.ReadCommits([sample.First, sample.Second, "v2", "nope", sample.First]);
        Assert.Equal(4, commits.Count);
        Assert.Equal(DateTimeOffset.Parse(SampleRepository.FirstDate), commits[sample.First]?.CommitTime);
        Assert.Equal("Second commit still the subject", commits[sample.Second]?.Subject);
        Assert.Equal(sample.Second, commits["v2"]?.Id);
        Assert.Null(commits["nope"]);
    }

    [Theory]
    [InlineData("1234567890123456789012345678901234567890")]
    [InlineData("nope")]
    public void A_missing_commit_reads_as_null(string commit)
    {
        var repo = Open(sample.Work);
        Assert.Null(repo.ReadCommit(commit));
    }

    [Theory]
    [InlineData("promote.remote.dev", "https://example.com/dev.git")]
    [InlineData("PROMOTE.remote.DEV", "https://example.com/dev.git")]
    [InlineData("promote.Remote.dev", null)]
    [InlineData("test.CaseSub.value", "hello")]
    [InlineData("test.casesub.value", null)]
    [InlineData("user.email", "test@example.com")]
    [InlineData("remote.prd.pushurl", "ssh://git@example.com/prd.git")]
    [InlineData("promote.remote.stg", null)]
    [InlineData("nodots", null)]
    public void Config_values_are_read_across_levels_with_git_key_rules(string key, string? expected)
    {
        var repo = Open(sample.Work);
        Assert.Equal(expected, repo.ConfigValue(key));
    }

    [Fact]
    public void Remotes_have_names_urls_push_urls_and_insteadOf_applied()
    {
        var repo = Open(sample.Work);
        var remotes = repo.Remotes.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(
        [
            new GitRemote("gh", "https://github.com/org/repo.git", "https://github.com/org/repo.git"),
            new GitRemote("origin", "https://example.com/origin.git", "https://example.com/origin.git"),
            new GitRemote("prd", "https://example.com/prd.git", "ssh://git@example.com/prd.git"),
        ], remotes);
    }

    [Theory]
    [InlineData("main", ".promote.yml", SampleRepository.PolicyText)]
    [InlineData("v2", "/.promote.yml", SampleRepository.PolicyText)]
    [InlineData("main", "./dir/with space.txt", "spaced out\n")]
    [InlineData("feature", "README.md", "one\n")]
    [InlineData("feature", ".promote.yml", null)]
    [InlineData("main", "dir", null)]
    [InlineData("main", "no/such/file", null)]
    [InlineData("no-such-rev", ".promote.yml", null)]
    public void ReadFileAt_returns_the_text_at_a_revision_or_null(string revision, string path, string? expected)
    {
        var repo = Open(sample.Work);
        Assert.Equal(expected, repo.ReadFileAt(revision, path));
    }

    [Fact]
    public void ReadFileAt_refuses_a_symlink_blob_and_a_blob_over_the_limit_unread()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gp-tree-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            GitCli.Run(Path.GetTempPath(), "init", "-q", dir);
            File.CreateSymbolicLink(Path.Combine(dir, "link.yml"), "/dev/zero");
            File.WriteAllText(Path.Combine(dir, "big.yml"), new string('#', 2000));
            File.WriteAllText(Path.Combine(dir, "small.yml"), "version: 1\n");
            GitCli.Commit(dir, "files");
            var repo = Open(dir);

            var link = Assert.Throws<FileRefusedException>(() => repo.ReadFileAt("HEAD", "link.yml"));
            var big = Assert.Throws<FileRefusedException>(() => repo.ReadFileAt("HEAD", "big.yml", maxBytes: 1000));

            Assert.Equal("HEAD:link.yml is a symbolic link, not a regular file", link.Message);
            Assert.True(big.TooLarge);
            Assert.Equal("version: 1\n", repo.ReadFileAt("HEAD", "small.yml", maxBytes: 1000));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WriteTagObject_writes_exactly_the_tag_git_would_and_reads_back()
    {
        var repo = Open(sample.Work);
        var when = new DateTimeOffset(2022, 3, 4, 5, 6, 7, TimeSpan.FromMinutes(330));
        var id = repo.WriteTagObject(sample.Second, "promote-green-test", new Identity("Ann <Admin>", "ann@example.com"), when, "{\"a\":1}");

        Assert.Equal(
            $"object {sample.Second}\ntype commit\ntag promote-green-test\ntagger Ann Admin <ann@example.com> {when.ToUnixTimeSeconds()} " +
                $"+0530\n\n{{\"a\":1}}\n",
            GitCli.Run(sample.Work, "cat-file", "tag", id) + "\n");
        var tag = repo.ReadTag(id);
        Assert.NotNull(tag);
        Assert.Equal(new TagInfo(id, sample.Second, "commit", "promote-green-test", new Identity("Ann Admin", "ann@example.com"), when, "{\"a\":1}\n"), tag);
        Assert.Equal(when.Offset, tag.When!.Value.Offset);
    }

    [Fact]
    public void WriteTagObject_refuses_a_missing_target()
    {
        var repo = Open(sample.Work);
        Assert.Throws<GitCommandException>(() =>
            repo.WriteTagObject("1234567890123456789012345678901234567890", "t", new Identity("a", "b"), DateTimeOffset.UnixEpoch, "m"));
    }

    [Fact]
    public void ReadTag_of_a_commit_or_missing_id_is_null()
    {
        var repo = Open(sample.Work);
        Assert.Null(repo.ReadTag(sample.First));
        Assert.Null(repo.ReadTag("1234567890123456789012345678901234567890"));
    }

    [Fact]
    public void ListRefs_lists_a_namespace_with_tags_read_and_commits_peeled()
    {
        var repo = Open(sample.Work);
        var ns = $"refs/promote/test-{ExpectedBackend}/";
        var when = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var tagId = repo.WriteTagObject(sample.First, "promote-green-x", new Identity("Bob", "bob@example.com"), when, "body\nline two");
        GitCli.Run(sample.Work, "update-ref", ns + "b-tag", tagId);
        GitCli.Run(sample.Work, "update-ref", ns + "a-plain", sample.Second);
        GitCli.Run(sample.Work, "update-ref", "refs/promote/test-other/zz", sample.Second);

        var refs = repo.ListRefs(ns);

        Assert.Equal(2, refs.Count);
        Assert.Equal(new RefRecord(ns + "a-plain", sample.Second, sample.Second, null), refs[0]);
        Assert.Equal(ns + "b-tag", refs[1].Name);
        Assert.Equal(tagId, refs[1].Id);
        Assert.Equal(sample.First, refs[1].Commit);
        Assert.Equal(new TagInfo(tagId, sample.First, "commit", "promote-green-x", new Identity("Bob", "bob@example.com"), when, "body\nline two\n"),
            refs[1].Tag);
        Assert.Empty(repo.ListRefs("refs/promote/none-here/"));
    }

    [Fact]
    public void A_bare_repository_has_no_work_tree_and_reads_the_same()
    {
        var repo = Open(sample.Bare);
        Assert.Null(repo.WorkTree);
        Assert.Equal(sample.Bare, repo.GitDir);
        Assert.Equal(sample.Second, repo.ResolveCommit("main"));
        Assert.Equal(sample.Second, repo.ResolveCommit("v2"));
        Assert.Equal(SampleRepository.PolicyText, repo.ReadFileAt("main", ".promote.yml"));
        Assert.Equal(DateTimeOffset.Parse(SampleRepository.FirstDate), repo.ReadCommit(sample.First)?.CommitTime);
    }

    [Fact]
    public void A_shallow_clone_reads_what_it_has_and_reports_the_rest_missing()
    {
        using var dir = new TempDirectory();
        var clone = dir.Combine("shallow");
        GitCli.Run(dir.Path, "clone", "-q", "--depth", "1", "--no-local", GitCli.FileUrl(sample.Work), clone);
        var repo = Open(clone);
        Assert.True(repo.IsShallow);
        Assert.Equal(sample.Second, repo.ResolveCommit("HEAD"));
        Assert.Equal(DateTimeOffset.Parse(SampleRepository.SecondDate), repo.ReadCommit(sample.Second)?.CommitTime);
        Assert.Null(repo.ResolveCommit(sample.First));
        Assert.Null(repo.ReadCommit(sample.First)?.CommitTime);
        Assert.Null(repo.ResolveCommit("HEAD~1"));
        Assert.Null(repo.IsAncestor(sample.First, sample.Second));
    }

    [Fact]
    public void IsAncestor_tells_a_rewind_from_a_fast_forward_and_admits_what_it_cannot_know()
    {
        var repo = Open(sample.Work);

        Assert.True(repo.IsAncestor(sample.First, sample.Second));
        Assert.True(repo.IsAncestor(sample.Second, sample.Second));
        Assert.False(repo.IsAncestor(sample.Second, sample.First));
        Assert.True(repo.IsAncestor(sample.AnnotatedTagId, sample.Second));
        Assert.Null(repo.IsAncestor(new string('e', sample.First.Length), sample.Second));
    }
}

public sealed class LibGit2RepositoryContractTests(SampleRepository sample) : RepositoryContractTests(sample), IClassFixture<SampleRepository>
{
    protected override string ExpectedBackend => "libgit2";
    protected override IGitRepository OpenBackend(GitLocation location) => new LibGit2Repository(Disk.Files, location, GitProcess.Default);
}

public sealed class CliGitRepositoryContractTests(SampleRepository sample) : RepositoryContractTests(sample), IClassFixture<SampleRepository>
{
    protected override string ExpectedBackend => "git-cli";
    protected override IGitRepository OpenBackend(GitLocation location) => new CliGitRepository(Disk.Files, location, GitProcess.Default);
}

/// <summary>The contract holds for a repository still opening in the background (a guarded push's read ahead).</summary>
public sealed class OpeningRepositoryContractTests(SampleRepository sample) : RepositoryContractTests(sample), IClassFixture<SampleRepository>
{
    protected override string ExpectedBackend => "libgit2";
    protected override IGitRepository OpenBackend(GitLocation location) =>
        new OpeningRepository(location, GitConfig.Read(Disk.Files, location.GitDir, GitProcess.Default, TimeSpan.FromSeconds(30)),
            () => new LibGit2Repository(Disk.Files, location, GitProcess.Default));
}
