using System.Text.Json.Serialization;
using GitPromote.Core.Engine;

namespace GitPromote.Cli.Output;

// The --json outputs, one record per object a script reads; their schemas are docs/json/<command>.schema.json, and
// docs/json.md says what a script may rely on. Names are camelCase in JSON; every member is written, null or not.

/// <summary>What every output starts with.</summary>
public abstract record JsonOutput
{
    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = Json.SchemaVersion;
}

/// <summary>One rule of the checklist: <c>rule</c>, <c>outcome</c> (pass, fail, unknown, skipped), <c>detail</c>, <c>until</c>.</summary>
public sealed record RuleCheckJson(string Rule, string Outcome, string Detail, string? Until)
{
    public static IReadOnlyList<RuleCheckJson> From(IEnumerable<RuleCheck> checks) =>
        checks.Select(c => new RuleCheckJson(c.Name, VerdictWords.RuleOutcome(c.Outcome), c.Detail, Json.Time(c.Until))).ToList();
}

/// <summary><c>check --json</c>, and the first members of <see cref="GateJson"/>: one verdict, in the words of <see cref="VerdictWords"/>.</summary>
public record VerdictJson(
    string Environment,
    string Commit,
    bool Allowed,
    string Outcome,
    string? Reason,
    string Message,
    string? Evidence,
    IReadOnlyList<RuleCheckJson> Checks) : JsonOutput;

/// <summary>A bypass record the gate admitted a commit under.</summary>
public sealed record GateBypassJson(string Justification, string By, string At, string Ref, IReadOnlyList<string> Overrides);

/// <summary><c>gate --json</c>: <see cref="VerdictJson"/>'s members, then where the commit and the policy came from, and the bypass.</summary>
public sealed record GateJson : VerdictJson
{
    public GateJson(VerdictJson verdict, string commitFrom, string policy, GateBypassJson? bypass) : base(verdict)
    {
        CommitFrom = commitFrom;
        Policy = policy;
        Bypass = bypass;
    }

    [JsonPropertyOrder(1)] public string CommitFrom { get; }

    [JsonPropertyOrder(2)] public string Policy { get; }

    [JsonPropertyOrder(3)] public GateBypassJson? Bypass { get; }
}

/// <param name="Forced">Why the record was written with <c>record --force</c>; null when it was not.</param>
public sealed record StatusGreenJson(string Commit, string? When, string Source, string? Subject, string? Forced);

public sealed record StatusHealthJson(bool Ok, string Detail, string? Until);

public sealed record StatusRevocationJson(string Commit, string? Reason, string? By, string? At);

public sealed record EnvironmentStatusJson(
    string Name,
    string? Deployed,
    string? Problem,
    IReadOnlyList<StatusGreenJson> Green,
    string? Next,
    IReadOnlyList<RuleCheckJson> NextWaitsFor,
    StatusHealthJson? Health,
    IReadOnlyList<StatusRevocationJson>? Revoked,
    StatusDeploymentJson? LastDeployment,
    string? LastDeploymentProblem);

/// <summary>The last deployment event of an environment: what its pipeline deployed, when, how, and the bypass it used.</summary>
public sealed record StatusDeploymentJson(string Commit, string At, string Kind, string By, string? Bypass);

/// <summary><c>status --json</c>.</summary>
public sealed record StatusJson(string Name, string Branch, IReadOnlyList<EnvironmentStatusJson> Environments) : JsonOutput;

/// <summary>
/// One entry of <c>audit --json</c>; <c>kind</c> says which of the three it is. The orders keep what every entry has
/// first (a bypass's <c>ref</c> after its commit), then the kind's own members.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(AuditBypassJson), "bypass")]
[JsonDerivedType(typeof(AuditRevocationJson), "revocation")]
[JsonDerivedType(typeof(AuditLiftedJson), "revocation-lifted")]
[JsonDerivedType(typeof(AuditForcedJson), "forced")]
public abstract record AuditEntryJson(
    [property: JsonPropertyOrder(1)] string Environment,
    [property: JsonPropertyOrder(2)] string Commit,
    [property: JsonPropertyOrder(4)] string? At,
    [property: JsonPropertyOrder(5)] string ByName,
    [property: JsonPropertyOrder(6)] string ByEmail);

/// <param name="Landed">False when the push cannot be seen as landed; null when not checked (SSM).</param>
/// <param name="UsedBy">The deployment that used the bypass (a bypass admits one); null while no deployment has.</param>
public sealed record AuditBypassJson(string Environment, string Commit, [property: JsonPropertyOrder(3)] string Ref, string At, string ByName,
    string ByEmail, [property: JsonPropertyOrder(7)] string Justification, [property: JsonPropertyOrder(8)] IReadOnlyList<string> Overrides,
    [property: JsonPropertyOrder(9)] bool? Landed, [property: JsonPropertyOrder(10)] AuditDeploymentJson? UsedBy)
    : AuditEntryJson(Environment, Commit, At, ByName, ByEmail);

/// <summary>A deployment event, as the audit names the one that used a bypass.</summary>
public sealed record AuditDeploymentJson(string At, string Kind, string By);

public sealed record AuditRevocationJson(string Environment, string Commit, string? At, string ByName, string ByEmail,
    [property: JsonPropertyOrder(7)] string? Reason, [property: JsonPropertyOrder(8)] bool Standing) : AuditEntryJson(Environment, Commit, At, ByName, ByEmail);

public sealed record AuditLiftedJson(string Environment, string Commit, string At, string ByName, string ByEmail,
    [property: JsonPropertyOrder(7)] string? Reason)
    : AuditEntryJson(Environment, Commit, At, ByName, ByEmail);

/// <summary>A deployment recorded with <c>record --force</c>; <paramref name="Reason"/> is what the check that was set aside said.</summary>
public sealed record AuditForcedJson(string Environment, string Commit, string At, string ByName, string ByEmail,
    [property: JsonPropertyOrder(7)] string Reason)
    : AuditEntryJson(Environment, Commit, At, ByName, ByEmail);

/// <summary><c>audit --json</c>: every entry, oldest first.</summary>
public sealed record AuditJson(IReadOnlyList<AuditEntryJson> Entries) : JsonOutput;

public sealed record DoctorCheckJson(string Area, string Name, string Status, string Detail, string? Todo);

/// <summary><c>doctor --json</c>.</summary>
public sealed record DoctorJson(bool Ok, IReadOnlyList<DoctorCheckJson> Checks) : JsonOutput;

/// <summary><c>prune --dry-run --json</c>: what would be deleted, and why the rest is kept.</summary>
public sealed record PruneJson(
    string Environment,
    string Store,
    bool DryRun,
    int Records,
    IReadOnlyList<string> Delete,
    int Kept,
    IReadOnlyDictionary<string, int> KeptBecause) : JsonOutput;

public sealed record HistoryLeadTimeFigureJson(int Commits, long? MedianSeconds, long? P90Seconds);

public sealed record HistoryChangeFailureJson(int Forward, int Failed, double? Rate);

public sealed record HistoryRestoreJson(int Failed, int Restored, long? MedianSeconds);

public sealed record HistoryFiguresJson(
    string Environment,
    int Deployments,
    double PerDay,
    double PerWeek,
    HistoryLeadTimeFigureJson LeadTime,
    HistoryChangeFailureJson ChangeFailureRate,
    HistoryRestoreJson TimeToRestore);

public sealed record HistoryBypassJson(string Justification, string By, string At);

public sealed record HistoryRevocationJson(string? Reason, string? By, string? At);

public sealed record HistoryDeploymentJson(
    string Commit,
    string? Subject,
    string At,
    string By,
    string Kind,
    bool FromGreenOnly,
    bool Promoted,
    HistoryBypassJson? Bypass,
    HistoryRevocationJson? Revoked);

public sealed record HistoryLaneJson(string Name, string? Missing, bool RollbacksVisible, IReadOnlyList<HistoryDeploymentJson> Deployments);

public sealed record HistoryCommitJson(
    string Commit,
    string? Subject,
    IReadOnlyDictionary<string, string?> FirstDeployed,
    IReadOnlyList<long?> TimeInSeconds,
    long? TotalSeconds);

public sealed record HistoryLeadTimeJson(string Commit, string CommittedAt, string DeployedWith, string DeployedAt, long Seconds);

/// <summary><c>history --json</c>.</summary>
public sealed record HistoryJsonOutput(
    string Name,
    string Since,
    string Until,
    HistoryFiguresJson? Figures,
    IReadOnlyList<HistoryLaneJson> Environments,
    IReadOnlyList<HistoryCommitJson> Commits,
    IReadOnlyList<HistoryLeadTimeJson> LeadTimes,
    IReadOnlyList<string> Notes) : JsonOutput;

/// <summary>The serializer of every --json output; <see cref="Json.Types"/> is the instance with the output's options.</summary>
[JsonSerializable(typeof(VerdictJson))]
[JsonSerializable(typeof(GateJson))]
[JsonSerializable(typeof(StatusJson))]
[JsonSerializable(typeof(AuditJson))]
[JsonSerializable(typeof(DoctorJson))]
[JsonSerializable(typeof(PruneJson))]
[JsonSerializable(typeof(HistoryJsonOutput))]
public sealed partial class JsonOutputContext : JsonSerializerContext;
