using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Platform;

namespace GitPromote.Gate;

/// <summary>
/// The gate: one push judged, whoever asks (pre-push, pre-receive, <c>check</c>, the pipeline gate). It reads the pushed
/// ids as commits, plans, says who pushes, gathers the evidence within the caller's deadline through the clients of
/// <see cref="IRepositoryEvidence"/>, decides with the engine, suggests what may go instead, and records an allowed
/// bypass (<see cref="PushGate"/>). Nothing here renders or reads a hook's input: the caller does both.
/// </summary>
public sealed class GateService(ILocalRepository local, IRepositoryEvidence evidence, IClock clock)
{
    /// <summary>
    /// Who pushes is unknown in a pipeline, so no approval is discounted as the pusher's own: this identity matches no
    /// approver (docs/guardrails.md says what that means for four-eyes).
    /// </summary>
    public static readonly Identity UnknownPusher = new("(the pipeline gate: pusher unknown)", "");

    /// <summary>
    /// True when the push moves one of the policy's deploy branches: anything else goes through without the gate. The hooks
    /// ask this first (most pushes, of feature branches, need no repository and no evidence).
    /// </summary>
    public static bool Judges(PromotionPolicy policy, IReadOnlyList<RefUpdate> updates) => EnvironmentRouter.DeployUpdates(policy, updates).Any();

    public async Task<GateAnswer> DecideAsync(GateRequest request, CancellationToken deadline)
    {
        var policy = request.Policy;
        var readAhead = ReadAheadAsync(request, deadline);
        try
        {
            var push = new PushRequest(request.RouteName, request.RemoteUrl, Peeled(request));
            var plan = PromotionEngine.PlanFor(policy, push, request.Target);
            var provider = request.Server is { } server ? evidence.ServerStores(policy, request.Target, server) : evidence.Stores(policy);
            var context = await WhoPushesAsync(request, deadline);
            var cache = request.Mode == GateMode.PipelineGate ? null : evidence.Cache(policy);
            return await new PushGate(provider, cache, local.Repository).DecideAsync(policy, push, plan, context, deadline);
        }
        finally
        {
            // Nothing read ahead outlives the decision, however it ended: no fetch left writing refs, no read of a
            // repository about to be closed.
            await evidence.SettleAsync();
            await readAhead;
        }
    }

    /// <summary>
    /// The gate's evidence gathering for a policy, for what reads evidence without judging a push (<c>status</c>, <c>push</c>,
    /// <c>history</c>).
    /// </summary>
    public EvidenceGatherer Gatherer(PromotionPolicy policy) => new(evidence.Stores(policy));

    /// <summary>
    /// The pushed ids as the commits they are, each deploy branch marked as moving back or forward. A pipeline's commit is
    /// the commit already (its clone may not have it); <c>check</c>'s was resolved by its caller.
    /// </summary>
    private IReadOnlyList<RefUpdate> Peeled(GateRequest request) => request.Mode switch
    {
        GateMode.PipelineGate => request.Updates,
        GateMode.Check => PushedCommits.Peel(request.Policy, request.Updates, local.Repository).Select(u => u with { Commit = u.Commit ?? u.NewId }).ToList(),
        _ => PushedCommits.Peel(request.Policy, request.Updates, local.Repository),
    };

    /// <summary>
    /// Who pushes, in the engine's words: the one place it is told. <see cref="PushContext.Pusher"/> signs a bypass record
    /// (a clone's git user is asked only then); <see cref="PushContext.StoreIdentity"/> is the pusher as the target's store
    /// names people, so their own approval does not count.
    /// </summary>
    private async Task<PushContext> WhoPushesAsync(GateRequest request, CancellationToken deadline)
    {
        var target = request.Target;
        var dryRun = request.Mode == GateMode.DryRun;
        switch (request.Pusher)
        {
            case GatePusher.GitUser user:
                return new PushContext(request.Bypass is null ? Identity.Unknown : user.Identity(), clock.Now, request.Bypass)
                {
                    StoreIdentity = await InTargetStoreAsync(evidence.Stores(request.Policy), target, user.Identity, deadline),
                    DryRun = dryRun,
                };
            case GatePusher.Named named:
                // Approvals in git stores are keyed by email: only a server that names the pusher by email can tell theirs apart
                // (else, and for SSM stores keyed by AWS callers, the approvals rule refuses rather than guess).
                return new PushContext(named.Identity, clock.Now, request.Bypass)
                {
                    StoreIdentity = target.RequiredApprovals > 0 && !target.StoresInSsm && named.Identity.Email.Length > 0 ? named.Identity : null,
                    DryRun = dryRun,
                };
            default:
                return new PushContext(Identity.Unknown, clock.Now, request.Bypass) { StoreIdentity = UnknownPusher, DryRun = dryRun };
        }
    }

    /// <summary>
    /// Who is pushing, as the target environment's store names people: the AWS caller ARN for SSM stores, the git identity
    /// (its email counts) for git stores. Asked only when the target requires approvals, since the pusher's own approval
    /// must not count; null when it cannot be told (the approvals rule then refuses rather than guess).
    /// </summary>
    private static async Task<Identity?> InTargetStoreAsync(IEvidenceStores stores, EnvironmentPolicy target, Func<Identity> gitIdentity,
        CancellationToken cancellationToken)
    {
        if (target.RequiredApprovals == 0) return null;
        try
        {
            var who = await stores.RecorderAsync(target, gitIdentity(), cancellationToken);
            return who == Identity.Unknown ? null : who;
        }
        catch (Exception e) when (e is EvidenceUnavailableException || Deadline.Passed(e, cancellationToken))
        {
            return null;
        }
    }

    /// <summary>
    /// A client's push asks for its records kept in git before the repository is open: the ids pushed are almost always
    /// the commits themselves, so the fetches the gate will make are started while libgit2 loads and peels them (2-3 ms
    /// that would otherwise come before the fetch), and the gate's identical fetches join them (<see cref="Git.FetchesAhead"/>).
    /// Only for records kept in git: an AWS read is never made on a guess. Nothing here decides: answers are thrown away.
    /// </summary>
    private Task ReadAheadAsync(GateRequest request, CancellationToken deadline)
    {
        if (request.Mode is not (GateMode.Push or GateMode.DryRun) || request.Server is not null || !evidence.ReadsAhead) return Task.CompletedTask;
        var policy = request.Policy;
        var guess = new PushRequest(request.RouteName, request.RemoteUrl, PushedCommits.AsPushed(policy, request.Updates));
        var plan = PromotionEngine.PlanFor(policy, guess, request.Target);
        if (!plan.NeedsEvidence || !plan.Queries.All(InGitOnly)) return Task.CompletedTask;

        local.OpenInBackground();
        var gatherer = new EvidenceGatherer(evidence.ReadAhead(), evidence.Cache(policy, readOnly: true));
        // Called on this thread, not queued: the fetches are started before it returns, so they are always under way when
        // the gate's own fetches come to join them (a queued start could come after, and then would not be joined).
        return AskQuietlyAsync(gatherer, plan.Queries, deadline);
    }

    private static async Task AskQuietlyAsync(EvidenceGatherer gatherer, IReadOnlyList<EvidenceQuery> queries, CancellationToken deadline)
    {
        try { await gatherer.AskAsync(queries, deadline); }
        catch (Exception) { /* a guess: the gate's own read reports whatever went wrong */ }
    }

    private static bool InGitOnly(EvidenceQuery query) =>
        !query.Health && !query.Environment.StoresInSsm && query.Environment.Evidence.All(s => s is GitEvidence);
}
