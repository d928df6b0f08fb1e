using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Core.Engine;

/// <summary>What evidence a push needs: which commits to ask which environment about.</summary>
public sealed record EvidencePlan(
    EnvironmentPolicy? Target,
    EnvironmentPolicy? Previous,
    IReadOnlyList<RefUpdate> Guarded,
    IReadOnlyList<EvidenceQuery> Queries)
{
    public bool NeedsEvidence => Queries.Count > 0;
}

/// <summary>Which commits to ask an environment's evidence sources about (<see cref="Commits"/>), and its own store about.</summary>
public sealed record EvidenceQuery(EnvironmentPolicy Environment, IReadOnlyList<string> Commits)
{
    /// <summary>
    /// Commits whose revocations (and, with <see cref="Approvals"/>, approvals) the environment's own store is asked about.
    /// Where the store is also an evidence source (git refs, SSM) this rides on the same call as green.
    /// </summary>
    public IReadOnlyList<string> ReviewCommits { get; init; } = [];

    public bool Approvals { get; init; }

    /// <summary>Read the environment's <c>health:</c> alarms too (never cached), in the same round.</summary>
    public bool Health { get; init; }
}

/// <summary>The inputs of a decision that are not the policy or the push: who pushes, when, and any bypass.</summary>
public sealed record PushContext(Identity Pusher, DateTimeOffset Now, string? BypassJustification)
{
    /// <summary>
    /// The pusher as the target environment's store names people (the AWS caller for SSM stores, the git identity for git
    /// stores), so their own approval is not counted. Needed only when the target requires approvals; null when unknown.
    /// </summary>
    public Identity? StoreIdentity { get; init; }

    /// <summary>
    /// The push is a dry run (<c>git push --dry-run</c>): it is judged as any push, but a bypass is not recorded, since no
    /// ref will move. False when unknown: a bypass is then recorded, as for any push.
    /// </summary>
    public bool DryRun { get; init; }
}

/// <summary>
/// Answers evidence queries, all at once: one answer per queried environment, keyed by its name. A source that fails or
/// runs out of time is a failed answer in the result, never an exception, so the engine can fail closed with a reason.
/// </summary>
public delegate Task<IReadOnlyDictionary<string, EnvironmentAnswer>> AskEvidence(IReadOnlyList<EvidenceQuery> queries, CancellationToken deadline);

/// <summary>
/// Decides pushes. Pure: the caller asks the evidence sources the questions of <see cref="PlanFor"/> (all at once,
/// so a push of many refs costs one round of calls per environment) and hands the answers to <see cref="Decide"/>;
/// <see cref="DecideAsync"/> is that whole conversation, with the caller's <see cref="AskEvidence"/>.
/// </summary>
public static class PromotionEngine
{
    /// <summary>
    /// Plan → ask → follow-up → decide: the plan's queries in one round (none when it needs no evidence), the
    /// <see cref="FollowUp"/> when there is one (its answer merged into the first answer of that environment), then
    /// <see cref="Decide"/>. Every enforcement point (pre-push, pre-receive, check, the pipeline gate) decides through here.
    /// </summary>
    public static async Task<BatchVerdict> DecideAsync(PromotionPolicy policy, PushRequest request, EvidencePlan plan, PushContext context,
        AskEvidence ask, CancellationToken deadline)
    {
        var answers = new Dictionary<string, EnvironmentAnswer>(StringComparer.Ordinal);
        if (plan.NeedsEvidence)
            foreach (var (env, answer) in await ask(plan.Queries, deadline)) answers[env] = answer;
        if (FollowUp(policy, plan, answers) is { } followUp)
        {
            var name = followUp.Environment.Name;
            var more = (await ask([followUp], deadline))[name];
            answers[name] = answers.TryGetValue(name, out var first) ? first.Merge(more) : more;
        }
        return Decide(policy, request, plan, context, answers);
    }

    /// <summary>
    /// Plans a push to <paramref name="target"/>, the environment the caller routed it to (by its remote, or by name:
    /// <c>git promote check &lt;env&gt;</c>); a push to no environment, or to the first, needs no evidence.
    /// </summary>
    public static EvidencePlan PlanFor(PromotionPolicy policy, PushRequest request, EnvironmentPolicy? target)
    {
        var previous = target is null ? null : policy.PreviousOf(target);
        if (target is null || previous is null)
            return new EvidencePlan(target, previous, [], []);

        var guarded = EnvironmentRouter.DeployUpdates(policy, request.Updates).ToList();
        var commits = guarded.Where(u => !u.IsDeletion && u.Commit is not null)
            .Select(u => u.Commit!).Distinct(StringComparer.Ordinal).ToList();
        var queries = new List<EvidenceQuery>();
        if (commits.Count > 0)
        {
            // Revocations in the previous environment are asked on every push, in the same call as green.
            queries.Add(new EvidenceQuery(previous, commits) { ReviewCommits = commits, Health = previous.Health is not null });
            // So are the target's own, in the same round (in parallel): a commit revoked where it goes never goes there
            // again, whatever else holds. Pushes that move a branch back are rollbacks in the making: the target's green
            // records come with that call, and so do approvals.
            var rewinding = policy.Rollback == RollbackMode.PreviouslyGreen
                ? guarded.Where(u => u.RewindsTarget && u.Commit is not null).Select(u => u.Commit!).Distinct(StringComparer.Ordinal).ToList()
                : [];
            queries.Add(new EvidenceQuery(target, rewinding) { ReviewCommits = commits, Approvals = target.RequiredApprovals > 0 });
        }
        return new EvidencePlan(target, previous, guarded, queries);
    }

    /// <summary>
    /// The second round, when there is one: the target environment, about commits the previous environment did not
    /// prove green (they may be rollbacks). A promotion of green commits, the common push, never needs it.
    /// </summary>
    public static EvidenceQuery? FollowUp(PromotionPolicy policy, EvidencePlan plan, IReadOnlyDictionary<string, EnvironmentAnswer> answers)
    {
        if (plan.Target is null || plan.Previous is null || policy.Rollback != RollbackMode.PreviouslyGreen) return null;
        var previous = answers.GetValueOrDefault(plan.Previous.Name);
        var targetQueries = plan.Queries.Where(q => q.Environment.Name == plan.Target.Name).ToList();
        var asked = targetQueries.SelectMany(q => q.Commits).ToHashSet(StringComparer.Ordinal);
        var reviewsAsked = targetQueries.SelectMany(q => q.ReviewCommits).ToHashSet(StringComparer.Ordinal);
        var commits = plan.Guarded
            .Where(u => !u.IsDeletion && u.Commit is not null && !asked.Contains(u.Commit))
            .Select(u => u.Commit!)
            .Where(c => previous?.StatusOf(c).State != GreenState.Green)
            .Distinct(StringComparer.Ordinal).ToList();
        // A rollback to a commit revoked in the target is refused: its revocations come with the same call.
        return commits.Count == 0 ? null : new EvidenceQuery(plan.Target, commits) { ReviewCommits = commits.Where(c => !reviewsAsked.Contains(c)).ToList() };
    }

    public static BatchVerdict Decide(PromotionPolicy policy, PushRequest request, EvidencePlan plan, PushContext context,
        IReadOnlyDictionary<string, EnvironmentAnswer> answers)
    {
        var guarded = new HashSet<RefUpdate>(plan.Guarded, ReferenceEqualityComparer.Instance);
        var previousAnswer = plan.Previous is null ? null : answers.GetValueOrDefault(plan.Previous.Name);
        var targetAnswer = plan.Target is null ? null : answers.GetValueOrDefault(plan.Target.Name);
        var verdicts = request.Updates
            .Select(u => guarded.Contains(u)
                ? DecideRef(policy, u, plan.Target!, plan.Previous!, context, previousAnswer, targetAnswer)
                : new RefVerdict(u, VerdictKind.Unguarded))
            .ToList();
        return new BatchVerdict(request, plan.Target, plan.Previous, verdicts,
            policy.Bypass.Justification.ToString());
    }

    private static RefVerdict DecideRef(PromotionPolicy policy, RefUpdate update, EnvironmentPolicy target, EnvironmentPolicy previousEnv,
        PushContext context, EnvironmentAnswer? previous, EnvironmentAnswer? targetAnswer)
    {
        if (update.IsDeletion)
            return new RefVerdict(update, VerdictKind.Blocked) { Reason = BlockReason.DeletesDeployBranch };
        if (update.Commit is not { } commit)
            return new RefVerdict(update, VerdictKind.Blocked) { Reason = BlockReason.NotACommit };

        var (checks, status, isRollback, rollbackFact) = new RuleEvaluator(policy, target, previousEnv, context, previous, targetAnswer).Evaluate(update,
            commit);
        var failed = checks.Where(c => c.Outcome == CheckOutcome.Fail).ToList();
        var unknown = checks.Where(c => c.Outcome == CheckOutcome.Unknown).ToList();
        var failure = status.Sources.Select(s => s.Failure).FirstOrDefault(f => f is not null)
            ?? previous?.Records?.Failure ?? targetAnswer?.Records?.Failure
            ?? (checks.Any(c => c.Rule == Rule.Health && c.Outcome == CheckOutcome.Unknown) ? previous?.Health?.Failure : null);
        var verdict = new RefVerdict(update, VerdictKind.Blocked) { Checks = checks, Lacking = status.Sources, Failure = failure };

        // A revocation is a person's statement that the commit is bad: no justification sets it aside.
        if (failed.Any(c => c.Rule == Rule.Revocation))
            return verdict with { Reason = BlockReason.Revoked };

        if (failed.Count == 0 && unknown.Count == 0)
            return isRollback
                ? verdict with { Kind = VerdictKind.Rollback, Evidence = rollbackFact, Lacking = [], Failure = null }
                : verdict with { Kind = VerdictKind.Promoted, Evidence = status.Fact, Lacking = [], Failure = null };

        if (context.BypassJustification is { } justification)
        {
            switch (policy.Bypass.Match(justification.Trim()))
            {
                case JustificationMatch.DoesNotMatch: return verdict with { Reason = BlockReason.BypassRejected };
                case JustificationMatch.TimedOut: return verdict with { Reason = BlockReason.BypassPatternTimedOut };
            }
            var record = new BypassRecord(target.Name, commit, update.RemoteRef, justification.Trim(), context.Pusher, context.Now)
            {
                Overrides = failed.Concat(unknown).OrderBy(c => c.Rule).Select(c => c.Name).ToList(),
            };
            return verdict with { Kind = VerdictKind.Bypass, Bypass = record };
        }

        // on_error: allow lets a push through evidence it cannot read, never through revocations it cannot read: a
        // revoked commit must not be admitted because the store that says so is down.
        if (failed.Count == 0 && policy.OnError == OnErrorMode.Allow && !unknown.Any(c => c.Rule == Rule.Revocation))
            return verdict with { Kind = VerdictKind.AllowedOnError };

        return verdict with { Reason = failed.Count == 0 ? BlockReason.EvidenceUnavailable : ReasonFor(failed[0].Rule) };
    }

    private static BlockReason ReasonFor(Rule rule) => rule switch
    {
        Rule.Order => BlockReason.NotGreen,
        Rule.Soak => BlockReason.SoakPending,
        Rule.Health => BlockReason.Unhealthy,
        Rule.Freeze => BlockReason.Frozen,
        Rule.Approvals => BlockReason.ApprovalsMissing,
        Rule.Revocation => BlockReason.Revoked,
        _ => BlockReason.NotGreen,
    };
}
