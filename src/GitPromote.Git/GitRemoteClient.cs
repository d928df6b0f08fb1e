using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Git;

/// <summary>
/// <see cref="IGitRemoteClient"/> over the git CLI, so the user's credential helpers, ssh config, proxies and
/// <c>insteadOf</c> rules apply. Every call has a deadline: the caller's token, bounded by <see cref="Timeout"/>.
/// </summary>
public sealed class GitRemoteClient : IGitRemoteClient
{
    private readonly GitProcess _git;
    private readonly string? _gitDir;
    private readonly string? _workingDirectory;

    /// <param name="gitDir">The local repository (for remote names, and the objects a push sends); null to talk to URLs only.</param>
    /// <param name="workingDirectory">
    /// Where git runs: the work tree, as for the user's own <c>git push</c>, so a remote added with a relative path
    /// (<c>../dev.git</c>) means the same thing; default the git directory.
    /// </param>
    public GitRemoteClient(string? gitDir, GitProcess git, string? workingDirectory = null)
    {
        _gitDir = gitDir;
        _workingDirectory = workingDirectory;
        _git = git;
    }

    /// <summary>The longest any one remote operation may take, whatever the caller's token says.</summary>
    public TimeSpan Timeout { get; init; } = GitBudgets.RemoteCall;

    public async Task<IReadOnlyList<RemoteRef>> ListRefsAsync(string remote, IReadOnlyList<string> refPrefixes, CancellationToken cancellationToken)
    {
        CheckRemote(remote);
        var patterns = refPrefixes.Select(p => p.EndsWith('*') ? p : p.EndsWith('/') ? p + "*" : p).ToList();
        var result = await RunAsync(["ls-remote", "--", remote, .. patterns], cancellationToken).ConfigureAwait(false);
        result.EnsureSuccess();
        return ParseLsRemote(result.StdoutText, refPrefixes);
    }

    public async Task PushAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken)
    {
        CheckRemote(remote);
        string[] options = ["push", "--no-verify", "--quiet", "--no-signed", "--recurse-submodules=no", "--no-follow-tags"];
        var result = await RunAsync([.. options, "--atomic", "--", remote, .. refspecs], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && LacksAtomic(result.Stderr))
            result = await RunAsync([.. options, "--", remote, .. refspecs], cancellationToken).ConfigureAwait(false);
        result.EnsureSuccess();
    }

    public async Task DeleteRefsAsync(string remote, IReadOnlyList<(string Ref, string Expected)> refs, CancellationToken cancellationToken)
    {
        CheckRemote(remote);
        foreach (var (name, expected) in refs)
            if (!name.StartsWith("refs/", StringComparison.Ordinal) || name.IndexOfAny([':', ' ', '\n', '\0']) >= 0 || !ObjectIds.IsValid(expected))
                throw new ArgumentException($"not a ref to delete: '{name}'", nameof(refs));
        string[] options = ["push", "--no-verify", "--quiet", "--no-signed", "--recurse-submodules=no", "--no-follow-tags", "--atomic"];
        var leases = refs.Select(r => $"--force-with-lease={r.Ref}:{r.Expected}");
        var result = await RunAsync([.. options, .. leases, "--", remote, .. refs.Select(r => ":" + r.Ref)], cancellationToken).ConfigureAwait(false);
        result.EnsureSuccess();
    }

    public Task FetchAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken) =>
        FetchAsync(remote, refspecs, prune: false, cancellationToken);

    /// <summary>As <see cref="FetchAsync(string, IReadOnlyList{string}, CancellationToken)"/>; <paramref name="prune"/> also deletes
    /// local refs under the refspecs' destinations that the remote no longer has.</summary>
    public async Task FetchAsync(string remote, IReadOnlyList<string> refspecs, bool prune, CancellationToken cancellationToken)
    {
        CheckRemote(remote);
        List<string> args = ["fetch", "--no-tags", "--no-write-fetch-head", "--quiet", "--recurse-submodules=no", "--no-auto-gc"];
        if (prune) args.Add("--prune");
        args.AddRange(["--", remote, .. refspecs]);
        var result = await RunAsync(args, cancellationToken).ConfigureAwait(false);
        result.EnsureSuccess();
    }

    /// <summary>Parses <c>&lt;id&gt;TAB&lt;ref&gt;</c> lines, folding <c>^{}</c> lines into <see cref="RemoteRef.Peeled"/>.</summary>
    internal static IReadOnlyList<RemoteRef> ParseLsRemote(string output, IReadOnlyList<string> refPrefixes)
    {
        var refs = new List<RemoteRef>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var tab = line.IndexOf('\t');
            if (tab < 0) continue;
            var id = line[..tab];
            var name = line[(tab + 1)..];
            if (!ObjectIds.IsValid(id)) continue;
            if (name.EndsWith("^{}", StringComparison.Ordinal))
            {
                var tagged = name[..^3];
                if (index.TryGetValue(tagged, out var i)) refs[i] = refs[i] with { Peeled = id };
                continue;
            }
            if (refPrefixes.Count > 0 && !refPrefixes.Any(p => Matches(p, name))) continue;
            index[name] = refs.Count;
            refs.Add(new RemoteRef(name, id));
        }
        return refs;
    }

    // ls-remote matches patterns against the tail of a ref name; keep only refs that really start with the prefix.
    private static bool Matches(string prefix, string name)
    {
        var p = prefix.EndsWith('*') ? prefix[..^1] : prefix;
        return name.StartsWith(p, StringComparison.Ordinal);
    }

    private static bool LacksAtomic(string stderr) =>
        stderr.Contains("atomic", StringComparison.OrdinalIgnoreCase)
        && (stderr.Contains("not support", StringComparison.OrdinalIgnoreCase) || stderr.Contains("unsupported", StringComparison.OrdinalIgnoreCase));

    private async Task<GitResult> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        string[] prefix = _gitDir is null ? [] : ["--git-dir=" + _gitDir];
        try
        {
            // Neither: git runs where this process does.
            return await _git.RunAsync(_workingDirectory ?? _gitDir, [.. prefix, .. args], null,
                deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Deadline.Passed(e, deadline.Token) && !cancellationToken.IsCancellationRequested)
        {
            // Our own bound passed, not the caller's: still a deadline, and one the caller cannot ask by its token.
            throw new OwnDeadlinePassedException(e.Message, e, Timeout, deadline.Token);
        }
    }

    /// <summary>A remote is a name or a URL; one that starts with '-' would be read by git as an option.</summary>
    private static void CheckRemote(string remote)
    {
        if (string.IsNullOrWhiteSpace(remote) || remote.StartsWith('-') || remote.IndexOfAny(['\n', '\r', '\0']) >= 0)
            throw new ArgumentException("not a remote name or URL", nameof(remote));
    }
}
