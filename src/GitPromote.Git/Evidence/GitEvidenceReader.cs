using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Git.Evidence;

/// <summary>
/// Green commits of one environment from its remote's <c>refs/promote/green/&lt;commit&gt;</c>. The ref may point at our
/// annotated tag or straight at the commit (a pipeline's plain <c>git push &lt;remote&gt; &lt;sha&gt;:refs/promote/green/&lt;sha&gt;</c>):
/// both count. Questions about commits (is it green, revoked, approved) are one <see cref="CommitRecordFetch"/> of just
/// those commits' refs, so an allowed push costs the same whatever the history; the tags come along, so soak times and a
/// revocation's reason need nothing more. Only a listing (the refusal's "newest green", status) reads a namespace, bounded.
/// </summary>
public sealed class GitEvidenceReader : IEvidenceWithReviewsReader
{
    /// <summary>At most this many refs of a namespace are parsed for a listing.</summary>
    public const int MaxListed = 10_000;

    private readonly EnvironmentPolicy _environment;
    private readonly RecordsRemote _records;

    /// <param name="listOnly">Never write to the local repository (a server hook in quarantine): see <see cref="CommitRecordFetch"/>.</param>
    public GitEvidenceReader(IGitRepository repository, IGitRemoteClient client, EnvironmentPolicy environment, bool listOnly = false)
    {
        _environment = environment;
        _records = new RecordsRemote(repository, client, environment, listOnly);
    }

    public string Label => _records.Label;

    /// <summary>The remote these refs are read from; null when the environment has none (every read then throws).</summary>
    public EnvironmentRemote? Remote => _records.Remote;

    public string Source => $"git ref on {_environment.Name}";

    public async Task<IReadOnlyList<GreenFact>> FindGreenAsync(IReadOnlyCollection<string> commits, CancellationToken cancellationToken)
    {
        var found = await FetchAsync(commits, [], approvals: false, cancellationToken).ConfigureAwait(false);
        return GreenAmong(found, commits);
    }

    /// <summary>
    /// The green records with when they were recorded (from their tags: one fetch of the namespace), newest first, at
    /// most <paramref name="max"/>: "newest" is when a commit became green, which only the record knows.
    /// </summary>
    public async Task<IReadOnlyList<GreenFact>> ListGreenAsync(int max, CancellationToken cancellationToken)
    {
        var refs = await _records.ListWithTagsAsync(RecordRefs.GreenPrefix, $"cannot read green refs of '{_environment.Name}'", MaxListed, cancellationToken)
            .ConfigureAwait(false);
        return GreenRefs(refs).Select(g => WithTime(g.Commit, g.Tag))
            .OrderByDescending(f => f.RecordedAt.HasValue).ThenByDescending(f => f.RecordedAt)
            .Take(Math.Max(0, max)).ToList();
    }

    /// <summary>A green fact with the record's own time and author: its JSON body, else its tagger line (none for a plain ref).</summary>
    private GreenFact WithTime(string commit, TagInfo? tag)
    {
        var (at, by) = RecordJson.ReadGreen(tag?.Message);
        return new GreenFact(commit, Source, (at ?? tag?.When)?.ToUniversalTime(), by ?? tag?.Tagger?.ToString())
        {
            Forced = RecordJson.ReadGreenForced(tag?.Message),
        };
    }

    public async Task<(IReadOnlyList<GreenFact> Green, ReviewRecords Reviews)> FindGreenAndReviewsAsync(
        IReadOnlyCollection<string> green, IReadOnlyCollection<string> review, bool approvals, CancellationToken cancellationToken)
    {
        var found = await FetchAsync(green, review, approvals, cancellationToken).ConfigureAwait(false);
        var facts = green.Count == 0 ? [] : GreenAmong(found, green);
        return (facts, GitReviewRefs.FromFetched(Label, _environment.Name, found, review, approvals));
    }

    public async Task<IReadOnlyCollection<string>> ListRevokedAsync(int max, CancellationToken cancellationToken)
    {
        var refs = await ListAsync(RecordRefs.RevokedPrefix, cancellationToken).ConfigureAwait(false);
        return refs.Select(r => RecordRefs.RevokedCommit(r.Name)).OfType<string>().Take(Math.Max(0, max)).ToList();
    }

    private IReadOnlyList<GreenFact> GreenAmong(IReadOnlyList<CommitRecordFetch.Found> found, IReadOnlyCollection<string> commits)
    {
        var wanted = new HashSet<string>(commits.Select(c => c.ToLowerInvariant()), StringComparer.Ordinal);
        // Soak counts from when the commit became green: the time is in the tag.
        return GreenRefs(found).Where(g => wanted.Contains(g.Commit))
            .Select(g => _environment.Soak is null ? new GreenFact(g.Commit, Source) : WithTime(g.Commit, g.Tag)).ToList();
    }

    private static IEnumerable<(string Commit, TagInfo? Tag)> GreenRefs(IReadOnlyList<CommitRecordFetch.Found> refs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in refs)
        {
            if (!r.Ref.Name.StartsWith(RecordRefs.GreenPrefix, StringComparison.Ordinal)) continue;
            var commit = r.Ref.Name[RecordRefs.GreenPrefix.Length..].ToLowerInvariant();
            if (ObjectIds.IsValid(commit) && seen.Add(commit)) yield return (commit, r.Tag);
        }
    }

    private Task<IReadOnlyList<CommitRecordFetch.Found>> FetchAsync(IReadOnlyCollection<string> green, IReadOnlyCollection<string> review,
        bool approvals, CancellationToken cancellationToken) =>
        _records.FetchAsync(green, review, approvals, $"cannot read the records of '{_environment.Name}'", RecordRefs.GreenPrefix, cancellationToken);

    /// <summary>One namespace of the remote, for listings only; at most <see cref="MaxListed"/> refs are kept.</summary>
    private async Task<IReadOnlyList<RemoteRef>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var refs = await _records.ListAsync(prefix, $"cannot read green refs of '{_environment.Name}'", cancellationToken).ConfigureAwait(false);
        return refs.Count > MaxListed ? refs.Take(MaxListed).ToList() : refs;
    }
}
