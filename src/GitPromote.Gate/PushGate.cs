using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Git;

namespace GitPromote.Gate;

/// <summary>
/// One push, end to end, minus the hook plumbing: the engine's decision (<see cref="PromotionEngine.DecideAsync"/>) with
/// the evidence gathered from <paramref name="provider"/>, then what to suggest, and bypasses recorded before they are let
/// through: the one place a bypass record is written. <see cref="GateService"/>'s, for every mode it is asked in.
/// </summary>
internal sealed class PushGate(IEvidenceProvider provider, PositiveCache? cache, IGitRepository repository)
{
    public async Task<GateAnswer> DecideAsync(PromotionPolicy policy, PushRequest request, EvidencePlan plan, PushContext context, CancellationToken deadline)
    {
        var gatherer = new EvidenceGatherer(provider, cache);
        var verdict = await PromotionEngine.DecideAsync(policy, request, plan, context, async (queries, t) => await gatherer.AskAsync(queries, t), deadline);

        IReadOnlyList<CommitDescription> recent = [];
        IReadOnlyList<EvidenceWhere> lookedIn = [];
        string? push = null;
        if (plan.Previous is { } previous && plan.Target is { } target
            && verdict.Blocked.FirstOrDefault(b => b.Reason is BlockReason.NotGreen or BlockReason.EvidenceUnavailable or BlockReason.Revoked) is { } refused)
        {
            // "Not green" is only as good as where it looked: the account and region each environment was read in.
            var whereTask = EvidenceWhere.OfAsync(provider, [previous, target], deadline);
            // What to push instead: green in the previous environment, not revoked in the target, not behind what it holds.
            var greenTask = gatherer.RecentGreenAsync(previous, deadline);
            var revoked = await gatherer.RevokedCommitsAsync(target, deadline);
            var tip = refused.Update.IsCreation ? null : refused.Update.OldId;
            var candidates = CommitDescriptions.Candidates(repository, await greenTask, revoked, tip, GateAnswer.MostSuggested);
            recent = candidates.Select(c => c.Description).ToList();
            if (candidates.Count > 0)
                push = CommitDescriptions.PushCommand(verdict.Request.RemoteName, RefNames.Short(refused.Update.RemoteRef), candidates[0].Fact.Commit,
                    candidates[0].Shape, tip);
            lookedIn = await whereTask;
        }

        // Its own budget: a bypass is most needed when a store hung and used up the evidence's time.
        using var recording = new CancellationTokenSource(policy.Timeout);
        verdict = await RecordBypassesAsync(verdict, plan.Target, context.DryRun, recording.Token);
        return new GateAnswer(verdict, recent, push) { LookedIn = lookedIn };
    }

    private async Task<BatchVerdict> RecordBypassesAsync(BatchVerdict verdict, EnvironmentPolicy? target, bool dryRun, CancellationToken deadline)
    {
        var bypasses = verdict.BypassesToRecord.ToList();
        if (bypasses.Count == 0 || target is null) return verdict;

        // A bypass is recorded only for a push that will really happen: if another ref is refused, nothing goes.
        if (verdict.Refs.Any(r => !r.IsAllowed))
        {
            var notRecorded = new EvidenceFailure("nothing recorded", "other refs of this push are refused, so the push will not happen",
                "fix the refused refs, or push them separately");
            foreach (var b in bypasses) verdict = verdict.WithBypassNotRecorded(b, notRecorded);
            return verdict;
        }
        // Nor for a dry run: no ref moves, and a record would admit a later push (or deployment) it was not written for.
        if (dryRun) return verdict with { BypassesNotRecordedForDryRun = true };

        IRecordStore store;
        try
        {
            store = provider.OpenStore(target);
        }
        catch (EvidenceUnavailableException e)
        {
            foreach (var b in bypasses) verdict = verdict.WithBypassNotRecorded(b, e.Failure);
            return verdict;
        }

        foreach (var b in bypasses)
        {
            var record = b.Bypass! with { Remote = RemoteUrls.Redact(verdict.Request.RemoteUrl) };
            try
            {
                await store.RecordBypassAsync(record, deadline);
            }
            catch (Exception e) when (Deadline.Failure(e, deadline, $"writing the bypass record to {store.Label}") is { } failure)
            {
                verdict = verdict.WithBypassNotRecorded(b, failure);
            }
        }
        return verdict;
    }
}
