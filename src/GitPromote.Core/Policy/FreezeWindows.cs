using Cronos;

namespace GitPromote.Core.Policy;

/// <summary>One entry of an environment's <c>freeze:</c> list: a time in which pushes into the environment are refused.</summary>
public abstract record FreezeWindow(string Reason)
{
    /// <summary>The period of this window that contains <paramref name="at"/> (start inclusive, end exclusive), or null.</summary>
    public abstract FreezePeriod? PeriodAt(DateTimeOffset at);

    /// <summary>How a message names the window, e.g. <c>'0 18 * * 5' for 64h (Europe/Amsterdam)</c>.</summary>
    public abstract string Describe();
}

/// <summary>A freeze that starts at each occurrence of <see cref="Cron"/> (in <see cref="TimeZone"/>) and lasts <see cref="Duration"/>.</summary>
public sealed record RecurringFreeze(string Cron, TimeSpan Duration, TimeZoneInfo TimeZone, string Reason) : FreezeWindow(Reason)
{
    private readonly CronExpression _expression = CronExpression.Parse(Cron, CronFormat.Standard);

    public override FreezePeriod? PeriodAt(DateTimeOffset at)
    {
        // The latest start at or before `at` is the only one that can still be running: any earlier one ends sooner.
        if (_expression.GetPreviousOccurrence(at, TimeZone, inclusive: true) is not { } start) return null;
        var end = start + Duration;
        return at < end ? new FreezePeriod(this, start, end) : null;
    }

    public override string Describe() => $"'{Cron}' for {DurationParser.Format(Duration)} ({TimeZone.Id})";
}

/// <summary>A freeze from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive).</summary>
public sealed record OneOffFreeze(DateTimeOffset From, DateTimeOffset To, string Reason) : FreezeWindow(Reason)
{
    public override FreezePeriod? PeriodAt(DateTimeOffset at) => at >= From && at < To ? new FreezePeriod(this, From, To) : null;

    public override string Describe() => $"{FreezeCalendar.Utc(From)} to {FreezeCalendar.Utc(To)}";
}

public sealed record FreezePeriod(FreezeWindow Window, DateTimeOffset Start, DateTimeOffset End);

/// <summary>Whether an environment is frozen at a moment, why, and until when.</summary>
/// <param name="Active">The windows running at that moment, in policy order.</param>
/// <param name="Until">When pushes may go in again: windows that overlap or touch are followed to their end; null when that is more than <see
/// cref="FreezeCalendar.Horizon"/> away.</param>
public sealed record FreezeState(IReadOnlyList<FreezePeriod> Active, DateTimeOffset? Until)
{
    public string Reasons => string.Join("; ", Active.Select(p => p.Window.Reason).Distinct(StringComparer.Ordinal));
}

/// <summary>Answers "is this environment frozen now?" from its windows. Pure: the moment is an input.</summary>
public static class FreezeCalendar
{
    /// <summary>How far ahead a chain of windows is followed to find its end.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(366);
    private const int MaxSteps = 1000;

    /// <summary>Null when no window contains <paramref name="at"/>.</summary>
    public static FreezeState? At(IReadOnlyList<FreezeWindow> windows, DateTimeOffset at)
    {
        var active = windows.Select(w => w.PeriodAt(at)).OfType<FreezePeriod>().ToList();
        if (active.Count == 0) return null;

        // A freeze ends when no window runs any more: a window that starts as another ends continues it.
        var until = active.Max(p => p.End);
        for (var step = 0; step < MaxSteps; step++)
        {
            if (until - at > Horizon) return new FreezeState(active, null);
            var next = windows.Select(w => w.PeriodAt(until)).OfType<FreezePeriod>().Select(p => p.End).DefaultIfEmpty(until).Max();
            if (next <= until) return new FreezeState(active, until);
            until = next;
        }
        return new FreezeState(active, null);
    }

    /// <summary>A moment as messages print it: <c>2026-12-20 00:00Z</c>.</summary>
    public static string Utc(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
