using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Git.Evidence;

/// <summary>
/// Green commits of one environment from its remote's <c>refs/promote/green/&lt;commit&gt;</c>, read with one
/// <c>git ls-remote</c> per reader whatever the number of commits asked. The ref may point at our annotated tag or straight
/// at the commit (a pipeline's plain <c>git push &lt;remote&gt; &lt;sha&gt;:refs/promote/green/&lt;sha&gt;</c>): both count.
/// The same listing holds the environment's revocations and approvals (<see cref="GitGuardRefs"/>), so they cost nothing
/// more. When the environment has a <c>soak</c> time, the green tags of the commits asked are read for their time
/// (from this clone's objects, or one targeted fetch); without soak no tag is read.
/// </summary>
public sealed class GitEvidenceReader : IGuardedEvidenceReader
{
    public const string GreenPrefix = "refs/promote/green/";
    private static readonly string[] ListedPrefixes = [GreenPrefix, GitGuardRefs.RevokedPrefix, GitGuardRefs.ApprovalPrefix];

    private readonly IGitRepository _repository;
    private readonly IGitRemoteClient _client;
    private readonly EnvironmentPolicy _environment;
    private readonly EnvironmentRemote? _remote;
    private readonly EvidenceUnavailableException? _noRemote;
    private readonly object _gate = new();
    private Task<IReadOnlyList<RemoteRef>>? _listing;

    public GitEvidenceReader(IGitRepository repository, IGitRemoteClient client, EnvironmentPolicy environment)
    {
        _repository = repository;
        _client = client;
        _environment = environment;
        (_remote, _noRemote, Label) = EnvironmentRemote.Lookup(repository, environment);
    }

    public string Label { get; }

    /// <summary>The remote these refs are read from; null when the environment has none (every read then throws).</summary>
    public EnvironmentRemote? Remote => _remote;

    public string Source => $"git ref on {_environment.Name}";

    public async Task<IReadOnlyList<GreenFact>> FindGreenAsync(IReadOnlyCollection<string> commits, CancellationToken cancellationToken)
    {
        var refs = await ListAsync(cancellationToken).ConfigureAwait(false);
        return await GreenAmongAsync(refs, commits, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<GreenFact>> ListGreenAsync(int max, CancellationToken cancellationToken)
    {
        var refs = await ListAsync(cancellationToken).ConfigureAwait(false);
        return GreenRefs(refs).Take(Math.Max(0, max)).Select(g => new GreenFact(g.Commit, Source)).ToList();
    }

    public async Task<(IReadOnlyList<GreenFact> Green, GuardRecords Guards)> FindGreenAndGuardsAsync(
        IReadOnlyCollection<string> green, IReadOnlyCollection<string> guarded, bool approvals, CancellationToken cancellationToken)
    {
        var refs = await ListAsync(cancellationToken).ConfigureAwait(false);
        var facts = green.Count == 0 ? [] : await GreenAmongAsync(refs, green, cancellationToken).ConfigureAwait(false);
        var records = GitGuardRefs.FromListing(Label, _environment.Name, refs, guarded, approvals);
        if (records.Revoked.Count > 0) records = await WithRevocationDetailsAsync(records, refs, cancellationToken).ConfigureAwait(false);
        return (facts, records);
    }

    public async Task<IReadOnlyCollection<string>> ListRevokedAsync(int max, CancellationToken cancellationToken)
    {
        var refs = await ListAsync(cancellationToken).ConfigureAwait(false);
        return refs.Select(r => GitGuardRefs.RevokedCommit(r.Name)).OfType<string>().Take(Math.Max(0, max)).ToList();
    }

    private async Task<IReadOnlyList<GreenFact>> GreenAmongAsync(IReadOnlyList<RemoteRef> refs, IReadOnlyCollection<string> commits, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<string>(commits.Select(c => c.ToLowerInvariant()), StringComparer.Ordinal);
        var green = GreenRefs(refs).Where(g => wanted.Contains(g.Commit)).ToList();
        if (_environment.Soak is null || green.Count == 0)
            return green.Select(g => new GreenFact(g.Commit, Source)).ToList();

        // Soak counts from when the commit became green: the time is in the tag (its JSON body, else its tagger line).
        var tags = await new RemoteTags(_repository, _client, _remote!, _environment.Name).ReadAsync(green.Select(g => g.Ref).ToList(), cancellationToken).ConfigureAwait(false);
        return green.Select(g =>
        {
            var tag = tags.GetValueOrDefault(g.Ref.Name);
            var (at, by) = RecordJson.ReadGreen(tag?.Message);
            return new GreenFact(g.Commit, Source, (at ?? tag?.When)?.ToUniversalTime(), by ?? tag?.Tagger?.ToString());
        }).ToList();
    }

    /// <summary>Who revoked and why, for the message that refuses the push: read only when a pushed commit is revoked.</summary>
    private async Task<GuardRecords> WithRevocationDetailsAsync(GuardRecords records, IReadOnlyList<RemoteRef> refs, CancellationToken cancellationToken)
    {
        var names = records.Revoked.Keys.Select(GitGuardRefs.Revoked).ToHashSet(StringComparer.Ordinal);
        IReadOnlyDictionary<string, TagInfo> tags;
        try
        {
            tags = await new RemoteTags(_repository, _client, _remote!, _environment.Name).ReadAsync(refs.Where(r => names.Contains(r.Name)).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (EvidenceUnavailableException)
        {
            return records; // the revocation stands either way; only its reason is missing from the message
        }
        return records with
        {
            Revoked = records.Revoked.ToDictionary(p => p.Key,
                p => tags.GetValueOrDefault(GitGuardRefs.Revoked(p.Key)) is { } tag && RecordJson.ReadRevocation(tag.Message) is { } full
                    ? full with { Environment = _environment.Name, Commit = p.Key }
                    : p.Value,
                StringComparer.Ordinal),
        };
    }

    private static IEnumerable<(string Commit, RemoteRef Ref)> GreenRefs(IReadOnlyList<RemoteRef> refs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in refs)
        {
            if (!r.Name.StartsWith(GreenPrefix, StringComparison.Ordinal)) continue;
            var commit = r.Name[GreenPrefix.Length..].ToLowerInvariant();
            if (ObjectIds.IsValid(commit) && seen.Add(commit)) yield return (commit, r);
        }
    }

    private async Task<IReadOnlyList<RemoteRef>> ListAsync(CancellationToken cancellationToken)
    {
        if (_remote is null) throw _noRemote!;
        Task<IReadOnlyList<RemoteRef>> listing;
        lock (_gate) listing = _listing ??= _client.ListRefsAsync(_remote.Remote, ListedPrefixes, cancellationToken);
        try
        {
            return await listing.ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitCommandException or OperationCanceledException)
        {
            throw GitEvidenceFailures.Unavailable(
                $"cannot read green refs of '{_environment.Name}' from {_remote.Display}", e,
                $"check that the remote answers: git ls-remote {_remote.Argument} '{GreenPrefix}*'", _remote);
        }
    }
}
