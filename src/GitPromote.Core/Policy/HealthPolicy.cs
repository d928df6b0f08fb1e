namespace GitPromote.Core.Policy;

/// <summary>
/// <c>health:</c> of an environment: the CloudWatch alarms in its account that must all be OK, and have been OK for
/// <see cref="HealthyFor"/>, before a commit may leave it for the next environment.
/// </summary>
public sealed record HealthPolicy(IReadOnlyList<AlarmPattern> Alarms, TimeSpan HealthyFor, InsufficientDataMode InsufficientData)
{
    /// <summary><c>healthy_for</c> when neither it nor <c>soak</c> is given.</summary>
    public static readonly TimeSpan DefaultHealthyFor = TimeSpan.FromMinutes(15);

    public IEnumerable<AlarmPattern> Names => Alarms.Where(a => !a.IsPrefix);
    public IEnumerable<AlarmPattern> Prefixes => Alarms.Where(a => a.IsPrefix);

    /// <summary>How messages name the alarms, e.g. <c>orders-stg-5xx, orders-stg-latency-*</c>.</summary>
    public string Describe() => string.Join(", ", Alarms.Select(a => a.Text));
}

/// <summary>One entry of <c>health.alarms</c>: an alarm name, or a name prefix written with a trailing <c>*</c>.</summary>
public sealed record AlarmPattern(string Text)
{
    public bool IsPrefix => Text.EndsWith('*');

    /// <summary>The exact name, or for a prefix pattern the prefix without its <c>*</c>.</summary>
    public string Value => IsPrefix ? Text[..^1] : Text;

    public bool Matches(string alarmName) =>
        IsPrefix ? alarmName.StartsWith(Value, StringComparison.Ordinal) : string.Equals(alarmName, Text, StringComparison.Ordinal);
}

public enum InsufficientDataMode { Block, Ignore }
