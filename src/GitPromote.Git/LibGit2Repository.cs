using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Platform;
using LibGit2Sharp;
using Identity = GitPromote.Core.Evidence.Identity;

namespace GitPromote.Git;

/// <summary>
/// <see cref="IGitRepository"/> in process, over LibGit2Sharp: no process per object question. Opened only for
/// repositories libgit2 can read (see <see cref="GitRepositoryLocator.ChooseBackend"/>).
/// Native AOT: LibGit2Sharp calls that hand strings back through a <c>git_buf</c> come back empty there (config search
/// paths, so the global config is never read; message prettifying, so tag messages vanish), and <c>Repository.Discover</c>
/// returns null. So: the locator finds the git directory, config and remotes come from one <c>git config --list</c>
/// (as in the CLI backend), and tags are written as raw objects we format ourselves.
/// </summary>
public sealed class LibGit2Repository : IGitRepository
{
    private readonly Repository _repo;
    private readonly GitProcess _git;
    private readonly IFileSystem _files;
    private GitConfig? _config;

    public LibGit2Repository(IFileSystem files, GitLocation location, GitProcess git, GitConfig? config = null)
    {
        _config = config;
        _repo = new Repository(location.GitDir);
        _git = git;
        _files = files;
        GitDir = location.GitDir;
        WorkTree = location.WorkTree;
    }

    public string Backend => "libgit2";
    public string GitDir { get; }
    public string? WorkTree { get; }
    public ObjectFormat ObjectFormat => ObjectFormat.Sha1;
    public bool IsShallow => _repo.Info.IsShallow;

    public string? ResolveCommit(string revision) => PeelToCommit(revision)?.Sha;

    public IReadOnlyDictionary<string, string?> ResolveCommits(IReadOnlyCollection<string> revisions)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var r in revisions) result.TryAdd(r, null);
        foreach (var r in result.Keys.ToList()) result[r] = ResolveCommit(r);
        return result;
    }

    public bool? IsAncestor(string ancestor, string descendant)
    {
        var a = PeelToCommit(ancestor);
        var d = PeelToCommit(descendant);
        if (a is null || d is null || _repo.Info.IsShallow) return null;
        if (a.Sha == d.Sha) return true;
        try
        {
            return _repo.ObjectDatabase.FindMergeBase(a, d)?.Sha == a.Sha;
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    public CommitInfo? ReadCommit(string commit)
    {
        var c = PeelToCommit(commit);
        if (c is null) return null;
        try
        {
            var who = c.Committer;
            return new CommitInfo(c.Sha, new Identity(who.Name, who.Email), who.When, GitObjectText.Summary(c.Message ?? ""));
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    public IReadOnlyDictionary<string, CommitInfo?> ReadCommits(IReadOnlyCollection<string> commits)
    {
        var result = new Dictionary<string, CommitInfo?>(StringComparer.Ordinal);
        foreach (var c in commits) result.TryAdd(c, null);
        foreach (var c in result.Keys.ToList()) result[c] = ReadCommit(c);
        return result;
    }

    public string? ConfigValue(string key) => Config.Get(key);

    public IReadOnlyList<string> ConfigValues(string key) => Config.All(key);

    public IReadOnlyList<GitRemote> Remotes => Config.Remotes();

    private GitConfig Config => _config ??= GitConfig.Read(_files, GitDir, _git, GitBudgets.ConfigRead);

    public string? ReadFileAt(string revision, string path, long maxBytes = TreeFiles.DefaultMaxBytes)
    {
        var commit = PeelToCommit(revision);
        if (commit is null) return null;
        try
        {
            var entry = commit[CliGitRepository.NormalizePath(path)];
            if (entry is null) return null;
            var mode = Convert.ToString((int)entry.Mode, 8).PadLeft(6, '0');
            if (!TreeFiles.EnsureReadable($"{revision}:{path}", mode, (entry.Target as Blob)?.Size, maxBytes)) return null;
            if (entry.Target is not Blob blob) return null;
            using var content = blob.GetContentStream();
            using var buffer = new MemoryStream();
            content.CopyTo(buffer);
            return RegularFiles.DecodeText(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    public string WriteTagObject(string target, string tagName, Identity tagger, DateTimeOffset when, string message)
    {
        GitObjectText.ValidateTagName(tagName);
        if (Lookup(target) is not { } obj)
            throw new GitCommandException($"cannot tag {ObjectIds.Short(target)}: no such object in this repository", 1, "");
        // Raw bytes, formatted exactly as for git mktag: the same tag id from both backends, and no message prettifying
        // (which LibGit2Sharp's CreateTagAnnotation does, and which loses the message under Native AOT).
        var text = GitObjectText.FormatTag(obj.Sha, TypeName(obj), tagName, tagger, when, message);
        return _repo.ObjectDatabase.Write<TagAnnotation>(System.Text.Encoding.UTF8.GetBytes(text)).Sha;
    }

    public TagInfo? ReadTag(string tagId) => Lookup(tagId) is TagAnnotation tag ? ToTagInfo(tag) : null;

    public IReadOnlyList<RefRecord> ListRefs(string prefix) => ListRefs([prefix]);

    public IReadOnlyList<RefRecord> ListRefs(IReadOnlyList<string> prefixes)
    {
        foreach (var prefix in prefixes)
            if (!prefix.StartsWith("refs/", StringComparison.Ordinal))
                throw new ArgumentException("a ref prefix starts with refs/", nameof(prefixes));
        var refs = new List<RefRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in prefixes.SelectMany(prefix => _repo.Refs.FromGlob(prefix + "*")))
        {
            if (!prefixes.Any(p => reference.CanonicalName.StartsWith(p, StringComparison.Ordinal)) || !seen.Add(reference.CanonicalName)) continue;
            var direct = reference.ResolveToDirectReference();
            if (direct is null) continue;
            var obj = Lookup(direct.TargetIdentifier);
            var tag = obj as TagAnnotation;
            var commit = obj is null ? null : TryPeel(obj)?.Sha;
            refs.Add(new RefRecord(reference.CanonicalName, direct.TargetIdentifier, commit, tag is null ? null : ToTagInfo(tag)));
        }
        refs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return refs;
    }

    public void Dispose() => _repo.Dispose();

    private static TagInfo ToTagInfo(TagAnnotation tag)
    {
        var who = tag.Tagger;
        return new TagInfo(tag.Sha, tag.Target.Sha, TypeName(tag.Target), tag.Name,
            who is null ? null : new Identity(who.Name, who.Email), who?.When, tag.Message ?? "");
    }

    private static string TypeName(GitObject obj) => obj switch
    {
        Commit => "commit",
        Tree => "tree",
        Blob => "blob",
        TagAnnotation => "tag",
        _ => "",
    };

    private GitObject? Lookup(string revision)
    {
        if (string.IsNullOrEmpty(revision) || revision.IndexOfAny(['\n', '\r', '\0']) >= 0) return null;
        try
        {
            return _repo.Lookup(revision);
        }
        catch (Exception e) when (e is LibGit2SharpException or ArgumentException)
        {
            return null; // ambiguous, malformed or missing
        }
    }

    private Commit? PeelToCommit(string revision)
    {
        return Lookup(revision) is { } obj ? TryPeel(obj) : null;
    }

    private static Commit? TryPeel(GitObject obj)
    {
        if (obj is Commit commit) return commit;
        if (obj is not TagAnnotation) return null;
        try
        {
            return obj.Peel<Commit>();
        }
        catch (LibGit2SharpException)
        {
            return null; // a tag of a tree or blob
        }
    }
}
