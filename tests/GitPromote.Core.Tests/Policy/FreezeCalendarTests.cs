using GitPromote.Core.Policy;

namespace GitPromote.Core.Tests.Policy;

public class FreezeCalendarTests
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static RecurringFreeze Weekly(string cron, int hours, TimeZoneInfo? zone = null, string reason = "weekend") =>
        new(cron, TimeSpan.FromHours(hours), zone ?? Amsterdam, reason);

    public static TheoryData<string, DateTimeOffset, DateTimeOffset?> WeekendFreeze => new()
    {
        // Friday 18:00 Amsterdam for 64h: in summer (UTC+2) that is Friday 16:00Z to Monday 08:00Z.
        { "just before it starts", Utc(2024, 6, 7, 15, 59), null },
        { "as it starts", Utc(2024, 6, 7, 16), Utc(2024, 6, 10, 8) },
        { "on Sunday", Utc(2024, 6, 9, 12), Utc(2024, 6, 10, 8) },
        { "just before it ends", Utc(2024, 6, 10, 7, 59), Utc(2024, 6, 10, 8) },
        { "as it ends", Utc(2024, 6, 10, 8), null },
        // In winter (UTC+1) the same local times are an hour later in UTC.
        { "in winter", Utc(2024, 1, 5, 16, 30), null },
        { "in winter after it starts", Utc(2024, 1, 5, 17), Utc(2024, 1, 8, 9) },
        // 27 October 2024: clocks go back on the Sunday; the window still lasts 64 hours from its start.
        { "across the end of summer time", Utc(2024, 10, 27, 12), Utc(2024, 10, 28, 8) },
    };

    [Theory]
    [MemberData(nameof(WeekendFreeze))]
    public void A_recurring_window_follows_its_time_zone(string when, DateTimeOffset at, DateTimeOffset? until)
    {
        var state = FreezeCalendar.At([Weekly("0 18 * * 5", 64)], at);

        Assert.Equal(until, state?.Until);
        Assert.True(until is null == state is null, when);
    }

    [Fact]
    public void Windows_that_overlap_or_touch_are_followed_to_the_end_of_the_last()
    {
        var nightly = Weekly("0 22 * * *", 10, TimeZoneInfo.Utc, "nightly batch");
        var oneOff = new OneOffFreeze(Utc(2024, 6, 4, 8), Utc(2024, 6, 4, 12), "audit");

        var state = FreezeCalendar.At([nightly, oneOff], Utc(2024, 6, 3, 23));

        Assert.Equal(Utc(2024, 6, 4, 12), state?.Until);
        Assert.Equal("nightly batch", state?.Reasons);
    }

    [Fact]
    public void Every_window_running_at_the_moment_gives_its_reason()
    {
        var state = FreezeCalendar.At([
            new OneOffFreeze(Utc(2024, 6, 1, 0), Utc(2024, 6, 10, 0), "migration"),
            Weekly("0 18 * * 5", 64, reason: "weekend"),
        ], Utc(2024, 6, 8, 12));

        Assert.Equal("migration; weekend", state?.Reasons);
        Assert.Equal(Utc(2024, 6, 10, 8), state?.Until);
    }

    [Fact]
    public void A_freeze_that_never_ends_has_no_end_instead_of_looping()
    {
        var always = Weekly("* * * * *", 1, TimeZoneInfo.Utc, "forever");

        var state = FreezeCalendar.At([always], Utc(2024, 6, 3, 12));

        Assert.NotNull(state);
        Assert.Null(state.Until);
    }

    [Fact]
    public void No_window_running_is_no_freeze()
    {
        Assert.Null(FreezeCalendar.At([new OneOffFreeze(Utc(2024, 12, 20, 0), Utc(2025, 1, 4, 0), "year end")], Utc(2024, 12, 19, 23, 59)));
        Assert.Null(FreezeCalendar.At([], Utc(2024, 12, 25, 0)));
    }
}
