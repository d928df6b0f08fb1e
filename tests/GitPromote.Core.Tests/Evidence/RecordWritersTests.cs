using GitPromote.Core.Evidence;

namespace GitPromote.Core.Tests.Evidence;

public sealed class RecordWritersTests
{
    [Theory]
    [InlineData("pipeline", "", new[] { "pipeline" }, true)]
    [InlineData("pipeline", "", new[] { " pipeline " }, true)]
    [InlineData("ci", "ci@example.com", new[] { "ci@example.com" }, true)]
    [InlineData("Pipeline", "", new[] { "pipeline" }, false)]
    [InlineData("PIPELINE", "", new[] { "pipeline" }, false)]
    [InlineData("ci", "CI@example.com", new[] { "ci@example.com" }, false)]
    [InlineData("alice", "", new[] { "pipeline" }, false)]
    [InlineData("alice", "", new string[0], false)]
    [InlineData("unknown", "", new[] { "unknown" }, false)]
    [InlineData("alice", "", new[] { "" }, false)]
    public void Only_listed_pushers_matched_exactly_may_write_green_records(string name, string email, string[] recorders, bool expected) =>
        Assert.Equal(expected, RecordWriters.MayWriteGreen(new Identity(name, email), recorders));
}
