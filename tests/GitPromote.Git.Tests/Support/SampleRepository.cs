using GitPromote.TestSupport;

namespace GitPromote.Git.Tests.Support;

/// <summary>
/// A small repository every backend must read the same way: two commits (with committer offsets), a branch, a lightweight
/// and an annotated tag, files (one with a space in its path), config values, remotes with pushurl and insteadOf, and a
/// bare clone of it all. Built once per test class with the git CLI.
/// </summary>
public sealed class SampleRepository : IDisposable
{
    public const string FirstDate = "2020-01-02T03:04:05+02:00";
    public const string SecondDate = "2021-06-01T12:00:00-07:30";
    public const string PolicyText = "version: 1\nenvironments: []\n";

    private readonly TempDirectory _dir = new();

    public SampleRepository()
    {
        Work = _dir.Combine("work");
        Directory.CreateDirectory(Work);
        GitCli.Run(Work, "init", "-q");
        First = GitCli.Commit(Work, "First commit", FirstDate, new Dictionary<string, string> { ["README.md"] = "one\n" });
        GitCli.Run(Work, "tag", "v1");
        GitCli.Run(Work, "branch", "feature");
        Second = GitCli.Commit(Work, "Second commit\nstill the subject\n\nThe body.", SecondDate, new Dictionary<string, string>
        {
            [".promote.yml"] = PolicyText,
            ["dir/with space.txt"] = "spaced out\n",
        });
        GitCli.Run(Work, "tag", "-a", "v2", "-m", "release two");
        AnnotatedTagId = GitCli.Run(Work, "rev-parse", "v2");
        GitCli.Run(Work, "config", "promote.remote.dev", "https://example.com/dev.git");
        GitCli.Run(Work, "config", "test.CaseSub.value", "hello");
        GitCli.Run(Work, "remote", "add", "origin", "https://example.com/origin.git");
        GitCli.Run(Work, "remote", "add", "prd", "https://example.com/prd.git");
        GitCli.Run(Work, "config", "remote.prd.pushurl", "ssh://git@example.com/prd.git");
        GitCli.Run(Work, "config", "url.https://github.com/.insteadOf", "gh:");
        GitCli.Run(Work, "remote", "add", "gh", "gh:org/repo.git");
        Bare = _dir.Combine("bare.git");
        GitCli.Run(_dir.Path, "clone", "-q", "--bare", Work, Bare);
    }

    public string Work { get; }
    public string Bare { get; }
    public string First { get; }
    public string Second { get; }
    public string AnnotatedTagId { get; }

    public void Dispose() => _dir.Dispose();
}
