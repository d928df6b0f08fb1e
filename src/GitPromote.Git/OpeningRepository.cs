using GitPromote.Core.Evidence;

namespace GitPromote.Git;

/// <summary>
/// A repository being opened on a thread of its own (loading libgit2 and OpenSSL takes a guarded push 2-3 ms) while the
/// caller goes on: what the configuration answers (git directory, remotes, config values) is served at once, the rest
/// waits for the open. Calls into the opened repository are made one at a time, since libgit2 does not allow one
/// repository to be used from several threads at once.
/// </summary>
public sealed class OpeningRepository : IGitRepository
{
    private readonly GitLocation _location;
    private readonly GitConfig _config;
    private readonly Task<IGitRepository> _opening;
    private readonly object _gate = new();

    public OpeningRepository(GitLocation location, GitConfig config, Func<IGitRepository> open)
    {
        (_location, _config) = (location, config);
        // A thread of its own: callers block on the result, and the thread pool's threads may all be those callers.
        _opening = Task.Factory.StartNew(open, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private T Use<T>(Func<IGitRepository, T> call)
    {
        var inner = _opening.GetAwaiter().GetResult();
        lock (_gate) return call(inner);
    }

    public string Backend => Use(r => r.Backend);
    public string GitDir => _location.GitDir;
    public string? WorkTree => _location.WorkTree;
    public ObjectFormat ObjectFormat => Use(r => r.ObjectFormat);
    public bool IsShallow => Use(r => r.IsShallow);
    public IReadOnlyList<GitRemote> Remotes => _config.Remotes();
    public IReadOnlyList<string> ConfigValues(string key) => _config.All(key);
    public string? ConfigValue(string key) => _config.Get(key);
    public string? ResolveCommit(string revision) => Use(r => r.ResolveCommit(revision));
    public IReadOnlyDictionary<string, string?> ResolveCommits(IReadOnlyCollection<string> revisions) => Use(r => r.ResolveCommits(revisions));
    public bool? IsAncestor(string ancestor, string descendant) => Use(r => r.IsAncestor(ancestor, descendant));
    public string? ReadFileAt(string revision, string path, long maxBytes = TreeFiles.DefaultMaxBytes) => Use(r => r.ReadFileAt(revision, path, maxBytes));
    public string WriteTagObject(string target, string tagName, Identity tagger, DateTimeOffset when, string message) =>
        Use(r => r.WriteTagObject(target, tagName, tagger, when, message));
    public CommitInfo? ReadCommit(string commit) => Use(r => r.ReadCommit(commit));
    public IReadOnlyDictionary<string, CommitInfo?> ReadCommits(IReadOnlyCollection<string> commits) => Use(r => r.ReadCommits(commits));
    public TagInfo? ReadTag(string tagId) => Use(r => r.ReadTag(tagId));
    public IReadOnlyList<RefRecord> ListRefs(string prefix) => Use(r => r.ListRefs(prefix));
    public IReadOnlyList<RefRecord> ListRefs(IReadOnlyList<string> prefixes) => Use(r => r.ListRefs(prefixes));

    public void Dispose()
    {
        // An open that failed has nothing to close (the failure surfaced at the first call that needed the repository).
        try { _opening.Wait(); }
        catch (AggregateException) { return; }
        lock (_gate) _opening.Result.Dispose();
    }
}
