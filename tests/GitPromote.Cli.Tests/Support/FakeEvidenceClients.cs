using GitPromote.Aws;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Gate;
using GitPromote.Git;

namespace GitPromote.Cli.Tests.Support;

/// <summary>
/// The context's evidence clients in memory: every store is <see cref="Evidence"/>, the environments' remotes answer from
/// <see cref="Remote"/>, nothing is read ahead or cached, and AWS is refused loudly (a test that reaches it is wrong).
/// </summary>
internal sealed class FakeEvidenceClients(FakeEvidence evidence) : IEvidenceClients, IRepositoryEvidence
{
    public FakeEvidence Evidence { get; } = evidence;

    public FakeRemote Remote { get; } = new();

    public IRepositoryEvidence Open(ILocalRepository repository) => this;

    public AwsEvidenceProvider Aws(PromotionPolicy policy) => throw new NotSupportedException("the test reached AWS");

    public AwsEnvironmentAccess StepAccount(string label, TimeSpan timeout) => throw new NotSupportedException("the test reached AWS");

    IGitRemoteClient IRepositoryEvidence.Remote => Remote;

    public IEvidenceStores Stores(PromotionPolicy policy) => Evidence;

    public IEvidenceProvider ServerStores(PromotionPolicy policy, EnvironmentPolicy target, ServerHookStores hook) => Evidence;

    public bool ReadsAhead => false;

    public IEvidenceProvider ReadAhead() => throw new NotSupportedException("nothing is read ahead of a fake");

    public PositiveCache? Cache(PromotionPolicy policy, bool readOnly = false) => null;

    public Task SettleAsync() => Task.CompletedTask;
}

/// <summary>The environments' remotes as ls-remote sees them: the refs each holds. Nothing is fetched or pushed.</summary>
internal sealed class FakeRemote : IGitRemoteClient
{
    private readonly Dictionary<string, Dictionary<string, string>> _refs = new(StringComparer.Ordinal);

    /// <summary><paramref name="remote"/> holds <paramref name="refName"/> at <paramref name="id"/>.</summary>
    public FakeRemote Holds(string remote, string refName, string id)
    {
        if (!_refs.TryGetValue(remote, out var refs)) _refs[remote] = refs = new Dictionary<string, string>(StringComparer.Ordinal);
        refs[refName] = id;
        return this;
    }

    public Task<IReadOnlyList<RemoteRef>> ListRefsAsync(string remote, IReadOnlyList<string> refPrefixes, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RemoteRef>>((_refs.GetValueOrDefault(remote) ?? [])
            .Where(r => refPrefixes.Any(p => r.Key.StartsWith(p, StringComparison.Ordinal)))
            .Select(r => new RemoteRef(r.Key, r.Value, null)).ToList());

    public Task PushAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the fake remote takes no push");

    public Task FetchAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the fake remote is not fetched from");
}
