using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Cli.Services;

/// <summary>
/// Asks the evidence sources a plan's questions: every environment and every source at once, under one deadline.
/// A source that fails or runs out of time becomes a failed answer (never an exception), so the engine can
/// fail closed with a reason.
/// </summary>
public sealed class EvidenceGatherer(IEvidenceProvider provider, PositiveCache? cache = null)
{
    private readonly Dictionary<(string Env, EvidenceSource Source), IEvidenceReader> _readers = [];

    public async Task<Dictionary<string, EnvironmentAnswer>> AskAsync(IReadOnlyList<EvidenceQuery> queries, CancellationToken deadline)
    {
        var perEnv = queries.Select(async q =>
        {
            var sources = await Task.WhenAll(q.Environment.Evidence.Select(s => AskSourceAsync(q.Environment, s, q.Commits, deadline)));
            return new EnvironmentAnswer(q.Environment, sources, []);
        });
        var answers = await Task.WhenAll(perEnv);
        return answers.ToDictionary(a => a.Environment.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// How many green commits to look at when choosing the newest: sources list in their own order (git by name,
    /// SSM by path), so the newest are found by sorting a generous sample, bounded to keep a refusal fast.
    /// </summary>
    private const int CandidatesForNewest = 200;

    /// <summary>The green commits of an environment (a bounded sample), for "push this instead" and <c>status</c>.</summary>
    public async Task<IReadOnlyList<GreenFact>> RecentGreenAsync(EnvironmentPolicy env, CancellationToken deadline)
    {
        var lists = await Task.WhenAll(env.Evidence.Select(async source =>
        {
            try { return await Reader(env, source).ListGreenAsync(CandidatesForNewest, deadline); }
            catch (Exception e) when (e is EvidenceUnavailableException or OperationCanceledException or NotSupportedException) { return []; }
        }));
        // Under `require: all` a commit is green only where every source says so: suggest nothing less.
        var needed = env.Require == RequireMode.All ? lists.Length : 1;
        return lists.SelectMany(l => l.DistinctBy(g => g.Commit, StringComparer.Ordinal))
            .GroupBy(g => g.Commit, StringComparer.Ordinal)
            .Where(g => g.Count() >= needed)
            .Select(g => g.First())
            .ToList();
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

        var cached = cache?.Lookup(env, source, commits) ?? new Dictionary<string, GreenFact>();
        var unknown = commits.Where(c => !cached.ContainsKey(c)).ToList();
        if (unknown.Count == 0)
            return SourceAnswer.Found(source, reader.Label, cached.Values);
        try
        {
            var found = await reader.FindGreenAsync(unknown, deadline);
            cache?.Remember(env, source, found);
            return SourceAnswer.Found(source, reader.Label, cached.Values.Concat(found));
        }
        catch (EvidenceUnavailableException e)
        {
            return SourceAnswer.Failed(source, reader.Label, e.Failure);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return SourceAnswer.Failed(source, reader.Label, new EvidenceFailure(
                $"{reader.Label} did not answer in time",
                "the check ran out of its time budget (policy 'timeout')",
                "check your network or VPN, or raise 'timeout' in .promote.yml"));
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
