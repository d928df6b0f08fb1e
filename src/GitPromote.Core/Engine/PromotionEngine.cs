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

public sealed record EvidenceQuery(EnvironmentPolicy Environment, IReadOnlyList<string> Commits);

/// <summary>The inputs of a decision that are not the policy or the push: who pushes, when, and any bypass.</summary>
public sealed record PushContext(Identity Pusher, DateTimeOffset Now, string? BypassJustification);

/// <summary>
/// Decides pushes. Pure: the caller asks the evidence sources the <see cref="Plan"/>'s questions (all at once,
/// so a push of many refs costs one round of calls per environment) and hands the answers to <see cref="Decide"/>.
/// </summary>
public static class PromotionEngine
{
    public static EvidencePlan Plan(PromotionPolicy policy, PushRequest request) =>
        PlanFor(policy, request, EnvironmentRouter.Resolve(policy, request.RemoteName, request.RemoteUrl));

    /// <summary>Plans a push whose target environment is already known (<c>git promote check &lt;env&gt;</c>).</summary>
    public static EvidencePlan PlanFor(PromotionPolicy policy, PushRequest request, EnvironmentPolicy? target)
    {
        var previous = target is null ? null : policy.PreviousOf(target);
        if (target is null || previous is null)
            return new EvidencePlan(target, previous, [], []);

        var guarded = request.Updates.Where(u => EnvironmentRouter.IsDeployBranch(policy, u.RemoteRef)).ToList();
        var commits = guarded.Where(u => !u.IsDeletion && u.Commit is not null)
            .Select(u => u.Commit!).Distinct(StringComparer.Ordinal).ToList();
        var queries = new List<EvidenceQuery>();
        if (commits.Count > 0)
        {
            queries.Add(new EvidenceQuery(previous, commits));
            // Pushes that move a branch back are rollbacks in the making: ask the target at the same time.
            var rewinding = guarded.Where(u => u.RewindsTarget && u.Commit is not null)
                .Select(u => u.Commit!).Distinct(StringComparer.Ordinal).ToList();
            if (policy.Rollback == RollbackMode.PreviouslyGreen && rewinding.Count > 0)
                queries.Add(new EvidenceQuery(target, rewinding));
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
        var asked = plan.Queries.Where(q => q.Environment.Name == plan.Target.Name).SelectMany(q => q.Commits).ToHashSet(StringComparer.Ordinal);
        var commits = plan.Guarded
            .Where(u => !u.IsDeletion && u.Commit is not null && !asked.Contains(u.Commit))
            .Select(u => u.Commit!)
            .Where(c => previous?.StatusOf(c).State != GreenState.Green)
            .Distinct(StringComparer.Ordinal).ToList();
        return commits.Count == 0 ? null : new EvidenceQuery(plan.Target, commits);
    }

    public static BatchVerdict Decide(PromotionPolicy policy, PushRequest request, EvidencePlan plan, PushContext context,
        IReadOnlyDictionary<string, EnvironmentAnswer> answers)
    {
        var guarded = new HashSet<RefUpdate>(plan.Guarded, ReferenceEqualityComparer.Instance);
        var previousAnswer = plan.Previous is null ? null : answers.GetValueOrDefault(plan.Previous.Name);
        var targetAnswer = plan.Target is null ? null : answers.GetValueOrDefault(plan.Target.Name);
        var verdicts = request.Updates
            .Select(u => guarded.Contains(u)
                ? DecideRef(policy, u, plan.Target!, context, previousAnswer, targetAnswer)
                : new RefVerdict(u, VerdictKind.Unguarded))
            .ToList();
        return new BatchVerdict(request, plan.Target, plan.Previous, verdicts,
            previousAnswer?.RecentGreen ?? [], policy.Bypass.Justification.ToString());
    }

    private static RefVerdict DecideRef(PromotionPolicy policy, RefUpdate update, EnvironmentPolicy target, PushContext context,
        EnvironmentAnswer? previous, EnvironmentAnswer? targetAnswer)
    {
        if (update.IsDeletion)
            return new RefVerdict(update, VerdictKind.Blocked) { Reason = BlockReason.DeletesDeployBranch };
        if (update.Commit is not { } commit)
            return new RefVerdict(update, VerdictKind.Blocked) { Reason = BlockReason.NotACommit };

        var wasGreenHere = policy.Rollback == RollbackMode.PreviouslyGreen
            && targetAnswer?.StatusOf(commit) is { State: GreenState.Green };
        // Moving the branch back to a commit once green here is a rollback, even if the previous environment still
        // has it green too: that is what the person pushing does, and what the message should call it.
        if (wasGreenHere && update.RewindsTarget)
            return new RefVerdict(update, VerdictKind.Rollback) { Evidence = targetAnswer!.StatusOf(commit).Fact };

        var status = previous?.StatusOf(commit) ?? GreenStatus.Unknown([]);
        if (status.State == GreenState.Green)
            return new RefVerdict(update, VerdictKind.Promoted) { Evidence = status.Fact };

        if (wasGreenHere)
            return new RefVerdict(update, VerdictKind.Rollback) { Evidence = targetAnswer!.StatusOf(commit).Fact };

        var unavailable = status.State == GreenState.Unknown;
        var failure = status.Sources.Select(s => s.Failure).FirstOrDefault(f => f is not null);
        if (context.BypassJustification is { } justification)
        {
            if (!policy.Bypass.Accepts(justification.Trim()))
                return new RefVerdict(update, VerdictKind.Blocked) { Reason = BlockReason.BypassRejected, Lacking = status.Sources, Failure = failure };
            var record = new BypassRecord(target.Name, commit, update.RemoteRef, justification.Trim(), context.Pusher, context.Now);
            return new RefVerdict(update, VerdictKind.Bypass) { Bypass = record, Lacking = status.Sources, Failure = failure };
        }

        if (unavailable && policy.OnError == OnErrorMode.Allow)
            return new RefVerdict(update, VerdictKind.AllowedOnError) { Lacking = status.Sources, Failure = failure };

        return new RefVerdict(update, VerdictKind.Blocked)
        {
            Reason = unavailable ? BlockReason.EvidenceUnavailable : BlockReason.NotGreen,
            Lacking = status.Sources,
            Failure = failure,
        };
    }
}
