using GitPromote.Core.Policy;

namespace GitPromote.Core.Tests.Policy;

public class KeySuggesterTests
{
    private static readonly string[] RootKeys = ["version", "name", "branches", "environments", "rollback", "bypass", "on_error", "timeout"];

    [Theory]
    [InlineData("enviroments", "environments")]
    [InlineData("environment", "environments")]
    [InlineData("vesion", "version")]
    [InlineData("nmae", "name")]
    [InlineData("on-error", "on_error")]
    [InlineData("onerror", "on_error")]
    [InlineData("OnError", "on_error")]
    [InlineData("Timeout", "timeout")]
    [InlineData("branch", "branches")]
    [InlineData("rolback", "rollback")]
    public void Suggests_the_nearest_key_for_a_typo(string typed, string expected)
    {
        Assert.Equal(expected, KeySuggester.Nearest(typed, RootKeys));
    }

    [Theory]
    [InlineData("colour")]
    [InlineData("x")]
    [InlineData("foo")]
    [InlineData("region")]
    [InlineData("approvals")]
    public void Suggests_nothing_for_a_key_that_is_not_a_typo(string typed)
    {
        Assert.Null(KeySuggester.Nearest(typed, RootKeys));
    }

    [Fact]
    public void Suggests_nothing_when_the_mapping_has_no_keys()
    {
        Assert.Null(KeySuggester.Nearest("pipeline", []));
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void Edit_distance_counts_swaps_as_one(string a, string b, int expected)
    {
        Assert.Equal(expected, KeySuggester.EditDistance(a, b));
        Assert.Equal(expected, KeySuggester.EditDistance(b, a));
    }
}
