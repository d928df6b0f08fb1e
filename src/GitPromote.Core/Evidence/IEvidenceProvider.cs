using GitPromote.Core.Policy;

namespace GitPromote.Core.Evidence;

/// <summary>Reads one evidence source of one environment. Implementations do the I/O; the engine never calls them.</summary>
public interface IEvidenceReader
{
    /// <summary>A short human label, e.g. <c>git refs on remote dev</c> or <c>ssm /promote/orders/stg/green</c>.</summary>
    string Label { get; }

    /// <summary>Which of <paramref name="commits"/> are green. Throws <see cref="EvidenceUnavailableException"/> when it cannot tell.</summary>
    Task<IReadOnlyList<GreenFact>> FindGreenAsync(IReadOnlyCollection<string> commits, CancellationToken cancellationToken);

    /// <summary>Green commits this source knows, in no particular order, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<GreenFact>> ListGreenAsync(int max, CancellationToken cancellationToken);
}

/// <summary>
/// An environment's record store, the one place its records are kept (git refs on its remote, SSM parameters, or a server
/// hook's own repository): green marks from its pipeline, bypasses, revocations and approvals, deployment events. Callers
/// never ask a store's type: what it does not keep or cannot tell, its contract says (<see cref="KeepsReviews"/>,
/// <see cref="KeepsDeployments"/>, empty <see cref="Unreadable"/> and <see cref="BoundReached"/>, the null answers of
/// <see cref="NotSeenLandedAsync"/> and <see cref="CheckRecordHistoriesAsync"/>).
/// </summary>
public interface IRecordStore : IReviewStore
{
    /// <param name="forced">Why the environment was not seen deploying the commit, when <c>record --force</c> records it anyway: the record says so.</param>
    Task RecordGreenAsync(string commit, Identity by, DateTimeOffset at, CancellationToken cancellationToken, string? forced = null);
    Task RecordBypassAsync(BypassRecord record, CancellationToken cancellationToken);
    Task<IReadOnlyList<BypassRecord>> ListBypassesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True when it keeps revocations and approvals (the <see cref="IReviewStore"/> members). When false (an environment proven
    /// only by CodePipeline, a server hook's pending store) they throw <see cref="EvidenceUnavailableException"/>, and
    /// <see cref="IEvidenceProvider.OpenReviewStore"/> refuses rather than answer for them.
    /// </summary>
    bool KeepsReviews { get; }

    /// <summary>
    /// True when it keeps deployment events beside its green records (git refs, SSM parameters). When false the deployment
    /// members (<see cref="RecordDeploymentAsync"/>, <see cref="ListDeploymentsAsync"/>, <see cref="ReadHistoryAsync"/>) throw
    /// <see cref="EvidenceUnavailableException"/>, and <see cref="KeepsGreenOf"/> is false.
    /// </summary>
    bool KeepsDeployments { get; }

    /// <summary>Writes a new event; never replaces one. Throws <see cref="EvidenceUnavailableException"/> when it cannot.</summary>
    Task RecordDeploymentAsync(DeploymentEvent deployment, CancellationToken cancellationToken);

    /// <summary>
    /// The environment's events, oldest first, at most <see cref="DeploymentNames.MaxListed"/>. Events older than
    /// <paramref name="detailsSince"/> may come from their names alone (commit and time; kind <see cref="DeploymentKind.Forward"/>,
    /// by unknown): a history needs only their commits. Throws <see cref="EvidenceUnavailableException"/> when it cannot tell.
    /// </summary>
    Task<IReadOnlyList<DeploymentEvent>> ListDeploymentsAsync(DateTimeOffset detailsSince, CancellationToken cancellationToken);

    /// <summary>
    /// Everything <c>git promote history</c> reads from this store, from ONE listing of it (one fetch of the record
    /// refs, one recursive GetParametersByPath): events (as <see cref="ListDeploymentsAsync"/>), bypasses, green records
    /// (newest first, at most <paramref name="maxGreen"/>), revocations standing and lifted.
    /// </summary>
    Task<StoredHistory> ReadHistoryAsync(DateTimeOffset detailsSince, int maxGreen, CancellationToken cancellationToken);

    /// <summary>True when <see cref="StoredHistory.Green"/> holds the green records of <paramref name="source"/> (this store's own kind).</summary>
    bool KeepsGreenOf(EvidenceSource source);

    /// <summary>
    /// Records its listings so far skipped rather than fail the whole listing (a record whose commit is missing, a body that
    /// is not a record), named for the audit; empty for a store that skips none.
    /// </summary>
    IReadOnlyList<string> Unreadable { get; }

    /// <summary>Each of its listings so far that stopped at its bound, in words (what, where); empty for a store whose listings have none.</summary>
    IReadOnlyList<string> BoundReached { get; }

    /// <summary>
    /// The bypass records whose pushes cannot be seen as landed, out of <paramref name="records"/>: the ref a record names does
    /// not hold its commit now (neither at its tip nor in its history). The push was refused or killed after its record was
    /// written, or the branch was rolled back past it since: the audit marks the record rather than show it as a landed push.
    /// Null when this store cannot tell (it does not see the branches: SSM). Throws <see cref="EvidenceUnavailableException"/>
    /// when it could tell but cannot reach them now.
    /// </summary>
    Task<IReadOnlySet<BypassRecord>?> NotSeenLandedAsync(IReadOnlyList<BypassRecord> records, CancellationToken cancellationToken);

    /// <summary>
    /// For a store that keeps every version of a record and who wrote it (SSM's parameter history): records written more than
    /// once, or in someone else's name, and what was not checked (a bound reached) in words, null when everything was.
    /// Written-once records (bypass, revocation, lifted revocation, approval, deployment event) must have one version, by the
    /// identity they name. Null when the store keeps one version only (git refs): there is nothing to check.
    /// </summary>
    Task<(IReadOnlyList<RecordFinding> Findings, string? NotChecked)?> CheckRecordHistoriesAsync(CancellationToken cancellationToken);

    /// <summary>The refusal of a store that does not keep <paramref name="what"/> (e.g. <c>revocations and approvals</c>).</summary>
    static EvidenceUnavailableException NotKept(string what, string environment) => new(new EvidenceFailure(
        $"{what} of {environment}",
        "its record store does not keep them",
        $"give {environment} git or ssm evidence in .promote.yml"));
}

/// <summary>
/// A store that keeps at most green marks and bypasses (an environment proven only by CodePipeline, a server hook's pending
/// bypasses): it keeps no revocations, approvals or deployment events, and its listings skip nothing and have no bound.
/// </summary>
public abstract class GreenAndBypassOnlyStore(string environment) : IRecordStore
{
    public abstract string Label { get; }
    public abstract Task RecordGreenAsync(string commit, Identity by, DateTimeOffset at, CancellationToken cancellationToken, string? forced = null);
    public abstract Task RecordBypassAsync(BypassRecord record, CancellationToken cancellationToken);
    public abstract Task<IReadOnlyList<BypassRecord>> ListBypassesAsync(CancellationToken cancellationToken);

    public bool KeepsReviews => false;
    public bool KeepsDeployments => false;
    public bool KeepsGreenOf(EvidenceSource source) => false;
    public IReadOnlyList<string> Unreadable => [];
    public IReadOnlyList<string> BoundReached => [];

    public Task<IReadOnlySet<BypassRecord>?> NotSeenLandedAsync(IReadOnlyList<BypassRecord> records, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<BypassRecord>?>(null);

    public Task<(IReadOnlyList<RecordFinding> Findings, string? NotChecked)?> CheckRecordHistoriesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<(IReadOnlyList<RecordFinding>, string?)?>(null);

    public Task<ReviewRecords> FindReviewsAsync(IReadOnlyCollection<string> commits, bool approvals, CancellationToken cancellationToken) =>
        throw NoReviews;
    public Task RecordRevocationAsync(Revocation revocation, CancellationToken cancellationToken) => throw NoReviews;
    public Task LiftRevocationAsync(Revocation revocation, Identity by, DateTimeOffset at, CancellationToken cancellationToken) => throw NoReviews;
    public Task RecordApprovalAsync(Approval approval, CancellationToken cancellationToken) => throw NoReviews;
    public Task<IReadOnlyList<Revocation>> ListRevocationsAsync(CancellationToken cancellationToken) => throw NoReviews;
    public Task<IReadOnlyList<LiftedRevocation>> ListLiftedRevocationsAsync(CancellationToken cancellationToken) => throw NoReviews;

    public Task RecordDeploymentAsync(DeploymentEvent deployment, CancellationToken cancellationToken) => throw NoDeployments;
    public Task<IReadOnlyList<DeploymentEvent>> ListDeploymentsAsync(DateTimeOffset detailsSince, CancellationToken cancellationToken) =>
        throw NoDeployments;
    public Task<StoredHistory> ReadHistoryAsync(DateTimeOffset detailsSince, int maxGreen, CancellationToken cancellationToken) => throw NoDeployments;

    private EvidenceUnavailableException NoReviews => IRecordStore.NotKept("revocations and approvals", environment);
    private EvidenceUnavailableException NoDeployments => IRecordStore.NotKept("deployment events", environment);
}

/// <summary>Opens readers and stores for the environments of a policy.</summary>
public interface IEvidenceProvider
{
    IEvidenceReader OpenReader(EnvironmentPolicy environment, EvidenceSource source);
    IRecordStore OpenStore(EnvironmentPolicy environment);

    /// <summary>
    /// Where the environment keeps its revocations and approvals: its record store, when that store keeps them. A store
    /// that does not is an unreadable one (never an empty one), so a guard that cannot check a revocation refuses.
    /// </summary>
    IReviewStore OpenReviewStore(EnvironmentPolicy environment) => ReviewStoreIn(OpenStore(environment), environment);

    /// <summary>The rule of <see cref="OpenReviewStore"/>, for a provider that implements it itself.</summary>
    static IReviewStore ReviewStoreIn(IRecordStore store, EnvironmentPolicy environment) =>
        store.KeepsReviews ? store : throw IRecordStore.NotKept("revocations and approvals", environment.Name);

    /// <summary>
    /// Where the environment's evidence lives beyond what the sources' labels say: for AWS the account (as the credentials
    /// reach it), the region and whose credentials; null when there is nothing to add (git refs name their remote). Never
    /// throws: what cannot be told is said.
    /// </summary>
    Task<EvidenceWhere?> DescribeWhereAsync(EnvironmentPolicy environment, CancellationToken cancellationToken) =>
        Task.FromResult<EvidenceWhere?>(null);

    /// <summary>Reads the alarms of an environment's <c>health:</c>; a provider that cannot (no AWS) says so when asked.</summary>
    IHealthReader OpenHealthReader(EnvironmentPolicy environment) =>
        throw new EvidenceUnavailableException(new EvidenceFailure(
            $"the health alarms of {environment.Name}",
            "this evidence provider does not read CloudWatch",
            $"remove 'health' from {environment.Name} in .promote.yml, or check it where AWS is reachable"));
}

/// <summary>
/// What a record's own history says against it: it was rewritten (more than one version, each with its writer and
/// text), or it is an approval whose writer is not the approver it names.
/// </summary>
public sealed record RecordFinding(string Environment, string Record, string Problem, IReadOnlyList<RecordVersion> Versions);

/// <summary>One version of a record as the store keeps it: who the store says wrote it, when, and its text.</summary>
public sealed record RecordVersion(long Version, string? Writer, DateTimeOffset? At, string Text);

/// <summary>An environment's AWS account and region as its credentials reach them, and those credentials in words.</summary>
public sealed record EvidenceWhere(string Environment, string? Account, string? Region, string Description)
{
    /// <summary>
    /// Where each of <paramref name="environments"/> is read (those that use AWS), asked at once; what is not answered by
    /// the deadline is left out: this only adds words to a message.
    /// </summary>
    public static async Task<IReadOnlyList<EvidenceWhere>> OfAsync(IEvidenceProvider provider, IEnumerable<EnvironmentPolicy> environments,
        CancellationToken deadline)
    {
        try
        {
            return (await Task.WhenAll(environments.Select(e => provider.DescribeWhereAsync(e, deadline))).WaitAsync(deadline).ConfigureAwait(false))
                .OfType<EvidenceWhere>().ToList();
        }
        catch (Exception e) when (Deadline.Passed(e, deadline))
        {
            return [];
        }
    }

    /// <summary>The pairs of environments that reach one account and region: evidence read for one is the other's.</summary>
    public static IEnumerable<(EvidenceWhere First, EvidenceWhere Second)> SameAccount(IReadOnlyList<EvidenceWhere> places)
    {
        for (var i = 0; i < places.Count; i++)
            for (var j = i + 1; j < places.Count; j++)
                if (places[i].Account is { } a && a == places[j].Account && places[i].Region == places[j].Region
                    && places[i].Environment != places[j].Environment)
                    yield return (places[i], places[j]);
    }

    /// <summary>e.g. <c>dev and stg both reach account 111111111111 in eu-west-1: ...</c></summary>
    public static string SameAccountWarning(EvidenceWhere first, EvidenceWhere second) =>
        $"{first.Environment} and {second.Environment} both reach account {first.Account} in {first.Region}: if they are meant to be separate " +
        $"accounts, one of them is read with the wrong credentials (check the profile or role of each: {first.Description}; {second.Description})";
}
