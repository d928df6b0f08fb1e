using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Core.Settings;

namespace GitPromote.Core.PipelineGate;

/// <summary>A per-environment value a pipeline step was given, and by what: <c>--remote dev=...</c> or <c>PROMOTE_REMOTE_DEV</c>.</summary>
public sealed record GivenValue(string Value, string From);

/// <summary>Where the commit a pipeline runs for came from: a flag, a CI variable, or the repository's HEAD.</summary>
public sealed record CommitSource(string Value, string From);

/// <summary>
/// The inputs a pipeline step hands the gate and <c>record</c>, read from flags and the CI's own variables. Pure: the
/// environment is a lookup function, so the rules can be tested without a process.
/// </summary>
public static class PipelineInputs
{
    /// <summary>The CI variables that name the commit being built, in the order they are tried.</summary>
    public static readonly IReadOnlyList<string> CommitVariables =
        ["CODEBUILD_RESOLVED_SOURCE_VERSION", "GITHUB_SHA", "CI_COMMIT_SHA", "BUILDKITE_COMMIT", "GIT_COMMIT"];

    /// <summary><c>--commit</c>, else the first CI variable that is set; null when neither (the caller falls back to HEAD).</summary>
    public static CommitSource? CommitFrom(string? flag, IProcessEnvironment environment)
    {
        if (flag is { } given) return new CommitSource(given.Trim(), "--commit");
        foreach (var name in CommitVariables)
        {
            if (environment.Get(name) is { } value && value.Trim().Length > 0) return new CommitSource(value.Trim(), name);
        }
        return null;
    }

    /// <summary>
    /// The commit this pipeline run fetched, as the run itself names it: the construct's <c>PROMOTE_COMMIT</c> (the Source
    /// action's commit), else the CI's own variable. Null outside a pipeline.
    /// </summary>
    public static CommitSource? PipelineSource(IProcessEnvironment environment)
    {
        foreach (var name in (string[])[PromoteSettings.Variables.Commit, .. CommitVariables])
        {
            if (environment.Get(name) is { } value && value.Trim().Length > 0) return new CommitSource(value.Trim(), name);
        }
        return null;
    }

    /// <summary>A full object id (40 or 64 hex digits, any case) as git writes it; null when it is anything else.</summary>
    public static string? FullId(string value)
    {
        var id = value.Trim().ToLowerInvariant();
        return ObjectIds.IsValid(id) && !ObjectIds.IsZero(id) ? id : null;
    }

    /// <summary>The variable that carries a per-environment setting: <c>PROMOTE_AWS_ROLE_</c> + <c>stg-eu</c> = <c>PROMOTE_AWS_ROLE_STG_EU</c>.</summary>
    public static string VariableFor(string prefix, string environment) =>
        prefix + string.Concat(environment.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));

    /// <summary>
    /// Per-environment values from repeated <c>--flag env=value</c> options, then <c>PREFIX_ENV</c> variables for the
    /// environments the options did not name, each with what gave it (<c>--remote dev=...</c>, <c>PROMOTE_REMOTE_DEV</c>) so a
    /// message can say where it looked. An environment the flag names twice is an error (not "the last one wins").
    /// Throws <see cref="FormatException"/> naming the bad entry.
    /// </summary>
    public static IReadOnlyDictionary<string, GivenValue> PerEnvironment(string flag, IEnumerable<string> options, string prefix,
        PromotionPolicy policy, IProcessEnvironment environment)
    {
        var values = new Dictionary<string, GivenValue>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            var eq = option.IndexOf('=');
            if (eq <= 0 || eq == option.Length - 1)
                throw new FormatException($"{flag} '{Quoting.Show(option)}' is not <env>=<value>");
            var env = option[..eq].Trim();
            if (policy.FindEnvironment(env) is null)
                throw new FormatException($"{flag} names '{Quoting.Show(env)}', which is not an environment of the policy " +
                    $"({string.Join(", ", policy.Environments.Select(e => e.Name))})");
            if (values.ContainsKey(env)) throw new FormatException($"{flag} is given twice for {env}: give each environment once");
            values[env] = new GivenValue(option[(eq + 1)..].Trim(), $"{flag} {env}=...");
        }
        foreach (var env in policy.Environments)
        {
            var variable = VariableFor(prefix, env.Name);
            if (!values.ContainsKey(env.Name) && environment.Get(variable) is { } value && value.Trim().Length > 0)
                values[env.Name] = new GivenValue(value.Trim(), variable);
        }
        return values;
    }

    /// <summary>
    /// The policy with each named environment's credentials replaced by the role to assume from the default chain; its
    /// region stays. The policy developers use is not edited: this is how a pipeline reaches each account.
    /// </summary>
    public static PromotionPolicy WithRoles(PromotionPolicy policy, IReadOnlyDictionary<string, string> roles)
    {
        foreach (var (env, arn) in roles)
        {
            if (!arn.StartsWith("arn:", StringComparison.Ordinal) || arn.Length > 2048 || arn.Any(char.IsWhiteSpace) || arn.Any(char.IsControl))
                throw new FormatException($"the role for {env} is not an IAM role ARN: '{Quoting.Show(arn)}'");
        }
        return roles.Count == 0 ? policy : policy with
        {
            Environments = policy.Environments
                .Select(e => roles.TryGetValue(e.Name, out var arn) ? e with { Aws = new AwsAccess(e.Aws?.Region, null, arn) } : e)
                .ToList(),
        };
    }
}
