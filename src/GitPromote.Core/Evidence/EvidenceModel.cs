using GitPromote.Core.Policy;

namespace GitPromote.Core.Evidence;

/// <summary>One commit proven green in one environment by one source.</summary>
public sealed record GreenFact(string Commit, string Source, DateTimeOffset? RecordedAt = null, string? RecordedBy = null)
{
    /// <summary>Why the record was written with <c>record --force</c> (the environment was not seen deploying it); null otherwise.</summary>
    public string? Forced { get; init; }
}

/// <summary>Who did something: from git config on a client, from the server's environment or the AWS caller.</summary>
public sealed record Identity(string Name, string Email)
{
    public static readonly Identity Unknown = new("unknown", "");
    /// <summary>One line whatever the name holds (user.name and records are untrusted).</summary>
    public override string ToString() => Policy.Quoting.OneLine(Email.Length == 0 ? Name : $"{Name} <{Email}>");
}

/// <summary>An emergency bypass, written to the target environment's store before the push is let through.</summary>
public sealed record BypassRecord(
    string Environment,
    string Commit,
    string Ref,
    string Justification,
    Identity By,
    DateTimeOffset At,
    string? Remote = null)
{
    /// <summary>The rules the bypass set aside (order, soak, freeze, approvals), so the audit says what was skipped.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>
    /// The record's name in its store, after the environment's <c>bypass/</c> prefix (<c>&lt;time&gt;-&lt;commit&gt;-&lt;random&gt;</c>: the SSM
    /// parameter name's tail, the git ref name's tail), set by the store that read it; null for a record not read from a store.
    /// The deployment that uses the bypass names it by this (<see cref="DeploymentEvent.Bypass"/>).
    /// </summary>
    public string? Id { get; init; }

    public bool Equals(BypassRecord? other) =>
        other is not null && Environment == other.Environment && Commit == other.Commit && Ref == other.Ref
        && Justification == other.Justification && By == other.By && At == other.At && Remote == other.Remote
        && Overrides.SequenceEqual(other.Overrides) && Id == other.Id;

    public override int GetHashCode() => HashCode.Combine(Environment, Commit, Ref, Justification, By, At, Remote, Id);
}

/// <summary>What a source could not do, in the words a person needs: what failed, why, what to do about it.</summary>
public sealed record EvidenceFailure(string What, string Why, string Todo)
{
    /// <summary>
    /// The one "out of time" failure: <paramref name="what"/> gave no answer within <paramref name="budget"/> (when the
    /// one who stopped waiting knows it; a store handed only a deadline does not). Every wait's limit comes from the
    /// policy's <c>timeout</c> (on a server, capped by the admin's), so what to do is the same unless the caller knows better.
    /// </summary>
    public static EvidenceFailure OutOfTime(string what, TimeSpan? budget = null, string? todo = null) =>
        new(what, NoAnswerInTime(budget), todo ?? "retry; if it keeps happening, check the network, or raise 'timeout' in .promote.yml");

    /// <summary>Why an <see cref="OutOfTime"/> failure failed, alone: for a report that has a line for the reason only.</summary>
    public static string NoAnswerInTime(TimeSpan? budget = null) =>
        budget is { } b ? $"no answer within the time allowed ({DurationParser.Format(b)})" : "no answer within the time allowed";
}

/// <summary>Thrown by evidence sources and stores; caught at the edge and turned into a fail-closed decision.</summary>
public sealed class EvidenceUnavailableException(EvidenceFailure failure, Exception? inner = null)
    : Exception($"{failure.What}: {failure.Why}", inner)
{
    public EvidenceFailure Failure { get; } = failure;
}

/// <summary>The answer of one source of one environment about a set of commits.</summary>
public sealed record SourceAnswer(EvidenceSource Source, string Label, IReadOnlyDictionary<string, GreenFact> Green, EvidenceFailure? Failure)
{
    public static SourceAnswer Found(EvidenceSource source, string label, IEnumerable<GreenFact> green) =>
        new(source, label, green.GroupBy(g => g.Commit, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal), null);

    public static SourceAnswer Failed(EvidenceSource source, string label, EvidenceFailure failure) =>
        new(source, label, new Dictionary<string, GreenFact>(), failure);
}

/// <summary>All answers about one environment: one per evidence source it declares.</summary>
public sealed record EnvironmentAnswer(EnvironmentPolicy Environment, IReadOnlyList<SourceAnswer> Sources)
{
    /// <summary>Revocations and approvals from the environment's own store, when they were asked for.</summary>
    public ReviewRecords? Records { get; init; }

    /// <summary>The environment's alarms, when its health was asked for.</summary>
    public HealthAnswer? Health { get; init; }

    /// <summary>This answer and another about other commits of the same environment, as if asked at once.</summary>
    public EnvironmentAnswer Merge(EnvironmentAnswer other) => this with
    {
        // An answer about records only has no sources: keep the other's as they are.
        Sources = Sources.Count == 0 ? other.Sources : other.Sources.Count == 0 ? Sources : Sources.Zip(other.Sources, (a, b) => a with
        {
            Green = a.Green.Concat(b.Green).GroupBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            Failure = a.Failure ?? b.Failure,
        }).ToList(),
        Records = Records is null ? other.Records : other.Records is null ? Records : Records.Merge(other.Records),
        Health = Health ?? other.Health,
    };

    /// <summary>
    /// Since when the commit has been green here, as <c>require</c> counts it: the earliest time of the sources that prove
    /// it (any), or the latest (all: it became green when the last source did). Null when unknown.
    /// </summary>
    public DateTimeOffset? GreenSince(string commit)
    {
        var facts = Sources.Select(s => s.Green.GetValueOrDefault(commit)).OfType<GreenFact>().ToList();
        if (facts.Count == 0) return null;
        if (Environment.Require == RequireMode.Any)
            return facts.Where(f => f.RecordedAt is not null).Select(f => f.RecordedAt).Min();
        return facts.Any(f => f.RecordedAt is null) ? null : facts.Max(f => f.RecordedAt);
    }

    /// <summary>Combines the sources as the environment's <c>require</c> says.</summary>
    public GreenStatus StatusOf(string commit)
    {
        var failures = Sources.Where(s => s.Failure is not null).ToList();
        var green = Sources.Where(s => s.Green.ContainsKey(commit)).ToList();
        if (Environment.Require == RequireMode.Any)
        {
            if (green.Count > 0) return GreenStatus.IsGreen(green[0].Green[commit]);
            return failures.Count > 0 ? GreenStatus.Unknown(failures) : GreenStatus.NotGreen(Sources);
        }
        if (green.Count == Sources.Count && Sources.Count > 0) return GreenStatus.IsGreen(green[0].Green[commit]);
        var missing = Sources.Where(s => s.Failure is null && !s.Green.ContainsKey(commit)).ToList();
        return missing.Count > 0 ? GreenStatus.NotGreen(missing) : GreenStatus.Unknown(failures);
    }
}

public sealed record GreenStatus(GreenState State, GreenFact? Fact, IReadOnlyList<SourceAnswer> Sources)
{
    public static GreenStatus IsGreen(GreenFact fact) => new(GreenState.Green, fact, []);
    public static GreenStatus NotGreen(IReadOnlyList<SourceAnswer> lacking) => new(GreenState.NotGreen, null, lacking);
    public static GreenStatus Unknown(IReadOnlyList<SourceAnswer> failed) => new(GreenState.Unknown, null, failed);
}

public enum GreenState { Green, NotGreen, Unknown }
