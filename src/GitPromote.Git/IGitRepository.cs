using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Git;

public enum ObjectFormat { Sha1, Sha256 }

public sealed record GitRemote(string Name, string Url, string PushUrl);

/// <summary>A ref as <c>git ls-remote</c> lists it. <see cref="Peeled"/> is the commit an annotated tag points at, when the remote said.</summary>
public sealed record RemoteRef(string Name, string Id, string? Peeled = null);

/// <summary>
/// The local repository, as much as git-promote needs of it. Two implementations share one contract test
/// suite: LibGit2Sharp (fast, in process) and the git CLI (for what libgit2 refuses: partial clones,
/// <c>extensions.preciousObjects</c>, SHA-256 repositories, pre-receive quarantine). Peeling and ancestry
/// (<see cref="ICommitGraph"/>) are what the engine's push step asks of it.
/// </summary>
public interface IGitRepository : ICommitGraph, IDisposable
{
    /// <summary>"libgit2" or "git-cli": shown by <c>doctor</c> and <c>--verbose</c>.</summary>
    string Backend { get; }

    /// <summary>Absolute path of the git directory (<c>.git</c>, or the bare repository).</summary>
    string GitDir { get; }

    /// <summary>Absolute path of the work tree; null for a bare repository.</summary>
    string? WorkTree { get; }

    ObjectFormat ObjectFormat { get; }

    bool IsShallow { get; }

    /// <summary>Resolves a revision (name, abbreviated or full id) and peels it to a commit; null when there is none.</summary>
    string? ResolveCommit(string revision);

    /// <summary>The effective value of a config key (all levels), or null.</summary>
    string? ConfigValue(string key);

    /// <summary>Every value of a multi-valued config key, from every level, lowest precedence first.</summary>
    IReadOnlyList<string> ConfigValues(string key);

    IReadOnlyList<GitRemote> Remotes { get; }

    /// <summary>
    /// The text of <paramref name="path"/> in the tree of <paramref name="revision"/>; null if either is missing. Only a
    /// regular file of at most <paramref name="maxBytes"/> is read: anything else throws <see cref="Platform.FileRefusedException"/>.
    /// </summary>
    string? ReadFileAt(string revision, string path, long maxBytes = TreeFiles.DefaultMaxBytes);

    /// <summary>
    /// Writes an annotated tag object (no ref) pointing at <paramref name="target"/> and returns its id. Used for
    /// green and bypass records: the tagger line keeps who and when, the message keeps the details.
    /// </summary>
    string WriteTagObject(string target, string tagName, Identity tagger, DateTimeOffset when, string message);

    /// <summary>Committer, committer time and subject of a commit (or of what a tag id peels to); null when the object is not here.</summary>
    CommitInfo? ReadCommit(string commit);

    /// <summary>Many commits at once (one process for the CLI backend), e.g. for <c>status</c>; missing ones map to null.</summary>
    IReadOnlyDictionary<string, CommitInfo?> ReadCommits(IReadOnlyCollection<string> commits);

    /// <summary>An annotated tag object by id; null when it is missing or not a tag.</summary>
    TagInfo? ReadTag(string tagId);

    /// <summary>
    /// Local refs whose names start with <paramref name="prefix"/> (which ends with '/'), sorted by name, with annotated
    /// tags read (tagger, date, message). One process for the CLI backend.
    /// </summary>
    IReadOnlyList<RefRecord> ListRefs(string prefix);

    /// <summary>
    /// As <see cref="ListRefs(string)"/> for several prefixes at once (one process for the CLI backend); a prefix may be a
    /// whole ref name. Lets a reader ask for a few exact records without listing a namespace that grows with history.
    /// </summary>
    IReadOnlyList<RefRecord> ListRefs(IReadOnlyList<string> prefixes);

    /// <summary>
    /// Where this run was told an environment's repository is (a pipeline's <c>--remote env=url</c> or
    /// <c>PROMOTE_REMOTE_ENV</c>), before anything the repository's own config says; null when it was not.
    /// </summary>
    GivenRemote? GivenRemoteFor(string environment) => null;
}

/// <summary>An environment's repository as a run was given it: a URL, a path or a remote of this clone, and by what (the flag or variable).</summary>
public sealed record GivenRemote(string Url, string From);
