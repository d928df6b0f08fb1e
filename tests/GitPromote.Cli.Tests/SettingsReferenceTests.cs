using System.Reflection;
using System.Text.RegularExpressions;
using GitPromote.Core.Settings;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests;

/// <summary>
/// Every setting is defined once, in <see cref="PromoteSettings"/>: docs/settings.md shows exactly that definition, the
/// code reads every setting through it, and spells no setting's name anywhere else. Code is read without its comments:
/// a name mentioned only in a comment is neither a use nor a bare literal.
/// </summary>
public sealed partial class SettingsReferenceTests
{
    private static readonly string Root = RepositoryRoot.Path;
    private static readonly string Definition = Path.Combine("src", "GitPromote.Core", "Settings", "PromoteSettings.cs");

    /// <summary>The rows of docs/settings.md's two tables, as written.</summary>
    private static List<string> DocumentedRows() =>
        File.ReadLines(Path.Combine(Root, "docs", "settings.md")).Where(line => line.StartsWith("| `", StringComparison.Ordinal)).ToList();

    private static string Row(Setting s) => $"| `{s.Shown}` | {s.Where} | {s.Default} | {s.Meaning} |";

    /// <summary>The name constants of PromoteSettings.Variables and .GitKeys, as (member, value).</summary>
    private static List<(string Member, string Value)> NameConstants() =>
        new[] { typeof(PromoteSettings.Variables), typeof(PromoteSettings.GitKeys) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
                .Select(f => ($"{t.Name}.{f.Name}", (string)f.GetRawConstantValue()!)))
            .ToList();

    /// <summary>src/ without its comments, the definition itself aside.</summary>
    private static List<(string Path, string Code)> CodeOutsideTheDefinition() =>
        CSharpSource.Files(Path.Combine(Root, "src")).Where(f => Path.GetRelativePath(Root, f.Path) != Definition)
            .Select(f => (Path.GetRelativePath(Root, f.Path), f.Code)).ToList();

    [Fact]
    public void Docs_settings_shows_exactly_the_definition()
    {
        var expected = PromoteSettings.All.Select(Row).ToList();
        Assert.True(expected.SequenceEqual(DocumentedRows()),
            "docs/settings.md's table rows differ from PromoteSettings.All; these rows, in this order, are the definition:\n" + string.Join("\n", expected));
    }

    [Fact]
    public void Every_name_constant_is_a_documented_setting_and_every_setting_is_a_name_constant()
    {
        var constants = NameConstants().Select(c => c.Value).Order().ToList();
        Assert.Equal(constants, PromoteSettings.All.Select(s => s.Name).Order().ToList());
    }

    [Fact]
    public void Every_setting_is_read_by_the_code_through_the_definition()
    {
        var code = CodeOutsideTheDefinition();
        var unused = NameConstants().Where(c => !code.Any(f => Regex.IsMatch(f.Code, $@"\b{Regex.Escape(c.Member)}\b"))).Select(c => c.Value).ToList();
        Assert.True(unused.Count == 0, "defined in PromoteSettings but read nowhere under src/: " + string.Join(", ", unused));
    }

    [Fact]
    public void No_code_spells_out_a_setting_name_instead_of_reading_the_definition()
    {
        var bare = CodeOutsideTheDefinition()
            .SelectMany(f => EnvironmentVariable().Matches(f.Code).Concat(GitKey().Matches(f.Code)).Select(m => $"{m.Value} ({f.Path})"))
            .Distinct().ToList();
        Assert.True(bare.Count == 0, "setting names written as literals (use PromoteSettings): " + string.Join(", ", bare));
    }

    [Fact]
    public void A_name_mentioned_only_in_a_comment_is_neither_a_use_nor_a_literal()
    {
        const string source = """
            // PROMOTE_DEBUG and PromoteSettings.Variables.Debug, in a line comment
            /* promote.timeout and GitKeys.Timeout, in a block comment */
            /// <summary>PROMOTE_TRACE in a doc comment</summary>
            var url = "http://example.com/a"; var raw = @"C:\"; var c = '"'; var s = $"{url} // not a comment {PromoteSettings.Variables.Bypass}";
            """;
        var code = CSharpSource.WithoutComments(source);
        Assert.DoesNotMatch(EnvironmentVariable(), code.Replace("Variables.Bypass", ""));
        Assert.DoesNotMatch(GitKey(), code);
        Assert.DoesNotContain("Variables.Debug", code);
        Assert.DoesNotContain("GitKeys.Timeout", code);
        Assert.Contains("$\"{url} // not a comment {PromoteSettings.Variables.Bypass}\"", code);
        Assert.Contains("\"http://example.com/a\"", code);
        Assert.Equal(source.Split('\n').Length, code.Split('\n').Length);
    }

    [Fact]
    public void The_tests_read_real_sources()
    {
        // Guards the two tests above against passing on an empty or misread tree.
        var code = CodeOutsideTheDefinition();
        Assert.Contains(code, f => f.Path.EndsWith("CommandContext.cs", StringComparison.Ordinal) && f.Code.Contains("PromoteSettings.Variables.Debug"));
        Assert.True(code.Count > 100);
    }

    [Fact]
    public void The_readme_links_to_docs_settings()
    {
        Assert.Contains("(docs/settings.md)", File.ReadAllText(Path.Combine(Root, "README.md")));
    }

    // PROMOTE_X and GIT_PROMOTE_X; a name ending in '_' is a prefix the code completes (PROMOTE_AWS_ROLE_ + env).
    [GeneratedRegex(@"\b(?:GIT_)?PROMOTE_[A-Z0-9_]+", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentVariable();

    // promote.<name>[.<more>] as git config keys are written: not .promote.yml, git-promote.exe or refs/promote/...
    [GeneratedRegex(@"(?<![\w.\-/])promote\.[a-z][A-Za-z]*(?:\.[A-Za-z]*)?", RegexOptions.CultureInvariant)]
    private static partial Regex GitKey();
}
