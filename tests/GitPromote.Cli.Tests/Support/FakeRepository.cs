using GitPromote.Core.Evidence;
using GitPromote.Git;

namespace GitPromote.Cli.Tests.Support;

/// <summary>A repository in memory: branches, and the files committed on them. Whatever a test does not set up is refused loudly.</summary>
internal sealed class FakeRepository(string gitDir = "/srv/git/orders.git") : IGitRepository
{
    private readonly Dictionary<string, string> _branches = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Commit, string Path), string> _files = [];
    private readonly Dictionary<string, string> _commits = new(StringComparer.Ordinal);

    /// <summary>Every revision <see cref="ReadFileAt"/> was asked about, in order.</summary>
    public List<string> FilesReadAt { get; } = [];

    public FakeRepository Branch(string refName, string commit, params (string Path, string Text)[] files)
    {
        _branches[refName] = commit;
        foreach (var (path, text) in files) _files[(commit, path)] = text;
        return this;
    }

    /// <summary>
    /// A commit this repository has, with its subject. Until a test names one, resolving and reading commits is refused (a
    /// test that expects no commit to be read fails when one is).
    /// </summary>
    public FakeRepository Commit(string commit, string subject)
    {
        _commits[commit] = subject;
        return this;
    }

    public string Backend => "fake";
    public string GitDir => gitDir;
    public string? WorkTree => null;
    public ObjectFormat ObjectFormat => ObjectFormat.Sha1;
    public bool IsShallow => false;

    public string? ResolveCommit(string revision) =>
        _branches.TryGetValue(revision, out var commit) ? commit : _branches.ContainsValue(revision) || _commits.ContainsKey(revision) ? revision : null;

    public string? ReadFileAt(string revision, string path, long maxBytes = TreeFiles.DefaultMaxBytes)
    {
        FilesReadAt.Add(revision);
        return ResolveCommit(revision) is { } commit ? _files.GetValueOrDefault((commit, path)) : null;
    }

    public IReadOnlyDictionary<string, string?> ResolveCommits(IReadOnlyCollection<string> revisions) => _commits.Count == 0
        ? throw new NotSupportedException()
        : revisions.Distinct(StringComparer.Ordinal).ToDictionary(r => r, ResolveCommit, StringComparer.Ordinal);
    public bool? IsAncestor(string ancestor, string descendant) => throw new NotSupportedException();
    /// <summary>The repository's git config (all levels as one), when the test gives one; null: reading config is refused.</summary>
    public Dictionary<string, string>? Config { get; set; }

    public string? ConfigValue(string key) => Config is null ? throw new NotSupportedException() : Config.GetValueOrDefault(key);
    public IReadOnlyList<string> ConfigValues(string key) => ConfigValue(key) is { } value ? [value] : [];
    public IReadOnlyList<GitRemote> Remotes { get; set; } = [];
    public string WriteTagObject(string target, string tagName, Identity tagger, DateTimeOffset when, string message) => throw new NotSupportedException();
    public CommitInfo? ReadCommit(string commit) => throw new NotSupportedException();
    public IReadOnlyDictionary<string, CommitInfo?> ReadCommits(IReadOnlyCollection<string> commits) => _commits.Count == 0
        ? throw new NotSupportedException()
        : commits.Distinct(StringComparer.Ordinal).ToDictionary(c => c,
            c => _commits.TryGetValue(c, out var subject) ? new CommitInfo(c, Identity.Unknown, CommittedAt, subject) : null, StringComparer.Ordinal);

    /// <summary>When every commit here was made.</summary>
    public static readonly DateTimeOffset CommittedAt = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    public TagInfo? ReadTag(string tagId) => throw new NotSupportedException();
    public IReadOnlyList<RefRecord> ListRefs(string prefix) => throw new NotSupportedException();
    public IReadOnlyList<RefRecord> ListRefs(IReadOnlyList<string> prefixes) => throw new NotSupportedException();
    public void Dispose() { }
}
