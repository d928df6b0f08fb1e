using GitPromote.Core.Evidence;

namespace GitPromote.Git.Evidence;

/// <summary>
/// A repository told where some environments' repositories are (a pipeline's <c>--remote env=url</c> or
/// <c>PROMOTE_REMOTE_ENV</c>): every read and write of those environments' git records goes there, whatever the clone's
/// remotes and config say, and says which flag or variable chose it. Everything else is the inner repository's.
/// </summary>
public sealed class EnvironmentRemoteOverrides(IGitRepository inner, IReadOnlyDictionary<string, GivenRemote> remotes) : IGitRepository
{
    public GivenRemote? GivenRemoteFor(string environment) => remotes.GetValueOrDefault(environment);

    public string Backend => inner.Backend;
    public string GitDir => inner.GitDir;
    public string? WorkTree => inner.WorkTree;
    public ObjectFormat ObjectFormat => inner.ObjectFormat;
    public bool IsShallow => inner.IsShallow;
    public IReadOnlyList<GitRemote> Remotes => inner.Remotes;
    public IReadOnlyList<string> ConfigValues(string key) => inner.ConfigValues(key);
    public string? ConfigValue(string key) => inner.ConfigValue(key);
    public string? ResolveCommit(string revision) => inner.ResolveCommit(revision);
    public IReadOnlyDictionary<string, string?> ResolveCommits(IReadOnlyCollection<string> revisions) => inner.ResolveCommits(revisions);
    public bool? IsAncestor(string ancestor, string descendant) => inner.IsAncestor(ancestor, descendant);
    public string? ReadFileAt(string revision, string path, long maxBytes = TreeFiles.DefaultMaxBytes) => inner.ReadFileAt(revision, path, maxBytes);
    public string WriteTagObject(string target, string tagName, Identity tagger, DateTimeOffset when, string message) =>
        inner.WriteTagObject(target, tagName, tagger, when, message);
    public CommitInfo? ReadCommit(string commit) => inner.ReadCommit(commit);
    public IReadOnlyDictionary<string, CommitInfo?> ReadCommits(IReadOnlyCollection<string> commits) => inner.ReadCommits(commits);
    public TagInfo? ReadTag(string tagId) => inner.ReadTag(tagId);
    public IReadOnlyList<RefRecord> ListRefs(string prefix) => inner.ListRefs(prefix);
    public IReadOnlyList<RefRecord> ListRefs(IReadOnlyList<string> prefixes) => inner.ListRefs(prefixes);

    /// <summary>The inner repository is the workspace's: it disposes it.</summary>
    public void Dispose() { }
}
