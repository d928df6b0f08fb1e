using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.PipelineGate;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.TestSupport;

/// <summary>
/// What every store would say, asked through the engine's own loop (<see cref="PromotionEngine.DecideAsync"/>: plan,
/// then follow-up, then decide). Green facts carry the time they were recorded, so soak
/// can be tested with a fake clock (<see cref="PushContext.Now"/>).
/// </summary>
public sealed class FakeWorld
{
    private readonly Dictionary<(string Env, string Kind), Dictionary<string, DateTimeOffset?>> _green = [];
    private readonly Dictionary<(string Env, string Commit), Revocation> _revoked = [];
    private readonly List<Approval> _approvals = [];
    private readonly Dictionary<(string Env, string Kind), string> _failingSources = [];
    private readonly HashSet<string> _unreadableStores = new(StringComparer.Ordinal);
    private readonly HashSet<string> _silent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<EvidenceSource>> _extraSources = new(StringComparer.Ordinal);

    private readonly Dictionary<string, List<AlarmReading>> _alarms = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unreadableHealth = new(StringComparer.Ordinal);

    public List<EvidenceQuery> Asked { get; } = [];

    /// <summary>A CloudWatch alarm in <paramref name="env"/>'s account, in <paramref name="state"/> since <paramref name="since"/>.</summary>
    public FakeWorld Alarm(string env, string name, AlarmState state, DateTimeOffset? since, string kind = "metric") => Do(() =>
    {
        if (!_alarms.TryGetValue(env, out var alarms)) _alarms[env] = alarms = [];
        alarms.RemoveAll(a => a.Name == name);
        alarms.Add(new AlarmReading(name, kind, state, since));
    });

    /// <summary>Asked about <paramref name="env"/>'s health, this world cannot read it.</summary>
    public FakeWorld FailHealth(string env) => Do(() => _unreadableHealth.Add(env));

    /// <summary>The commit is green in <paramref name="env"/> by the source of <paramref name="kind"/>, recorded at <paramref name="at"/> (null: a record with
    /// no time).</summary>
    public FakeWorld Green(string env, string commit, DateTimeOffset? at, string kind = "git")
    {
        if (!_green.TryGetValue((env, kind), out var commits)) _green[(env, kind)] = commits = new(StringComparer.Ordinal);
        commits[commit] = at;
        return this;
    }

    public FakeWorld Revoke(string env, string commit, string reason = "alarm fired") =>
        Do(() => _revoked[(env, commit)] = new Revocation(env, commit, reason, new Identity("Ops", "ops@example.com"),
            new DateTimeOffset(2024, 6, 1, 8, 0, 0, TimeSpan.Zero)));

    public FakeWorld Approve(string env, string commit, Identity by) =>
        Do(() => _approvals.Add(new Approval(env, commit, ApproverIds.Of(by), by)));

    public FakeWorld FailSource(string env, string kind, string why = "throttled") => Do(() => _failingSources[(env, kind)] = why);

    /// <summary>Asked about <paramref name="env"/>, this world gives no answer for it at all (not even a failed one).</summary>
    public FakeWorld Silent(string env) => Do(() => _silent.Add(env));

    /// <summary><paramref name="env"/> also answers for <paramref name="source"/>, which its policy does not declare, after its own sources.</summary>
    public FakeWorld AlsoAnswers(string env, EvidenceSource source) => Do(() =>
    {
        if (!_extraSources.TryGetValue(env, out var sources)) _extraSources[env] = sources = [];
        sources.Add(source);
    });

    public FakeWorld FailStore(string env) => Do(() => _unreadableStores.Add(env));

    private FakeWorld Do(Action change)
    {
        change();
        return this;
    }

    public BatchVerdict Decide(PromotionPolicy policy, PushRequest request, PushContext context) =>
        Decide(policy, request, context, TestPlans.Routed(policy, request));

    /// <summary>The pipeline gate's question, asked as <c>git promote gate</c> asks it: one commit into <paramref name="target"/>.</summary>
    public RefVerdict Gate(PromotionPolicy policy, string target, string commit, DateTimeOffset now)
    {
        var env = policy.FindEnvironment(target)!;
        var request = GateDecision.Request(policy, commit, target, "pipeline");
        var context = new PushContext(Identity.Unknown, now, null) { StoreIdentity = new Identity("(gate)", "") };
        return Decide(policy, request, context, PromotionEngine.PlanFor(policy, request, env)).Refs[0];
    }

    /// <summary>The engine's own loop, with this world answering: every answer is ready at once, so it completes synchronously.</summary>
    private BatchVerdict Decide(PromotionPolicy policy, PushRequest request, PushContext context, EvidencePlan plan) =>
        PromotionEngine.DecideAsync(policy, request, plan, context, Ask, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>An <see cref="AskEvidence"/>: each query answered from this world, in the order asked.</summary>
    public Task<IReadOnlyDictionary<string, EnvironmentAnswer>> Ask(IReadOnlyList<EvidenceQuery> queries, CancellationToken deadline) =>
        Task.FromResult<IReadOnlyDictionary<string, EnvironmentAnswer>>(queries.Select(Answer)
            .Where(a => !_silent.Contains(a.Environment.Name)).ToDictionary(a => a.Environment.Name, StringComparer.Ordinal));

    private EnvironmentAnswer Answer(EvidenceQuery query)
    {
        Asked.Add(query);
        var env = query.Environment;
        var sources = query.Commits.Count == 0 ? [] : env.Evidence.Concat(_extraSources.GetValueOrDefault(env.Name) ?? []).Select(source =>
        {
            if (_failingSources.TryGetValue((env.Name, source.Kind), out var why))
                return SourceAnswer.Failed(source, source.Kind, new EvidenceFailure($"read {source.Kind}", why, "retry"));
            var green = _green.GetValueOrDefault((env.Name, source.Kind)) ?? [];
            return SourceAnswer.Found(source, source.Kind, query.Commits.Where(green.ContainsKey)
                .Select(c => new GreenFact(c, $"{source.Kind} on {env.Name}", green[c])));
        }).ToList();
        ReviewRecords? records = null;
        if (query.ReviewCommits.Count > 0)
        {
            records = _unreadableStores.Contains(env.Name)
                ? ReviewRecords.Failed("store", new EvidenceFailure($"read the store of {env.Name}", "access denied", "ask for read access"))
                : ReviewRecords.Found("store",
                    query.ReviewCommits.Select(c => _revoked.GetValueOrDefault((env.Name, c))).OfType<Revocation>(),
                    query.Approvals ? _approvals.Where(a => a.Environment == env.Name && query.ReviewCommits.Contains(a.Commit)) : null);
        }
        HealthAnswer? health = null;
        if (query.Health && env.Health is { } policy)
            health = _unreadableHealth.Contains(env.Name)
                ? HealthAnswer.Failed("cloudwatch",
                new EvidenceFailure($"cloudwatch:DescribeAlarms in {env.Name}", "access denied", "allow cloudwatch:DescribeAlarms"))
                : HealthAnswer.Read("cloudwatch", (_alarms.GetValueOrDefault(env.Name) ?? []).Where(a => policy.Alarms.Any(p => p.Matches(a.Name))).ToList());
        return new EnvironmentAnswer(env, sources) { Records = records, Health = health };
    }
}
