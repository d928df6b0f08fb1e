namespace GitPromote.Core.Policy;

/// <summary>
/// The keys each mapping of schema version 1 accepts: the single list that unknown-key errors and
/// "did you mean" come from. To add a key (soak, freeze, approvals...), add it here and read it where
/// that mapping is read.
/// </summary>
internal static class PolicyKeys
{
    public static readonly KeyTable Root = new("the policy",
        "version", "name", "branches", "environments", "rollback", "bypass", "on_error", "timeout");

    public static readonly KeyTable Environment = new("an environment",
        "name", "remotes", "aws", "evidence", "require", "soak", "freeze", "freeze_allows_rollback", "approvals", "health");

    public static readonly KeyTable Aws = new("'aws'", "region", "profile", "role_arn");

    /// <summary>An evidence entry is a mapping with exactly one of these keys.</summary>
    public static readonly KeyTable EvidenceKinds = new("an evidence entry", "git", "ssm", "codepipeline");

    public static readonly KeyTable Git = new("'git'");

    public static readonly KeyTable Ssm = new("'ssm'");

    public static readonly KeyTable CodePipeline = new("'codepipeline'", "pipeline", "stage", "max_executions");

    public static readonly KeyTable Bypass = new("'bypass'", "justification");

    /// <summary>A <c>freeze:</c> entry: recurring (cron, duration, timezone) or one-off (from, to), with a reason.</summary>
    public static readonly KeyTable FreezeWindow = new("a freeze window", "cron", "duration", "timezone", "from", "to", "reason");

    public static readonly KeyTable Approvals = new("'approvals'", "required");

    public static readonly KeyTable Health = new("'health'", "alarms", "healthy_for", "insufficient_data");
}

internal sealed class KeyTable(string owner, params string[] keys)
{
    /// <summary>How messages name the mapping, e.g. <c>'aws'</c>.</summary>
    public string Owner { get; } = owner;
    public IReadOnlyList<string> Keys { get; } = keys;

    public bool Contains(string key) => Keys.Contains(key, StringComparer.Ordinal);

    public string UnknownKeyMessage(string key)
    {
        var shown = Quoting.Show(key);
        if (KeySuggester.Nearest(key, Keys) is { } nearest) return $"unknown key '{shown}'; did you mean '{nearest}'?";
        if (Keys.Count == 0) return $"unknown key '{shown}'; {Owner} takes no settings";
        return $"unknown key '{shown}'; valid keys of {Owner} are: {string.Join(", ", Keys)}";
    }
}
