using System.Text.RegularExpressions;

namespace GitPromote.Core.Policy;

/// <summary>A validated <c>.promote.yml</c> (schema version 1). Built only by <see cref="PolicyLoader"/>.</summary>
public sealed record PromotionPolicy(
    int Version,
    string Name,
    IReadOnlyList<string> Branches,
    IReadOnlyList<EnvironmentPolicy> Environments,
    RollbackMode Rollback,
    BypassPolicy Bypass,
    OnErrorMode OnError,
    TimeSpan Timeout)
{
    public const string FileName = ".promote.yml";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public EnvironmentPolicy? FindEnvironment(string name) =>
        Environments.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));

    /// <summary>The environment a push to <paramref name="env"/> must already be green in; null for the first.</summary>
    public EnvironmentPolicy? PreviousOf(EnvironmentPolicy env) =>
        env.Index == 0 ? null : Environments[env.Index - 1];

    /// <summary>
    /// The deploy branch a check or a suggestion talks about: the first plain name, else the first pattern made
    /// concrete (<c>release/*</c> -> <c>release/next</c>), so it is always one the policy guards.
    /// </summary>
    public string DefaultBranch() =>
        Push.RefNames.Short(Branches.FirstOrDefault(b => b.IndexOfAny(['*', '?']) < 0)
            ?? Branches[0].Replace("*", "next").Replace("?", "x"));
}

public sealed record EnvironmentPolicy(
    string Name,
    int Index,
    IReadOnlyList<string> Remotes,
    AwsAccess? Aws,
    IReadOnlyList<EvidenceSource> Evidence,
    RequireMode Require)
{
    /// <summary>True when this environment keeps its records (green, bypass) in SSM rather than on its git remote.</summary>
    public bool StoresInSsm => Evidence.Any(e => e is SsmEvidence);

    /// <summary>
    /// The evidence source that is also this environment's record store (its revocations and approvals live beside its
    /// green records there): <c>ssm</c> when declared, else <c>git</c> when declared; null when the store is not a source.
    /// </summary>
    public EvidenceSource? StoreEvidence =>
        Evidence.FirstOrDefault(e => e is SsmEvidence) ?? (StoresInSsm ? null : Evidence.FirstOrDefault(e => e is GitEvidence));

    /// <summary><c>soak:</c> how long a commit must have been green here before it may go to the next environment; null: no wait.</summary>
    public TimeSpan? Soak { get; init; }

    /// <summary><c>freeze:</c> windows in which pushes into this environment are refused.</summary>
    public IReadOnlyList<FreezeWindow> Freeze { get; init; } = [];

    /// <summary><c>freeze_allows_rollback:</c> whether a rollback may still go in during a freeze (default true).</summary>
    public bool FreezeAllowsRollback { get; init; } = true;

    /// <summary><c>approvals: { required: N }</c>: approvals from identities other than the pusher a push into this environment needs; 0: none.</summary>
    public int RequiredApprovals { get; init; }

    /// <summary><c>health:</c> the alarms that must be OK (for long enough) before a commit may leave this environment; null: none.</summary>
    public HealthPolicy? Health { get; init; }
}

public sealed record AwsAccess(string? Region, string? Profile, string? RoleArn)
{
    public string Describe() =>
        Profile is not null ? $"profile {Profile}" :
        RoleArn is not null ? $"role {RoleArn}" : "default credentials";
}

public abstract record EvidenceSource
{
    public abstract string Kind { get; }
}

/// <summary><c>refs/promote/green/&lt;sha&gt;</c> on the environment's own remote.</summary>
public sealed record GitEvidence : EvidenceSource
{
    public override string Kind => "git";
}

/// <summary>The parameter <c>/promote/&lt;name&gt;/&lt;env&gt;/green/&lt;sha&gt;</c> in the environment's account.</summary>
public sealed record SsmEvidence : EvidenceSource
{
    public override string Kind => "ssm";
}

/// <summary>A succeeded execution of <see cref="Pipeline"/> (in <see cref="Stage"/>, when given) whose source revision is the commit.</summary>
public sealed record CodePipelineEvidence(string Pipeline, string? Stage, int MaxExecutions) : EvidenceSource
{
    public const int DefaultMaxExecutions = 1000;
    public override string Kind => "codepipeline";
}

public enum RequireMode { Any, All }

public enum RollbackMode { PreviouslyGreen, Never }

public enum OnErrorMode { Block, Allow }

public enum JustificationMatch { Matches, DoesNotMatch, TimedOut }

public sealed record BypassPolicy(Regex Justification)
{
    /// <summary>Used when the policy has no <c>bypass:</c> section: any justification of at least ten characters.</summary>
    public const string DefaultPattern = @"\S.{9,}";

    public bool Accepts(string justification) => Match(justification) == JustificationMatch.Matches;

    /// <summary>Whether the pattern matches; a pattern that runs past its time limit on this text neither accepts nor rejects it.</summary>
    public JustificationMatch Match(string justification)
    {
        try { return Justification.IsMatch(justification) ? JustificationMatch.Matches : JustificationMatch.DoesNotMatch; }
        catch (RegexMatchTimeoutException) { return JustificationMatch.TimedOut; }
    }
}
