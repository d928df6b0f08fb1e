using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Gate;

namespace GitPromote.Cli.Tests.Support;

/// <summary>
/// Evidence stores in memory, each environment with its own behaviour: green commits, a reader that never answers (and
/// ignores its token, as a hung endpoint does), a record store that cannot be opened or that hangs while writing.
/// </summary>
internal sealed class FakeEvidence : IEvidenceStores
{
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset?>> _green = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hungReaders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unavailableStores = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hungStores = new(StringComparer.Ordinal);

    /// <summary>Every bypass record a store accepted.</summary>
    public List<BypassRecord> Bypasses { get; } = [];

    public FakeEvidence Green(string env, params string[] commits)
    {
        foreach (var commit in commits) GreenAt(env, commit, null);
        return this;
    }

    /// <summary>The commit is green in the environment, recorded at <paramref name="at"/> (what soak counts from).</summary>
    public FakeEvidence GreenAt(string env, string commit, DateTimeOffset? at)
    {
        if (!_green.TryGetValue(env, out var facts)) _green[env] = facts = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        facts[commit] = at;
        return this;
    }

    /// <summary>The environment's readers (and its revocations) never answer, whatever their token says.</summary>
    public FakeEvidence NeverAnswers(string env) => Do(() => _hungReaders.Add(env));

    /// <summary>The environment's record store cannot be opened (no access, no place for records).</summary>
    public FakeEvidence StoreUnavailable(string env) => Do(() => _unavailableStores.Add(env));

    /// <summary>Writing to the environment's record store waits until its deadline.</summary>
    public FakeEvidence StoreHangs(string env) => Do(() => _hungStores.Add(env));

    private FakeEvidence Do(Action change)
    {
        change();
        return this;
    }

    public static EvidenceFailure StoreFailure(string env) => new($"open the record store of {env}", "access denied", "ask for write access");

    public IEvidenceReader OpenReader(EnvironmentPolicy environment, EvidenceSource source) => new Reader(this, environment.Name, source.Kind);

    public IRecordStore OpenStore(EnvironmentPolicy environment) =>
        _unavailableStores.Contains(environment.Name)
            ? throw new EvidenceUnavailableException(StoreFailure(environment.Name))
            : new Store(this, environment.Name);

    /// <summary>Revocations and approvals: none, readable even where the record store cannot be opened for writing.</summary>
    public IReviewStore OpenReviewStore(EnvironmentPolicy environment) => new Store(this, environment.Name);

    /// <summary>Records are written by git's user, whatever the store.</summary>
    public Task<Identity> RecorderAsync(EnvironmentPolicy environment, Identity gitUser, CancellationToken cancellationToken) => Task.FromResult(gitUser);

    public IPrunableStore OpenPrunable(EnvironmentPolicy environment) => throw new NotSupportedException("the fake evidence prunes nothing");

    private sealed class Reader(FakeEvidence world, string env, string kind) : IEvidenceReader
    {
        public string Label => $"{kind} of {env}";

        public async Task<IReadOnlyList<GreenFact>> FindGreenAsync(IReadOnlyCollection<string> commits, CancellationToken cancellationToken)
        {
            if (world._hungReaders.Contains(env)) await new TaskCompletionSource().Task;
            var green = world._green.GetValueOrDefault(env) ?? [];
            return commits.Where(green.ContainsKey).Select(c => new GreenFact(c, Label, green[c])).ToList();
        }

        public async Task<IReadOnlyList<GreenFact>> ListGreenAsync(int max, CancellationToken cancellationToken)
        {
            if (world._hungReaders.Contains(env)) await new TaskCompletionSource().Task;
            return (world._green.GetValueOrDefault(env) ?? []).Take(max).Select(g => new GreenFact(g.Key, Label, g.Value)).ToList();
        }
    }

    private sealed class Store(FakeEvidence world, string env) : IRecordStore
    {
        public string Label => $"records of {env}";
        public bool KeepsReviews => true;
        public bool KeepsDeployments => false;
        public bool KeepsGreenOf(EvidenceSource source) => false;
        public IReadOnlyList<string> Unreadable => [];
        public IReadOnlyList<string> BoundReached => [];

        public async Task RecordBypassAsync(BypassRecord record, CancellationToken cancellationToken)
        {
            if (world._hungStores.Contains(env)) await Task.Delay(Timeout.Infinite, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            lock (world.Bypasses) world.Bypasses.Add(record);
        }

        public async Task<ReviewRecords> FindReviewsAsync(IReadOnlyCollection<string> commits, bool approvals, CancellationToken cancellationToken)
        {
            if (world._hungReaders.Contains(env)) await new TaskCompletionSource().Task;
            return ReviewRecords.Found(Label, [], approvals ? [] : null);
        }

        public Task<IReadOnlyList<Revocation>> ListRevocationsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Revocation>>([]);

        public Task RecordGreenAsync(string commit, Core.Evidence.Identity by, DateTimeOffset at, CancellationToken cancellationToken, string? forced = null) =>
            throw new NotSupportedException();
        public Task<IReadOnlyList<BypassRecord>> ListBypassesAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RecordRevocationAsync(Revocation revocation, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task LiftRevocationAsync(Revocation revocation, Core.Evidence.Identity by, DateTimeOffset at, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
        public Task RecordApprovalAsync(Approval approval, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<LiftedRevocation>> ListLiftedRevocationsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RecordDeploymentAsync(DeploymentEvent deployment, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<DeploymentEvent>> ListDeploymentsAsync(DateTimeOffset detailsSince, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
        public Task<StoredHistory> ReadHistoryAsync(DateTimeOffset detailsSince, int maxGreen, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
        public Task<IReadOnlySet<BypassRecord>?> NotSeenLandedAsync(IReadOnlyList<BypassRecord> records, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlySet<BypassRecord>?>(null);
        public Task<(IReadOnlyList<RecordFinding> Findings, string? NotChecked)?> CheckRecordHistoriesAsync(CancellationToken cancellationToken) =>
            Task.FromResult<(IReadOnlyList<RecordFinding>, string?)?>(null);
    }
}
