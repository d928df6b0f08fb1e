using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Git.Evidence;

/// <summary>
/// An environment's records about a few commits, read by name so the cost does not grow with the store's history:
/// one <c>git fetch --prune</c> of pattern refspecs such as <c>refs/promote/green/&lt;commit&gt;*</c>, which git sends
/// as protocol v2 <c>ref-prefix</c> lines, so the server answers with those refs only. (<c>git ls-remote</c> does not:
/// its patterns match the tail of a name and are applied on the client, after the whole namespace was sent.)
/// The refs land in <c>refs/promote/remotes/&lt;env&gt;/...</c> with their tag objects, so details (soak time, who revoked
/// and why) need no second round trip; <c>--prune</c> drops local copies of records the remote no longer has.
/// </summary>
/// <remarks>
/// With <paramref name="listOnly"/> (a server's pre-receive hook) nothing is written to the local repository: refs
/// cannot be updated inside the push's quarantine, and records fetched outside it would point at objects the quarantine
/// takes away if the push is refused. Then one <c>ls-remote</c> of the exact names answers (the names only: no reason,
/// no record time).
/// </remarks>
internal sealed class CommitRecordFetch(IGitRepository repository, IGitRemoteClient client, EnvironmentRemote remote, string environment,
    bool listOnly = false)
{
    /// <summary>Above this many commits one fetch of the whole namespaces is cheaper than naming each commit.</summary>
    public const int MaxNamedCommits = 256;

    private const string PromoteRoot = "refs/promote/";

    public string LocalNamespace { get; } = $"refs/promote/remotes/{GitRecordStore.RefComponent(environment)}/";

    /// <summary>A fetched record under its name on the remote, with its tag when it is an annotated tag.</summary>
    public sealed record Found(RemoteRef Ref, TagInfo? Tag);

    /// <summary>
    /// Green refs of <paramref name="green"/>, revocations of <paramref name="review"/> and, with <paramref name="approvals"/>,
    /// their approvals, by their names on the remote. Throws <see cref="GitCommandException"/> or <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<IReadOnlyList<Found>> FetchAsync(IReadOnlyCollection<string> green, IReadOnlyCollection<string> review, bool approvals,
        CancellationToken cancellationToken)
    {
        var prefixes = new List<string>();
        AddPrefixes(prefixes, green, c => [RecordRefs.GreenPrefix + c], RecordRefs.GreenPrefix);
        AddPrefixes(prefixes, review, c => approvals ? [RecordRefs.RevokedPrefix + c, RecordRefs.ApprovalPrefix + c + "/"] : [RecordRefs.RevokedPrefix + c],
            RecordRefs.RevokedPrefix, approvals ? RecordRefs.ApprovalPrefix : null);
        if (prefixes.Count == 0) return [];

        if (listOnly)
        {
            var listed = await client.ListRefsAsync(remote.Remote, prefixes, cancellationToken).ConfigureAwait(false);
            return listed.Select(r => new Found(r, null)).ToList();
        }

        var specs = prefixes.Select(p => $"+{p}*:{LocalNamespace}{p[PromoteRoot.Length..]}*").ToList();
        await client.FetchAsync(remote.Remote, specs, prune: true, cancellationToken).ConfigureAwait(false);

        var found = new List<Found>();
        foreach (var r in repository.ListRefs(prefixes.Select(p => LocalNamespace + p[PromoteRoot.Length..]).ToList()))
        {
            var name = PromoteRoot + r.Name[LocalNamespace.Length..];
            found.Add(new Found(new RemoteRef(name, r.Id, r.Tag is null ? null : r.Commit), r.Tag));
        }
        return found;
    }

    /// <summary>Every record under <paramref name="prefix"/> (e.g. <c>refs/promote/green/</c>), with tags, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<Found>> FetchNamespaceAsync(string prefix, int max, CancellationToken cancellationToken)
    {
        var local = LocalNamespace + prefix[PromoteRoot.Length..];
        await client.FetchAsync(remote.Remote, [$"+{prefix}*:{local}*"], prune: true, cancellationToken).ConfigureAwait(false);
        return repository.ListRefs(local).Take(max)
            .Select(r => new Found(new RemoteRef(prefix + r.Name[local.Length..], r.Id, r.Tag is null ? null : r.Commit), r.Tag)).ToList();
    }

    private static void AddPrefixes(List<string> prefixes, IReadOnlyCollection<string> commits, Func<string, string[]> named, params string?[] whole)
    {
        var valid = commits.Select(c => c.ToLowerInvariant()).Where(ObjectIds.IsValid).Distinct(StringComparer.Ordinal).ToList();
        if (valid.Count == 0) return;
        if (valid.Count > MaxNamedCommits) prefixes.AddRange(whole.OfType<string>());
        else prefixes.AddRange(valid.SelectMany(named));
    }
}
