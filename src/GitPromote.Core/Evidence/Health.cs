using GitPromote.Core.Policy;

namespace GitPromote.Core.Evidence;

public enum AlarmState { Ok, Alarm, InsufficientData }

/// <summary>One CloudWatch alarm as DescribeAlarms reports it: its state and since when (<c>StateUpdatedTimestamp</c>).</summary>
/// <param name="Kind"><c>metric</c> or <c>composite</c>.</param>
public sealed record AlarmReading(string Name, string Kind, AlarmState State, DateTimeOffset? Since)
{
    /// <summary>
    /// One reading per alarm name: where an answer lists a name more than once (pages that overlap, an answer that
    /// contradicts itself), the worst of them: ALARM, then INSUFFICIENT_DATA, then OK without a time, then the shortest OK.
    /// Never the first one listed, which would let an OK listed before an ALARM pass.
    /// </summary>
    public static IReadOnlyList<AlarmReading> WorstByName(IEnumerable<AlarmReading> readings) =>
        readings.GroupBy(a => a.Name, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(Severity).ThenByDescending(a => a.Since ?? DateTimeOffset.MaxValue).First())
            .ToList();

    private static int Severity(AlarmReading a) => a.State switch
    {
        AlarmState.Alarm => 3,
        AlarmState.InsufficientData => 2,
        _ => a.Since is null ? 1 : 0,
    };
}

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
