using GitPromote.Core.Policy;

namespace GitPromote.Core.Tests.Policy;

public class DurationParserTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h2m3s4ms", 3_723_004)]
    [InlineData("1ms", 1)]
    [InlineData("30", 30_000)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    public void Reads_durations_people_write(string text, long milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("10 s")]
    [InlineData("-5s")]
    [InlineData("+5s")]
    [InlineData("1.5s")]
    [InlineData("10S")]
    [InlineData("10sec")]
    [InlineData("30s1m")]
    [InlineData("1m1m")]
    [InlineData("5d")]
    [InlineData("1234567890")]
    [InlineData("1234567890s")]
    [InlineData("１０s")]
    public void Refuses_anything_else(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }

    [Fact]
    public void Huge_values_saturate_instead_of_overflowing()
    {
        Assert.True(DurationParser.TryParse("999999999h999999999m999999999s999999999ms", out var duration));
        Assert.Equal(TimeSpan.MaxValue, duration);
    }

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(600_000, "10m")]
    [InlineData(1_500, "1s500ms")]
    [InlineData(0, "0s")]
    public void Formats_back_in_the_same_syntax(long milliseconds, string expected)
    {
        var text = DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal(expected, text);
        Assert.True(DurationParser.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), back);
    }
}
