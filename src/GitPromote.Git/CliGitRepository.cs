using System.Text;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Platform;

namespace GitPromote.Git;

/// <summary>
/// <see cref="IGitRepository"/> over the git CLI: reads anything git can read (SHA-256, partial and shallow clones,
/// <c>preciousObjects</c>, pre-receive quarantine via the inherited environment). Batches: <c>cat-file --batch-check</c>
/// resolves any number of revisions in one process, <c>config --list</c> answers every config and remote question in one.
/// Reads never fetch: a partial clone's missing objects are reported missing, not fetched.
/// </summary>
public sealed class CliGitRepository : IGitRepository
{
    private readonly GitProcess _git;
    private readonly IFileSystem _files;
    private readonly string[] _readPrefix;
    private GitConfig? _config;

    public CliGitRepository(IFileSystem files, GitLocation location, GitProcess git, GitConfig? config = null)
    {
        _files = files;
        _config = config;
        GitDir = location.GitDir;
        WorkTree = location.WorkTree;
        CommonDir = location.CommonDir;
        var process = git;
        var readEnvironment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // Never fetch a missing object of a partial clone: git >= 2.44 (and 2.39.4+ security releases) honour
            // GIT_NO_LAZY_FETCH; older ones run a lazy "git fetch" child, which an allow-list naming no transport stops
            // at once and offline (GIT_ALLOW_PROTOCOL beats any protocol.*.allow config).
            ["GIT_NO_LAZY_FETCH"] = "1",
            ["GIT_ALLOW_PROTOCOL"] = "none",
            ["GIT_OPTIONAL_LOCKS"] = "0",
        };
        // The caller's variables win (a test simulates an old git with GIT_NO_LAZY_FETCH=0).
        foreach (var (k, v) in process.Environment) readEnvironment[k] = v;
        _git = process.With(readEnvironment);
        _readPrefix = ["--git-dir=" + GitDir, "--no-replace-objects"];
        ObjectFormat = ReadObjectFormat(files, location);
    }

    public string Backend => "git-cli";
    public string GitDir { get; }
    public string? WorkTree { get; }
    public string CommonDir { get; }
    public ObjectFormat ObjectFormat { get; }

    public bool IsShallow
    {
        get
        {
            var shallow = Path.Combine(CommonDir, "shallow");
            return _files.FileExists(shallow) && _files.Length(shallow) > 0;
        }
    }

    public string? ResolveCommit(string revision) => ResolveCommits([revision])[revision];

    public IReadOnlyDictionary<string, string?> ResolveCommits(IReadOnlyCollection<string> revisions)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        var asked = new List<string>();
        foreach (var r in revisions)
        {
            if (result.ContainsKey(r)) continue;
            result[r] = null;
            if (IsUsableRevision(r)) asked.Add(r);
        }
        var answers = BatchCheck(asked.Select(r => r + "^{commit}").ToList());
        for (var i = 0; i < asked.Count; i++)
        {
            var line = answers[i];
            if (line is not null && line.StartsWith("commit ", StringComparison.Ordinal) && ObjectIds.IsValid(line[7..]))
                result[asked[i]] = line[7..];
        }
        return result;
    }

    public bool? IsAncestor(string ancestor, string descendant)
    {
        if (!IsUsableRevision(ancestor) || !IsUsableRevision(descendant) || IsShallow) return null;
        var r = _git.Run(GitDir, [.. _readPrefix, "merge-base", "--is-ancestor", ancestor + "^{commit}", descendant + "^{commit}"]);
        return r.ExitCode switch { 0 => true, 1 => false, _ => null };
    }

    public CommitInfo? ReadCommit(string commit) => ReadCommits([commit])[commit];

    /// <summary>Many commits in one <c>cat-file --batch</c>.</summary>
    public IReadOnlyDictionary<string, CommitInfo?> ReadCommits(IReadOnlyCollection<string> commits)
    {
        var result = new Dictionary<string, CommitInfo?>(StringComparer.Ordinal);
        var asked = commits.Distinct(StringComparer.Ordinal).ToList();
        foreach (var c in asked) result[c] = null;
        asked = asked.Where(IsUsableRevision).ToList();
        var objects = Batch(asked.Select(c => c + "^{commit}").ToList());
        for (var i = 0; i < asked.Count; i++)
        {
            if (objects[i] is { Type: "commit" } o) result[asked[i]] = GitObjectText.ParseCommit(o.Id, Encoding.UTF8.GetString(o.Content));
        }
        return result;
    }

    public string? ConfigValue(string key) => Config.Get(key);

    public IReadOnlyList<string> ConfigValues(string key) => Config.All(key);

    public IReadOnlyList<GitRemote> Remotes => Config.Remotes();

    public string? ReadFileAt(string revision, string path, long maxBytes = TreeFiles.DefaultMaxBytes)
    {
        if (!IsUsableRevision(revision) || !IsUsableRevision(path)) return null;
        // The entry first (mode and size): a symlink, a submodule or a blob of hundreds of MB is refused unread.
        var listing = Git(["ls-tree", "--full-tree", "-l", "-z", revision, "--", NormalizePath(path)]);
        if (!listing.Succeeded) return null;
        var entry = listing.StdoutText.Split('\0', 2)[0];
        var tab = entry.IndexOf('\t');
        if (tab < 0) return null;
        var fields = entry[..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 4) return null;
        long? size = long.TryParse(fields[3], out var n) ? n : null;
        if (!TreeFiles.EnsureReadable($"{revision}:{path}", fields[0], size, maxBytes)) return null;
        var o = Batch([fields[2]])[0];
        return o is { Type: "blob" } ? RegularFiles.DecodeText(o.Content) : null;
    }

    public string WriteTagObject(string target, string tagName, Identity tagger, DateTimeOffset when, string message)
    {
        GitObjectText.ValidateTagName(tagName);
        if (!IsUsableRevision(target)) throw new ArgumentException("not an object id", nameof(target));
        var check = BatchCheck([target])[0];
        var space = check?.IndexOf(' ') ?? -1;
        if (check is null || space < 0 || !ObjectIds.IsValid(check[(space + 1)..]))
            throw new GitCommandException($"cannot tag {ObjectIds.Short(target)}: no such object in this repository", 1, "");
        var type = check[..space];
        var targetId = check[(space + 1)..];
        var text = GitObjectText.FormatTag(targetId, type, tagName, tagger, when, message);
        var result = Git(["mktag"], Encoding.UTF8.GetBytes(text)).EnsureSuccess();
        var id = result.StdoutText.Trim();
        if (!ObjectIds.IsValid(id)) throw new GitCommandException("git mktag printed no object id", 0, result.Stderr);
        return id;
    }

    public TagInfo? ReadTag(string tagId)
    {
        if (!IsUsableRevision(tagId)) return null;
        var o = Batch([tagId])[0];
        return o is { Type: "tag" } ? GitObjectText.ParseTag(o.Id, Encoding.UTF8.GetString(o.Content)) : null;
    }

    private const string RefFormat =
        "%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)%00%(object)%00%(type)%00%(tag)%00"
        + "%(taggername)%00%(taggeremail)%00%(taggerdate:raw)%00%(contents)%00";
    private const int RefFields = 12;

    public IReadOnlyList<RefRecord> ListRefs(string prefix) => ListRefs([prefix]);

    public IReadOnlyList<RefRecord> ListRefs(IReadOnlyList<string> prefixes)
    {
        foreach (var prefix in prefixes)
            if (!prefix.StartsWith("refs/", StringComparison.Ordinal) || !IsUsableRevision(prefix))
                throw new ArgumentException("a ref prefix starts with refs/", nameof(prefixes));
        if (prefixes.Count == 0) return [];
        var result = Git(["for-each-ref", "--sort=refname", "--format=" + RefFormat, "--", .. prefixes]).EnsureSuccess();
        var fields = result.StdoutText.Split('\0');
        var refs = new List<RefRecord>();
        var nestedTags = new List<int>();
        for (var i = 0; i + RefFields <= fields.Length; i += RefFields)
        {
            var f = fields.AsSpan(i, RefFields);
            var name = f[0].TrimStart('\n');
            if (!prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))) continue;
            var (id, type, derefId, derefType) = (f[1], f[2], f[3], f[4]);
            TagInfo? tag = null;
            string? commit = type == "commit" ? id : null;
            if (type == "tag")
            {
                var who = f[8].Length > 0 || f[9].Length > 0 ? new Identity(f[8], f[9].Trim('<', '>')) : null;
                var when = f[10].Length > 0 ? GitObjectText.ParseRawDate(f[10]) : null;
                tag = new TagInfo(id, f[5], f[6], f[7], who, when, f[11]);
                if (derefType == "commit") commit = derefId;
                else if (derefType == "tag") nestedTags.Add(refs.Count);
            }
            refs.Add(new RefRecord(name, id, commit, tag));
        }
        if (nestedTags.Count > 0)
        {
            var peeled = ResolveCommits(nestedTags.Select(i => refs[i].Id).ToList());
            foreach (var i in nestedTags) refs[i] = refs[i] with { Commit = peeled[refs[i].Id] };
        }
        return refs;
    }

    public void Dispose()
    {
    }

    private GitConfig Config => _config ??= GitConfig.Read(_files, GitDir, _git, Timeout);

    /// <summary>The longest one local git command may run (a hung file system, a stuck lock) before it is stopped.</summary>
    public TimeSpan Timeout { get; init; } = GitBudgets.LocalWork;

    private GitResult Git(string[] args, byte[]? stdin = null)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            return _git.Run(GitDir, [.. _readPrefix, .. args], stdin, deadline.Token);
        }
        catch (Exception e) when (Deadline.Passed(e, deadline.Token))
        {
            // No caller gave a deadline: the one that passed is this repository's own, which callers cannot ask by a token.
            throw new OwnDeadlinePassedException(e.Message, e, Timeout, deadline.Token);
        }
    }

    /// <summary><c>cat-file --batch-check</c>: one output line per input line ("&lt;type&gt; &lt;id&gt;", or null when missing).</summary>
    private List<string?> BatchCheck(IReadOnlyList<string> inputs) =>
        ResumingBatch<string>(inputs, ["cat-file", "--batch-check=%(objecttype) %(objectname)"], (result, max) =>
        {
            var lines = result.StdoutText.Split('\n');
            // The text ends with a newline after the last complete line.
            return lines.Take(Math.Min(lines.Length - 1, max)).Select(line => IsMissingLine(line) ? null : line).ToList();
        });

    private sealed record RawObject(string Id, string Type, byte[] Content);

    /// <summary><c>cat-file --batch</c>: the objects (or null when missing).</summary>
    private List<RawObject?> Batch(IReadOnlyList<string> inputs) =>
        ResumingBatch<RawObject>(inputs, ["cat-file", "--batch"], (result, max) => ParseBatch(result.Stdout, max));

    /// <summary>
    /// A <c>cat-file</c> batch: one answer per input, null when missing, <paramref name="parse"/> reading at most the given
    /// number of answers from git's output. An old git dies when a lazy fetch fails; the batch then resumes after the
    /// object it died on.
    /// </summary>
    private List<T?> ResumingBatch<T>(IReadOnlyList<string> inputs, string[] command, Func<GitResult, int, List<T?>> parse) where T : class
    {
        var answers = new List<T?>(inputs.Count);
        var start = 0;
        while (start < inputs.Count)
        {
            var stdin = Encoding.UTF8.GetBytes(string.Join('\n', inputs.Skip(start)) + "\n");
            var result = Git(command, stdin);
            var parsed = parse(result, inputs.Count - start);
            answers.AddRange(parsed);
            start += parsed.Count;
            if (start >= inputs.Count) break;
            if (result.Succeeded) break;
            if (parsed.Count == 0 && start == 0 && !DiedOnMissingObject(result)) result.EnsureSuccess();
            answers.Add(null);
            start++;
        }
        while (answers.Count < inputs.Count) answers.Add(null);
        return answers;
    }

    private static List<RawObject?> ParseBatch(byte[] output, int max)
    {
        var list = new List<RawObject?>();
        var pos = 0;
        while (pos < output.Length && list.Count < max)
        {
            var eol = Array.IndexOf(output, (byte)'\n', pos);
            if (eol < 0) break;
            var header = Encoding.UTF8.GetString(output, pos, eol - pos);
            pos = eol + 1;
            var parts = header.Split(' ');
            if (parts.Length == 3 && ObjectIds.IsValid(parts[0]) && int.TryParse(parts[2], out var size) && size >= 0)
            {
                if (pos + size > output.Length) break; // cut short: the process died mid-object
                list.Add(new RawObject(parts[0], parts[1], output.AsSpan(pos, size).ToArray()));
                pos += size + 1;
            }
            else
            {
                list.Add(null); // "<input> missing" or "<input> ambiguous"
            }
        }
        return list;
    }

    private static bool IsMissingLine(string line) =>
        line.EndsWith(" missing", StringComparison.Ordinal) || line.EndsWith(" ambiguous", StringComparison.Ordinal);

    private static bool DiedOnMissingObject(GitResult result) =>
        result.Stderr.Contains("promisor", StringComparison.Ordinal) || result.Stderr.Contains("could not fetch", StringComparison.Ordinal);

    /// <summary>A revision git's batch input can carry: one line, no NUL, not empty.</summary>
    private static bool IsUsableRevision(string revision) =>
        revision.Length > 0 && revision[0] != '-' && revision.Length <= 4096 && revision.IndexOfAny(['\n', '\r', '\0']) < 0;

    internal static string NormalizePath(string path)
    {
        var p = path.Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p[2..];
        return p.TrimStart('/');
    }

    private static ObjectFormat ReadObjectFormat(IFileSystem files, GitLocation location)
    {
        var format = GitConfig.FromFile(files, location.ConfigPath).Get("extensions.objectformat");
        return string.Equals(format, "sha256", StringComparison.OrdinalIgnoreCase) ? ObjectFormat.Sha256 : ObjectFormat.Sha1;
    }
}
