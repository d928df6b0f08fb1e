using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Git.Evidence;

/// <summary>
/// The remote an environment keeps its records on, as <see cref="GitEvidenceReader"/> and <see cref="GitRecordStore"/>
/// both reach it: which remote it is (or why there is none), and the two reads both make, each failing in the same
/// words: what could not be read from where, git's reason, and the <c>git ls-remote</c> that shows whether it answers.
/// A store's token is its caller's deadline: a cancellation by it, or by the remote client's own bound, is "no answer in
/// time"; any other goes on up (<see cref="Deadline.Passed"/>).
/// </summary>
internal sealed class RecordsRemote
{
    private readonly IGitRepository _repository;
    private readonly IGitRemoteClient _client;
    private readonly EnvironmentPolicy _environment;
    private readonly EnvironmentRemote? _remote;
    private readonly EvidenceUnavailableException? _noRemote;
    private readonly bool _listOnly;

    /// <param name="listOnly">Never write to the local repository (a server hook in quarantine): see <see cref="CommitRecordFetch"/>.</param>
    public RecordsRemote(IGitRepository repository, IGitRemoteClient client, EnvironmentPolicy environment, bool listOnly)
    {
        (_repository, _client, _environment, _listOnly) = (repository, client, environment, listOnly);
        (_remote, _noRemote, Label) = EnvironmentRemote.Lookup(repository, environment);
    }

    public string Label { get; }

    /// <summary>Null when the environment has none (every read then throws).</summary>
    public EnvironmentRemote? Remote => _remote;

    public EnvironmentRemote RemoteOrThrow() => _remote ?? throw _noRemote!;

    /// <summary>The refs of one namespace (<c>ls-remote</c>); <paramref name="what"/> says what could not be read, e.g. "cannot read green refs of
    /// 'stg'".</summary>
    public async Task<IReadOnlyList<RemoteRef>> ListAsync(string prefix, string what, CancellationToken cancellationToken)
    {
        var remote = RemoteOrThrow();
        try
        {
            return await _client.ListRefsAsync(remote.Remote, [prefix], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, cancellationToken))
        {
            throw Unavailable(what, remote, e, prefix);
        }
    }

    /// <summary>
    /// Every record of one namespace with its tag (who and when), at most <paramref name="max"/>: one fetch of the namespace
    /// into this repository's copy of the environment's records. In a quarantined server hook (nothing may be written) the
    /// names alone, from <c>ls-remote</c>.
    /// </summary>
    public async Task<IReadOnlyList<CommitRecordFetch.Found>> ListWithTagsAsync(string prefix, string what, int max, CancellationToken cancellationToken)
    {
        if (_listOnly)
            return (await ListAsync(prefix, what, cancellationToken).ConfigureAwait(false)).Take(max)
                .Select(r => new CommitRecordFetch.Found(r, null)).ToList();
        var remote = RemoteOrThrow();
        var fetch = new CommitRecordFetch(_repository, _client, remote, _environment.Name);
        try
        {
            return await fetch.FetchNamespaceAsync(prefix, max, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, cancellationToken))
        {
            throw Unavailable(what, remote, e, prefix);
        }
    }

    /// <summary>The records of some commits, one <see cref="CommitRecordFetch"/>; a failure names <paramref name="prefix"/> in its hint.</summary>
    public async Task<IReadOnlyList<CommitRecordFetch.Found>> FetchAsync(IReadOnlyCollection<string> green, IReadOnlyCollection<string> review,
        bool approvals, string what, string prefix, CancellationToken cancellationToken)
    {
        var remote = RemoteOrThrow();
        try
        {
            return await new CommitRecordFetch(_repository, _client, remote, _environment.Name, _listOnly)
                .FetchAsync(green, review, approvals, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, cancellationToken))
        {
            throw Unavailable(what, remote, e, prefix);
        }
    }

    /// <summary>A read of <paramref name="prefix"/> from <paramref name="remote"/> failed.</summary>
    public static EvidenceUnavailableException Unavailable(string what, EnvironmentRemote remote, Exception error, string prefix) =>
        GitEvidenceFailures.Unavailable($"{what} from {remote.Display}", error,
            $"check that the remote answers: git ls-remote {remote.Argument} '{prefix}*'", remote);
}
