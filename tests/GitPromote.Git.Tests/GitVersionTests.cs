namespace GitPromote.Git.Tests;

public sealed class GitVersionTests
{
    [Theory]
    [InlineData("git version 2.39.5\n", 2, 39)]
    [InlineData("git version 2.39.3 (Apple Git-145)\n", 2, 39)]
    [InlineData("git version 2.45.1.windows.1\n", 2, 45)]
    [InlineData("git version 2.25.1\n", 2, 25)]
    public void The_version_git_reports_is_read_from_each_platforms_wording(string output, int major, int minor) =>
        Assert.Equal(new GitVersion(major, minor), GitVersion.Parse(output));

    [Theory]
    [InlineData("")]
    [InlineData("hub version 2.14.2\n")]
    [InlineData("git version x.y\n")]
    public void Output_naming_no_version_reads_as_none(string output) => Assert.Null(GitVersion.Parse(output));

    [Theory]
    [InlineData(2, 20, true)]
    [InlineData(2, 28, true)]
    [InlineData(2, 29, false)]
    [InlineData(2, 100, false)]
    [InlineData(3, 0, false)]
    [InlineData(1, 99, true)]
    public void Versions_compare_by_number_not_text(int major, int minor, bool older) =>
        Assert.Equal(older, new GitVersion(major, minor).IsOlderThan(GitVersion.MinimumSupported));

    [Fact]
    public void The_git_on_this_machine_reports_a_version() => Assert.NotNull(GitVersion.Of(GitProcess.Default, TimeSpan.FromSeconds(30)));
}
