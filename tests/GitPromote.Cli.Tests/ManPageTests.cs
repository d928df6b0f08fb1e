using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Core.Settings;

namespace GitPromote.Cli.Tests;

/// <summary>
/// docs/git-promote.1, the page <c>git promote --help</c> opens (git turns it into <c>git help promote</c>, which runs
/// <c>man git-promote</c>), is the one the command definitions write, so it cannot drift from --help. The packages
/// install that file; IntegrationTests' ManualTests render it with man from an installed prefix.
/// </summary>
public sealed class ManPageTests
{
    private const string RewriteVariable = "GIT_PROMOTE_WRITE_README";

    private static string Page => ManPage.Write(App.Definitions);

    [Fact]
    public void The_committed_manual_page_is_the_one_the_definitions_write()
    {
        var path = Path.Combine(TestSupport.RepositoryRoot.Path, "docs", "git-promote.1");
        var committed = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (committed == Page) return;
        if (Environment.GetEnvironmentVariable(RewriteVariable) == "1")
        {
            File.WriteAllText(path, Page);
            return;
        }
        Assert.Fail("docs/git-promote.1 differs from the command definitions.\n" +
            $"Regenerate it: {RewriteVariable}=1 dotnet test tests/GitPromote.Cli.Tests --filter {nameof(ManPageTests)}");
    }

    [Fact]
    public void Every_command_option_default_and_example_is_on_the_page()
    {
        var page = Page;
        foreach (var command in App.Definitions)
        {
            foreach (var usage in command.Usages)
            {
                Assert.Contains(".B " + ManPage.Escape(usage.UsageLine), page);
                foreach (var option in usage.Options)
                {
                    Assert.Contains(ManPage.Escape(option.Synopsis), page);
                    Assert.Contains(ManPage.Escape(option.Description), page);
                    if (option.DefaultNote is { } note) Assert.Contains(ManPage.Escape(note), page);
                }
                foreach (var argument in usage.Arguments) Assert.Contains(ManPage.Escape(argument.Description), page);
            }
            foreach (var example in command.Examples) Assert.Contains(ManPage.Escape(example), page);
        }
    }

    [Fact]
    public void Exit_codes_and_every_setting_are_on_the_page()
    {
        var page = Page;
        Assert.Contains(".SH EXIT STATUS", page);
        foreach (var code in new[] { ExitCodes.Ok, ExitCodes.Blocked, ExitCodes.UsageOrPolicy, ExitCodes.Internal })
            Assert.Contains($".B {code}\n", page);
        foreach (var setting in PromoteSettings.All) Assert.Contains($".B {ManPage.Escape(setting.Shown)}\n", page);
    }

    [Theory]
    [InlineData("-", "\\-")]
    [InlineData(".TH evil", "\\&.TH evil")]
    [InlineData("'quote", "\\&'quote")]
    [InlineData("a\\b", "a\\eb")]
    public void Text_is_printed_as_written_never_read_as_a_roff_request(string text, string escaped) =>
        Assert.Equal(escaped, ManPage.Escape(text));
}
