using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.History;
using GitPromote.Core.Policy;

namespace GitPromote.Gate;

/// <summary>
/// Asks the evidence sources a plan's questions: every environment and every source at once, under one deadline.
/// A source that fails or runs out of time becomes a failed answer (never an exception), so the engine can
/// fail closed with a reason. Every wait ends at the deadline (see <see cref="Bounded"/>), whatever a client does with
/// its token: an endpoint that drip-feeds its answer, or a pipe a grandchild holds, cannot stretch the policy's timeout.
/// </summary>
public sealed class EvidenceGatherer(IEvidenceProvider provider, PositiveCache? cache = null)
{
    private readonly Dictionary<(string Env, EvidenceSource Source), IEvidenceReader> _readers = [];

    public async Task<Dictionary<string, EnvironmentAnswer>> AskAsync(IReadOnlyList<EvidenceQuery> queries, CancellationToken deadline)
    {
        var answers = await Task.WhenAll(queries.Select(q => AskEnvironmentAsync(q, deadline)));
        return answers.ToDictionary(a => a.Environment.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// One environment: each source about green, and the environment's own store about revocations (and approvals). Where
    /// the store is also a source (git refs, SSM), both questions go in the same call; otherwise the store is asked apart.
    /// </summary>
    private async Task<EnvironmentAnswer> AskEnvironmentAsync(EvidenceQuery q, CancellationToken deadline)
    {
        var env = q.Environment;
        var storeSource = q.ReviewCommits.Count > 0 ? env.StoreEvidence : null;
        var health = q.Health && env.Health is { } policy ? HealthAsync(env, policy, deadline) : Task.FromResult<HealthAnswer?>(null);
        ReviewRecords? records = null;
        var sources = await Task.WhenAll(env.Evidence
            .Where(s => q.Commits.Count > 0 || Equals(s, storeSource))
            .Select(async s =>
            {
                if (!Equals(s, storeSource)) return await AskSourceAsync(env, s, q.Commits, deadline);
                var (answer, reviews) = await AskStoreSourceAsync(env, s, q, deadline);
                records = reviews;
                return answer;
            }));
        if (q.ReviewCommits.Count > 0)
            records ??= await AskReviewStoreAsync(env, q.ReviewCommits, q.Approvals, deadline);
        // A question about records only has no green answers to give.
        return new EnvironmentAnswer(env, q.Commits.Count == 0 ? [] : sources) { Records = records, Health = await health };
    }

    /// <summary>The environment's alarms, read afresh (health is never cached); a failure is a failed answer.</summary>
    public async Task<HealthAnswer?> HealthAsync(EnvironmentPolicy env, HealthPolicy policy, CancellationToken deadline)
    {
        var label = $"cloudwatch alarms of {env.Name}";
        try
        {
            var reader = provider.OpenHealthReader(env);
            label = reader.Label;
            return HealthAnswer.Read(label, await Bounded(reader.ReadAsync(policy.Alarms, deadline), deadline));
        }
        catch (Exception e) when (Deadline.Failure(e, deadline, label) is { } failure)
        {
            return HealthAnswer.Failed(label, failure);
        }
    }

    /// <summary>
    /// How many green commits to look at when choosing the newest: sources list in their own order (git by name,
    /// SSM by path), so the newest are found by sorting a generous sample, bounded to keep a refusal fast.
    /// </summary>
    private const int CandidatesForNewest = 200;

    /// <summary>
    /// The green commits of an environment (a bounded sample), for "push this instead" and <c>status</c>. Commits revoked
    /// there are not green there, so they are left out (when the store says which; never at the cost of the answer).
    /// </summary>
    public async Task<IReadOnlyList<GreenFact>> RecentGreenAsync(EnvironmentPolicy env, CancellationToken deadline)
    {
        var revokedTask = RevokedAsync(env, deadline);
        var lists = await Task.WhenAll(env.Evidence.Select(async source =>
        {
            try { return await Bounded(Reader(env, source).ListGreenAsync(CandidatesForNewest, deadline), deadline); }
            catch (Exception e) when (e is EvidenceUnavailableException or NotSupportedException || Deadline.Passed(e, deadline)) { return []; }
        }));
        var revoked = await revokedTask;
        // Under `require: all` a commit is green only where every source says so: suggest nothing less.
        var needed = env.Require == RequireMode.All ? lists.Length : 1;
        return lists.SelectMany(l => l.DistinctBy(g => g.Commit, StringComparer.Ordinal))
            .Where(g => !revoked.Contains(g.Commit))
            .GroupBy(g => g.Commit, StringComparer.Ordinal)
            .Where(g => g.Count() >= needed)
            .Select(g => g.First())
            .ToList();
    }

    private const int MaxRevokedListed = 1000;

    /// <summary>
    /// The commits revoked in an environment (a bounded listing), for suggestions: what is revoked there is never
    /// suggested for it. Empty when the store cannot say; the push that follows a suggestion is judged afresh anyway.
    /// </summary>
    public Task<IReadOnlySet<string>> RevokedCommitsAsync(EnvironmentPolicy env, CancellationToken deadline) => RevokedAsync(env, deadline);

    private async Task<IReadOnlySet<string>> RevokedAsync(EnvironmentPolicy env, CancellationToken deadline)
    {
        try
        {
            var commits = env.StoreEvidence is { } source && Reader(env, source) is IEvidenceWithReviewsReader reviewStore
                ? await Bounded(reviewStore.ListRevokedAsync(MaxRevokedListed, deadline), deadline)
                : (await Bounded(provider.OpenReviewStore(env).ListRevocationsAsync(deadline), deadline)).Select(r => r.Commit).ToList();
            return commits.ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is EvidenceUnavailableException or NotSupportedException || Deadline.Passed(e, deadline))
        {
            return new HashSet<string>();
        }
    }

    /// <summary>
    /// One environment's lane for <c>git promote history</c>: its events, green records (with times), bypasses and
    /// revocations, from one listing of its store (<see cref="IRecordStore.ReadHistoryAsync"/>), plus one per evidence source
    /// kept elsewhere (a pipeline's executions). Any of them failing leaves the whole lane out, named (<see cref="LaneInput.Missing"/>),
    /// rather than showing half of it as if it were all.
    /// </summary>
    public async Task<LaneReading> ReadLaneAsync(EnvironmentPolicy env, DateTimeOffset since, int maxGreen, TimeSpan budget, CancellationToken deadline)
    {
        try
        {
            var records = provider.OpenStore(env);
            var keepsRecords = records.KeepsDeployments;
            var stored = keepsRecords ? await records.ReadHistoryAsync(since, maxGreen, deadline) : null;
            var green = new List<GreenFact>();
            foreach (var source in env.Evidence)
                green.AddRange(keepsRecords && records.KeepsGreenOf(source)
                    ? stored!.Green
                    : await provider.OpenReader(env, source).ListGreenAsync(maxGreen, deadline));
            var revoked = new List<Revocation>();
            if (stored is not null)
            {
                revoked.AddRange(stored.Revocations);
                revoked.AddRange(stored.Lifted.Select(l => l.Revocation));
            }
            var lane = new LaneInput(env.Name) { Events = stored?.Events ?? [], Bypasses = stored?.Bypasses ?? [], Green = green, Revocations = revoked };
            return new LaneReading(lane, keepsRecords, records.Unreadable, records.BoundReached);
        }
        catch (EvidenceUnavailableException e)
        {
            return LaneReading.Missing(env, $"{e.Failure.What}: {e.Failure.Why}");
        }
        catch (Exception e) when (Deadline.Passed(e, deadline))
        {
            return LaneReading.Missing(env, EvidenceFailure.NoAnswerInTime(Deadline.BudgetOf(e, budget)));
        }
    }

    private async Task<(SourceAnswer Answer, ReviewRecords? Reviews)> AskStoreSourceAsync(EnvironmentPolicy env, EvidenceSource source, EvidenceQuery q,
        CancellationToken deadline)
    {
        IEvidenceReader reader;
        try
        {
            reader = Reader(env, source);
        }
        catch (EvidenceUnavailableException e)
        {
            return (SourceAnswer.Failed(source, source.Kind, e.Failure), ReviewRecords.Failed(source.Kind, e.Failure));
        }
        if (reader is not IEvidenceWithReviewsReader reviewStore)
            return (await AskSourceAsync(env, source, q.Commits, deadline), null);

        var cached = Cached(env, source, q.Commits);
        var unknown = q.Commits.Where(c => !cached.ContainsKey(c)).ToList();
        try
        {
            var (found, reviews) = await Bounded(reviewStore.FindGreenAndReviewsAsync(unknown, q.ReviewCommits, q.Approvals, deadline), deadline);
            cache?.Remember(env, source, found);
            return (SourceAnswer.Found(source, reader.Label, cached.Values.Concat(found)), reviews);
        }
        catch (Exception e) when (Deadline.Failure(e, deadline, reader.Label) is { } failure)
        {
            return (SourceAnswer.Failed(source, reader.Label, failure), ReviewRecords.Failed(reader.Label, failure));
        }
    }

    /// <summary>The store of an environment whose store is not one of its evidence sources (e.g. codepipeline only): one call of its own.</summary>
    private async Task<ReviewRecords> AskReviewStoreAsync(EnvironmentPolicy env, IReadOnlyList<string> commits, bool approvals, CancellationToken deadline)
    {
        var label = $"records of {env.Name}";
        try
        {
            var store = provider.OpenReviewStore(env);
            return await Bounded(store.FindReviewsAsync(commits, approvals, deadline), deadline);
        }
        catch (Exception e) when (Deadline.Failure(e, deadline, label) is { } failure)
        {
            return ReviewRecords.Failed(label, failure);
        }
    }

    /// <summary>What the positive cache proves; under <c>soak</c>, only facts that know when they became green.</summary>
    private Dictionary<string, GreenFact> Cached(EnvironmentPolicy env, EvidenceSource source, IReadOnlyList<string> commits)
    {
        var hits = cache?.Lookup(env, source, commits) ?? new Dictionary<string, GreenFact>();
        return hits.Where(h => env.Soak is null || h.Value.RecordedAt is not null).ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
    }

    private async Task<SourceAnswer> AskSourceAsync(EnvironmentPolicy env, EvidenceSource source, IReadOnlyList<string> commits, CancellationToken deadline)
    {
        IEvidenceReader reader;
        try
        {
            reader = Reader(env, source);
        }
        catch (EvidenceUnavailableException e)
        {
            return SourceAnswer.Failed(source, source.Kind, e.Failure);
        }

        var cached = Cached(env, source, commits);
        var unknown = commits.Where(c => !cached.ContainsKey(c)).ToList();
        if (unknown.Count == 0)
            return SourceAnswer.Found(source, reader.Label, cached.Values);
        try
        {
            var found = await Bounded(reader.FindGreenAsync(unknown, deadline), deadline);
            cache?.Remember(env, source, found);
            return SourceAnswer.Found(source, reader.Label, cached.Values.Concat(found));
        }
        catch (Exception e) when (Deadline.Failure(e, deadline, reader.Label) is { } failure)
        {
            return SourceAnswer.Failed(source, reader.Label, failure);
        }
    }

    /// <summary>How long a source may take, past the deadline, to fail with its own (more precise) message.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// <paramref name="task"/>, or <see cref="OperationCanceledException"/> at most <see cref="Grace"/> after the deadline,
    /// whether or not the source honours its token. A source left running is abandoned (the process is about to end).
    /// </summary>
    private static async Task<T> Bounded<T>(Task<T> task, CancellationToken deadline)
    {
        try
        {
            return await task.WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (Exception e) when (Deadline.Passed(e, deadline) && !task.IsCompleted)
        {
            try { return await task.WaitAsync(Grace).ConfigureAwait(false); }
            catch (TimeoutException) { throw new OperationCanceledException(deadline); }
        }
    }

    private IEvidenceReader Reader(EnvironmentPolicy env, EvidenceSource source)
    {
        if (!_readers.TryGetValue((env.Name, source), out var reader))
        {
            reader = provider.OpenReader(env, source);
            _readers[(env.Name, source)] = reader;
        }
        return reader;
    }
}

/// <summary>
/// An environment's lane as its store was read for history, and what the listing says of itself: whether the store keeps
/// records of its own, the records it could not read, the listings that stopped at their bound.
/// </summary>
public sealed record LaneReading(LaneInput Lane, bool KeepsRecords, IReadOnlyList<string> Unreadable, IReadOnlyList<string> BoundReached)
{
    public static LaneReading Missing(EnvironmentPolicy env, string why) => new(new LaneInput(env.Name) { Missing = why }, true, [], []);
}
