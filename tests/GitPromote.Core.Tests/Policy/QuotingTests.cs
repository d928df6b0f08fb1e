using GitPromote.Core.Policy;

namespace GitPromote.Core.Tests.Policy;

public sealed class QuotingTests
{
    [Theory]
    [InlineData("ok\nforged line", "ok?forged line")]
    [InlineData("title\u001b]0;x\u0007", "title?]0;x?")]
    [InlineData("cr\rover", "cr?over")]
    [InlineData("csi\u009b2J", "csi?2J")]
    [InlineData("bidi\u202eevil\u2066", "bidi?evil?")]
    [InlineData("plain: text, é ✓", "plain: text, é ✓")]
    public void OneLine_leaves_nothing_that_breaks_a_line_or_drives_a_terminal(string text, string expected) =>
        Assert.Equal(expected, Quoting.OneLine(text));
}
