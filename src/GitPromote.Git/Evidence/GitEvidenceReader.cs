using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Git.Evidence;

/// <summary>
/// Green commits of one environment from its remote's <c>refs/promote/green/&lt;commit&gt;</c>, read with one
/// <c>git ls-remote</c> per reader whatever the number of commits asked. The ref may point at our annotated tag or straight
/// at the commit (a pipeline's plain <c>git push &lt;remote&gt; &lt;sha&gt;:refs/promote/green/&lt;sha&gt;</c>): both count.
/// </summary>
public sealed class GitEvidenceReader : IEvidenceReader
{
    public const string GreenPrefix = "refs/promote/green/";

    private readonly IGitRemoteClient _client;
    private readonly EnvironmentPolicy _environment;
    private readonly EnvironmentRemote? _remote;
    private readonly EvidenceUnavailableException? _noRemote;
    private readonly object _gate = new();
    private Task<IReadOnlyList<RemoteRef>>? _listing;

    public GitEvidenceReader(IGitRepository repository, IGitRemoteClient client, EnvironmentPolicy environment)
    {
        _client = client;
        _environment = environment;
        try
        {
            _remote = EnvironmentRemote.Resolve(repository, environment);
        }
        catch (EvidenceUnavailableException e)
        {
            _noRemote = e;
        }
        Label = _remote is null ? $"git refs of {environment.Name} (no remote)" : $"git refs on {_remote.Display}";
    }

    public string Label { get; }

    /// <summary>The remote these refs are read from; null when the environment has none (every read then throws).</summary>
    public EnvironmentRemote? Remote => _remote;

    public string Source => $"git ref on {_environment.Name}";

    public async Task<IReadOnlyList<GreenFact>> FindGreenAsync(IReadOnlyCollection<string> commits, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<string>(commits.Select(c => c.ToLowerInvariant()), StringComparer.Ordinal);
        var green = await GreenCommitsAsync(cancellationToken).ConfigureAwait(false);
        return green.Where(wanted.Contains).Select(c => new GreenFact(c, Source)).ToList();
    }

    public async Task<IReadOnlyList<GreenFact>> ListGreenAsync(int max, CancellationToken cancellationToken)
    {
        var green = await GreenCommitsAsync(cancellationToken).ConfigureAwait(false);
        return green.Take(Math.Max(0, max)).Select(c => new GreenFact(c, Source)).ToList();
    }

    private async Task<IReadOnlyList<string>> GreenCommitsAsync(CancellationToken cancellationToken)
    {
        if (_remote is null) throw _noRemote!;
        Task<IReadOnlyList<RemoteRef>> listing;
        lock (_gate) listing = _listing ??= _client.ListRefsAsync(_remote.Remote, [GreenPrefix], cancellationToken);
        IReadOnlyList<RemoteRef> refs;
        try
        {
            refs = await listing.ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitCommandException or OperationCanceledException)
        {
            throw GitEvidenceFailures.Unavailable(
                $"cannot read green refs of '{_environment.Name}' from {_remote.Display}", e,
                $"check that the remote answers: git ls-remote {_remote.Display} '{GreenPrefix}*'");
        }
        var commits = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in refs)
        {
            if (!r.Name.StartsWith(GreenPrefix, StringComparison.Ordinal)) continue;
            var commit = r.Name[GreenPrefix.Length..].ToLowerInvariant();
            if (ObjectIds.IsValid(commit) && seen.Add(commit)) commits.Add(commit);
        }
        return commits;
    }
}
