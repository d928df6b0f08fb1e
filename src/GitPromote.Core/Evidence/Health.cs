using GitPromote.Core.Policy;

namespace GitPromote.Core.Evidence;

public enum AlarmState { Ok, Alarm, InsufficientData }

/// <summary>One CloudWatch alarm as DescribeAlarms reports it: its state and since when (<c>StateUpdatedTimestamp</c>).</summary>
/// <param name="Kind"><c>metric</c> or <c>composite</c>.</param>
public sealed record AlarmReading(string Name, string Kind, AlarmState State, DateTimeOffset? Since);

/// <summary>
/// What an environment's health reader said: the alarms matching its <c>health.alarms</c>, or why they could not be read.
/// Never cached: health is asked afresh on every push.
/// </summary>
public sealed record HealthAnswer(string Label, IReadOnlyList<AlarmReading> Alarms, EvidenceFailure? Failure)
{
    public static HealthAnswer Read(string label, IReadOnlyList<AlarmReading> alarms) => new(label, alarms, null);
    public static HealthAnswer Failed(string label, EvidenceFailure failure) => new(label, [], failure);
}

/// <summary>Reads the state of an environment's alarms (CloudWatch DescribeAlarms). Implementations do the I/O.</summary>
public interface IHealthReader
{
    /// <summary>e.g. <c>cloudwatch alarms in stg</c>.</summary>
    string Label { get; }

    /// <summary>Every alarm whose name is one of the patterns' names or starts with one of their prefixes. Throws <see
    /// cref="EvidenceUnavailableException"/>.</summary>
    Task<IReadOnlyList<AlarmReading>> ReadAsync(IReadOnlyList<AlarmPattern> patterns, CancellationToken cancellationToken);
}
