using GitPromote.Core.Push;
using GitPromote.Core.Server;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Server;

/// <summary>The push options git hands the server hook come from the pusher: read bounded, justification cleaned and cut.</summary>
public sealed class PushOptionsTests
{
    private static IReadOnlyList<string> Read(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return PushOptions.Read(new LookupEnvironment(name => map.GetValueOrDefault(name)));
    }

    [Fact]
    public void Options_are_read_in_order_up_to_the_count_git_gives() =>
        Assert.Equal(["a=1", "b"], Read(("GIT_PUSH_OPTION_COUNT", "2"), ("GIT_PUSH_OPTION_0", "a=1"), ("GIT_PUSH_OPTION_1", "b"),
            ("GIT_PUSH_OPTION_2", "beyond")));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("two")]
    [InlineData("99999999999999999999")]
    public void Without_a_positive_count_there_are_no_options(string? count)
    {
        var variables = new List<(string, string)> { ("GIT_PUSH_OPTION_0", "promote.bypass=x") };
        if (count is not null) variables.Add(("GIT_PUSH_OPTION_COUNT", count));
        Assert.Empty(Read([.. variables]));
    }

    [Fact]
    public void A_count_beyond_the_limit_reads_no_more_than_the_limit()
    {
        var asked = new List<string>();
        var options = PushOptions.Read(new LookupEnvironment(name =>
        {
            asked.Add(name);
            return name == "GIT_PUSH_OPTION_COUNT" ? int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : "o";
        }));
        Assert.Equal(PushOptions.MaxOptions, options.Count);
        Assert.Equal(PushOptions.MaxOptions + 1, asked.Count);
    }

    [Fact]
    public void A_missing_option_is_skipped() =>
        Assert.Equal(["b"], Read(("GIT_PUSH_OPTION_COUNT", "2"), ("GIT_PUSH_OPTION_1", "b")));

    [Fact]
    public void The_bypass_justification_is_the_text_after_the_key() =>
        Assert.Equal("prod is down, INC-42", PushOptions.BypassJustification(["ci.skip", "promote.bypass=prod is down, INC-42"]));

    [Fact]
    public void The_last_bypass_option_wins() =>
        Assert.Equal("second", PushOptions.BypassJustification(["promote.bypass=first", "promote.bypass=second"]));

    [Theory]
    [InlineData("promote.bypass=")]
    [InlineData("promote.bypass=   ")]
    [InlineData("promote.bypass")]
    [InlineData("promote.bypassed=x")]
    [InlineData("other=x")]
    public void No_justification_is_no_bypass(string option) =>
        Assert.Null(PushOptions.BypassJustification([option]));

    [Fact]
    public void A_blank_last_bypass_option_cancels_an_earlier_one() =>
        Assert.Null(PushOptions.BypassJustification(["promote.bypass=first", "promote.bypass= "]));

    [Fact]
    public void Control_characters_in_a_justification_become_spaces_so_they_never_reach_a_terminal_raw() =>
        Assert.Equal("fix [31mred ", PushOptions.BypassJustification(["promote.bypass=fix\u001b[31mred\n"]));

    [Fact]
    public void Bidi_overrides_in_a_justification_become_spaces_as_on_the_client_so_a_record_cannot_read_backwards() =>
        Assert.Equal("INC-42 fix  lanigiro", PushOptions.BypassJustification(["promote.bypass=INC-42 fix \u202Elanigiro"]));

    [Fact]
    public void A_justification_is_cut_at_its_limit() =>
        Assert.Equal(new string('j', BypassJustification.MaxLength), PushOptions.BypassJustification(["promote.bypass=" + new string('j', 50_000)]));
}
