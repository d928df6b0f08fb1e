using GitPromote.Cli.Infrastructure;
using GitPromote.Core.Policy;
using GitPromote.Core.Settings;
using GitPromote.Git;

namespace GitPromote.Cli.Server;

/// <summary>
/// What the server administrator said about this repository, in git config (repository, system, or
/// <c>GIT_CONFIG_COUNT</c>/<c>git -c</c> from a hook script): which environment it is, where its policy lives,
/// and the hook's time budget. Never anything a pusher controls.
/// </summary>
public sealed record ServerSettings(string? Environment, string? PolicyFile, TimeSpan? Timeout)
{
    /// <summary>The pinned policy branch; null for a policy file, or for an install older than the pin (then HEAD's branch).</summary>
    public string? PolicyRef { get; init; }

    /// <summary>Pusher identities that may write green records (git config <c>promote.recorders</c>, every value).</summary>
    public IReadOnlyList<string> Recorders { get; init; } = [];

    /// <summary>
    /// The default budget: GitHub Enterprise kills a pre-receive hook after 5 s, and a push that waits longer
    /// than that for a verdict feels broken on any server.
    /// </summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);


    public static ServerSettings Read(IGitRepository repository)
    {
        var env = repository.ConfigValue(PromoteSettings.GitKeys.Environment)?.Trim();
        var policy = repository.ConfigValue(PromoteSettings.GitKeys.Policy)?.Trim();
        TimeSpan? timeout = null;
        if (repository.ConfigValue(PromoteSettings.GitKeys.Timeout)?.Trim() is { Length: > 0 } t)
        {
            if (!DurationParser.TryParse(t, out var parsed) || parsed <= TimeSpan.Zero || parsed > MaxTimeout)
                throw new CommandFailedException(ExitCodes.UsageOrPolicy,
                    $"git config {PromoteSettings.GitKeys.Timeout} = '{Clip(t)}' is not a duration like 5s or 1m", "ask the server admin to fix it");
            timeout = parsed;
        }
        var policyRef = repository.ConfigValue(PromoteSettings.GitKeys.PolicyRef)?.Trim();
        return new ServerSettings(env is { Length: > 0 } ? env : null, policy is { Length: > 0 } ? policy : null, timeout)
        {
            PolicyRef = policyRef is { Length: > 0 } ? policyRef : null,
            Recorders = repository.ConfigValues(PromoteSettings.GitKeys.Recorders)
                .SelectMany(v => v.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
        };
    }

    /// <summary>
    /// The check's budget on the server: the admin's <c>promote.timeout</c> when set (the server's limit is theirs);
    /// otherwise the policy's <c>timeout</c>, but never more than <see cref="DefaultBudget"/>. The policy is written for
    /// clients, where a person waits; on the server every push of every user waits, and some servers kill slow hooks.
    /// </summary>
    public TimeSpan BudgetFor(PromotionPolicy policy) => Timeout ?? (policy.Timeout < DefaultBudget ? policy.Timeout : DefaultBudget);

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
