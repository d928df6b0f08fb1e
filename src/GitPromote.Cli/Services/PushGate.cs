using GitPromote.Cli.Output;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Git;

namespace GitPromote.Cli.Services;

public sealed record GateResult(BatchVerdict Verdict, IReadOnlyList<CommitDescription> RecentGreen);

/// <summary>
/// One push, end to end, minus the hook plumbing: ask the evidence, decide, find what to suggest, and
/// record bypasses before letting them through. Shared by the client hook, the server hook and <c>check</c>.
/// </summary>
public sealed class PushGate(IEvidenceProvider provider, PositiveCache? cache, IGitRepository repository)
{
    public async Task<GateResult> DecideAsync(PromotionPolicy policy, PushRequest request, EvidencePlan plan, PushContext context, CancellationToken deadline)
    {
        var gatherer = new EvidenceGatherer(provider, cache);
        var answers = plan.NeedsEvidence ? await gatherer.AskAsync(QueriesToAsk(plan), deadline) : [];
        var verdict = PromotionEngine.Decide(policy, request, plan, context, answers);

        IReadOnlyList<CommitDescription> recent = [];
        if (plan.Previous is { } previous && verdict.Blocked.Any(b => b.Reason is BlockReason.NotGreen or BlockReason.EvidenceUnavailable))
            recent = Newest(await gatherer.RecentGreenAsync(previous, deadline));

        verdict = await RecordBypassesAsync(verdict, plan.Target, deadline);
        return new GateResult(verdict, recent);
    }

    /// <summary>
    /// The plan's questions minus those the positive cache has already settled: a commit the cache proves green in the
    /// previous environment is promoted whatever the target says, unless its ref moves the target's branch back (then it
    /// is called a rollback), so the target is not asked about it. Pushing a commit again then costs no call at all.
    /// </summary>
    private IReadOnlyList<EvidenceQuery> QueriesToAsk(EvidencePlan plan)
    {
        if (cache is null || plan.Previous is not { } previous || plan.Target is not { } target) return plan.Queries;
        var asked = plan.Queries.FirstOrDefault(q => q.Environment.Name == previous.Name)?.Commits ?? [];
        var cached = new EnvironmentAnswer(previous,
            previous.Evidence.Select(s => SourceAnswer.Found(s, s.Kind, cache.Lookup(previous, s, asked).Values)).ToList(), []);
        var rewinding = plan.Guarded.Where(u => u.RewindsTarget && u.Commit is not null).Select(u => u.Commit!).ToHashSet(StringComparer.Ordinal);
        var settled = asked.Where(c => !rewinding.Contains(c) && cached.StatusOf(c).State == GreenState.Green).ToHashSet(StringComparer.Ordinal);
        if (settled.Count == 0) return plan.Queries;
        return plan.Queries
            .Select(q => q.Environment.Name == target.Name ? q with { Commits = q.Commits.Where(c => !settled.Contains(c)).ToList() } : q)
            .Where(q => q.Commits.Count > 0)
            .ToList();
    }

    private async Task<BatchVerdict> RecordBypassesAsync(BatchVerdict verdict, EnvironmentPolicy? target, CancellationToken deadline)
    {
        var bypasses = verdict.BypassesToRecord.ToList();
        if (bypasses.Count == 0 || target is null) return verdict;

        // A bypass is recorded only for a push that will really happen: if another ref is refused, nothing goes.
        if (verdict.Refs.Any(r => !r.IsAllowed))
        {
            var notRecorded = new EvidenceFailure("nothing recorded", "other refs of this push are refused, so the push will not happen", "fix the refused refs, or push them separately");
            foreach (var b in bypasses) verdict = verdict.WithBypassNotRecorded(b, notRecorded);
            return verdict;
        }

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
            catch (EvidenceUnavailableException e)
            {
                verdict = verdict.WithBypassNotRecorded(b, e.Failure);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                verdict = verdict.WithBypassNotRecorded(b, new EvidenceFailure(
                    $"writing the bypass record to {store.Label} did not finish in time", "the check ran out of its time budget (policy 'timeout')",
                    "retry; if it keeps failing, check access to the store"));
            }
        }
        return verdict;
    }

    /// <summary>Newest first: by when evidence says it was recorded, else by the commit's own time when this clone has it.</summary>
    private List<CommitDescription> Newest(IReadOnlyList<GreenFact> facts) => CommitDescriptions.NewestFirst(repository, facts).Select(x => x.Description).ToList();
}
