using System.Globalization;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Core.Engine;

/// <summary>
/// Green means healthy: a commit may leave an environment with <c>health:</c> only when every alarm its patterns match
/// is OK and has been OK since at least <see cref="HealthPolicy.HealthyFor"/> ago (<c>StateUpdatedTimestamp</c> ≤ now −
/// healthy_for). A pattern that matches no alarm is a failure that names it. Pure: the alarms and the clock are inputs.
/// </summary>
public static class HealthRule
{
    /// <summary>Problems a message lists one by one; the rest are counted.</summary>
    public const int ProblemsShown = 5;

    public static RuleCheck Judge(EnvironmentPolicy env, HealthPolicy health, HealthAnswer? answer, DateTimeOffset now)
    {
        if (answer is null || answer.Failure is not null)
            return new(Rule.Health, CheckOutcome.Unknown, $"could not read the health alarms of {env.Name}"
                + (answer?.Failure is { } f ? $": {f.What}: {f.Why}" : ""));

        var problems = new List<string>();
        foreach (var pattern in health.Alarms.Where(p => !answer.Alarms.Any(a => p.Matches(a.Name))))
            problems.Add($"no alarm in {env.Name} matches '{Quoting.Show(pattern.Text, 100)}'");

        var matched = AlarmReading.WorstByName(answer.Alarms.Where(a => health.Alarms.Any(p => p.Matches(a.Name))))
            .OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        var need = Time.Span(health.HealthyFor);
        DateTimeOffset? tryAfter = null;
        var onlyWaiting = problems.Count == 0;
        var counted = 0;
        foreach (var alarm in matched)
        {
            var name = Quoting.Show(alarm.Name, 100);
            var since = alarm.Since is { } s ? $" since {Clock(s, now)}" : "";
            switch (alarm.State)
            {
                case AlarmState.InsufficientData when health.InsufficientData == InsufficientDataMode.Ignore:
                    continue;
                case AlarmState.Alarm:
                    problems.Add($"{name} is in ALARM{since}");
                    onlyWaiting = false;
                    break;
                case AlarmState.InsufficientData:
                    problems.Add($"{name} is INSUFFICIENT_DATA{since} (insufficient_data: block)");
                    onlyWaiting = false;
                    break;
                case AlarmState.Ok when alarm.Since is not { } okSince:
                    problems.Add($"{name} is OK but CloudWatch does not say since when");
                    onlyWaiting = false;
                    break;
                case AlarmState.Ok when now - alarm.Since.Value < health.HealthyFor:
                    var okFor = now - alarm.Since.Value;
                    var at = alarm.Since.Value + health.HealthyFor;
                    problems.Add($"{name} has been OK for {Floor(okFor)} of {need}");
                    if (tryAfter is null || at > tryAfter) tryAfter = at;
                    break;
            }
            counted++;
        }

        if (problems.Count == 0)
        {
            var which = counted switch
            {
                0 => $"no alarm of {env.Name} counts (all INSUFFICIENT_DATA, insufficient_data: ignore)",
                1 => $"{Quoting.Show(matched.First(a => a.State == AlarmState.Ok).Name, 100)} in {env.Name} has been OK for at least {need}",
                _ => $"{counted} alarms in {env.Name} have been OK for at least {need}",
            };
            return new(Rule.Health, CheckOutcome.Pass, which);
        }

        var shown = string.Join("; ", problems.Take(ProblemsShown))
            + (problems.Count > ProblemsShown ? $"; and {problems.Count - ProblemsShown} more" : "");
        if (onlyWaiting && tryAfter is { } after)
        {
            var rounded = CeilingToMinute(after);
            return new(Rule.Health, CheckOutcome.Fail, $"{shown}: try again after {Clock(rounded, now)}", rounded);
        }
        return new(Rule.Health, CheckOutcome.Fail, shown)
        {
            Hint = $"{env.Name}'s alarms ({Quoting.Show(health.Describe(), 200)}) must be OK for {need} before a commit leaves {env.Name}",
        };
    }

    /// <summary><c>14:32Z</c> for a time within a day of <paramref name="now"/>, else the date too (<c>2024-06-04 14:32Z</c>).</summary>
    public static string Clock(DateTimeOffset at, DateTimeOffset now) =>
        (at - now).Duration() < TimeSpan.FromHours(20)
            ? at.ToUniversalTime().ToString("HH:mm'Z'", CultureInfo.InvariantCulture)
            : Time.Utc(at);

    /// <summary>How long an alarm has been OK, never more than it has: whole minutes, or whole seconds under a minute.</summary>
    private static string Floor(TimeSpan okFor) =>
        okFor <= TimeSpan.Zero ? "0s"
        : okFor < TimeSpan.FromMinutes(1) ? Time.Span(TimeSpan.FromSeconds(Math.Floor(okFor.TotalSeconds)))
        : Time.Span(TimeSpan.FromMinutes(Math.Floor(okFor.TotalMinutes)));

    private static DateTimeOffset CeilingToMinute(DateTimeOffset at)
    {
        var ticks = at.UtcTicks % TimeSpan.TicksPerMinute;
        return ticks == 0 ? at.ToUniversalTime() : new DateTimeOffset(at.UtcTicks - ticks + TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }
}
