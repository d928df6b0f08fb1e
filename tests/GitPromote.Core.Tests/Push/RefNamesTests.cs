using GitPromote.Core.Push;

namespace GitPromote.Core.Tests.Push;

public class RefNamesTests
{
    [Theory]
    [InlineData("refs/heads/main", "main")]
    [InlineData("refs/heads/release/1.2", "release/1.2")]
    [InlineData("refs/tags/v1", "refs/tags/v1")]
    [InlineData("main", "main")]
    public void Short_drops_refs_heads_and_leaves_other_refs_whole(string refName, string expected)
    {
        Assert.Equal(expected, RefNames.Short(refName));
    }
}
