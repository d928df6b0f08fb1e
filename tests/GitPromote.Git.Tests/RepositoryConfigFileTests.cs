namespace GitPromote.Git.Tests;

public sealed class RepositoryConfigFileTests
{
    [Theory]
    [InlineData("[core]\n\tbare = true\n", "core", null, "bare", "true")]
    [InlineData("[Core]\n\tBARE = false ; comment\n", "core", null, "bare", "false")]
    [InlineData("[remote \"Origin\"]\n\turl = \"https://x/y.git\" # c\n", "remote", "Origin", "url", "https://x/y.git")]
    [InlineData("[remote \"Origin\"]\n\turl = a\n", "remote", "origin", "url", null)]
    [InlineData("[extensions]\n\tpreciousObjects\n", "extensions", null, "preciousobjects", "true")]
    [InlineData("[branch.Main]\n\tremote = o\n", "branch", "main", "remote", "o")]
    [InlineData("[core] bare = true\n", "core", null, "bare", "true")]
    [InlineData("[a]\n\tk = 1\n\tk = 2\n", "a", null, "k", "2")]
    [InlineData("# only a comment\n", "core", null, "bare", null)]
    [InlineData("[a]\n\tk = x\\\"y\n", "a", null, "k", "x\"y")]
    public void Reads_values_as_git_does(string text, string section, string? subsection, string name, string? expected)
    {
        Assert.Equal(expected, RepositoryConfigFile.FromText(text).Get(section, subsection, name));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("Yes", true)]
    [InlineData("on", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("off", false)]
    [InlineData(null, false)]
    public void Reads_booleans_as_git_does(string? value, bool expected) => Assert.Equal(expected, RepositoryConfigFile.IsTrue(value));

    [Fact]
    public void A_missing_file_reads_as_empty()
    {
        Assert.Empty(RepositoryConfigFile.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "config")).Entries);
    }
}
