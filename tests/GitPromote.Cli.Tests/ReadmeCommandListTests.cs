namespace GitPromote.Cli.Tests;

/// <summary>The README's command list is the one the command definitions write, so it cannot drift from --help.</summary>
public sealed class ReadmeCommandListTests
{
    private const string Begin = "<!-- commands: written from the command definitions (tests/GitPromote.Cli.Tests/ReadmeCommandListTests.cs) -->";
    private const string End = "<!-- end of commands -->";
    private const string RewriteVariable = "GIT_PROMOTE_WRITE_README";

    [Fact]
    public void The_readme_command_list_is_the_one_the_definitions_write()
    {
        var path = Path.Combine(GitPromote.TestSupport.RepositoryRoot.Path, "README.md");
        var readme = File.ReadAllText(path).ReplaceLineEndings("\n");
        var begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"README.md has no command list between '{Begin}' and '{End}'");

        var start = begin + Begin.Length;
        var written = "\n\n" + App.CommandReference().ReplaceLineEndings("\n") + "\n";
        if (readme[start..end] == written) return;
        if (Environment.GetEnvironmentVariable(RewriteVariable) == "1")
        {
            File.WriteAllText(path, readme[..start] + written + readme[end..]);
            return;
        }
        Assert.Fail("README.md's command list differs from the command definitions (src/GitPromote.Cli/Infrastructure/CommandDefinitions.cs).\n" +
            $"Regenerate it: {RewriteVariable}=1 dotnet test tests/GitPromote.Cli.Tests --filter {nameof(ReadmeCommandListTests)}\n" +
            $"expected:{written}found:{readme[start..end]}");
    }
}
