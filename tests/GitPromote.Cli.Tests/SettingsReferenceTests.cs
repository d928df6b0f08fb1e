using System.Text.RegularExpressions;

namespace GitPromote.Cli.Tests;

/// <summary>
/// docs/settings.md lists every PROMOTE_* environment variable and every promote.* git key the code reads, and nothing the
/// code no longer uses: the one place an operator looks.
/// </summary>
public sealed partial class SettingsReferenceTests
{
    private static readonly string Root = GitPromote.TestSupport.RepositoryRoot.Path;

    /// <summary>The names in the first column of docs/settings.md's tables; <c>&lt;env&gt;</c> stands for any suffix.</summary>
    private static List<string> Listed() =>
        File.ReadLines(Path.Combine(Root, "docs", "settings.md"))
            .Select(line => ListedName().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToList();

    /// <summary>Every C# source under src/ (generated obj/ and bin/ output aside), as (path, text).</summary>
    private static IEnumerable<(string Path, string Text)> Sources() =>
        Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Select(p => (Path.GetRelativePath(Root, p), File.ReadAllText(p)));

    private static IEnumerable<(string Name, string Path)> Used(Regex pattern) =>
        Sources().SelectMany(s => pattern.Matches(s.Text).Select(m => (m.Value, s.Path)));

    /// <summary>A name in the code is covered by a listed one: the same (keys without case), or the listed one's prefix before <c>&lt;</c>.</summary>
    private static bool Covers(string listed, string used)
    {
        var placeholder = listed.IndexOf('<');
        return placeholder < 0
            ? string.Equals(listed, used, StringComparison.OrdinalIgnoreCase)
            : used.StartsWith(listed[..placeholder], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_environment_variable_the_code_reads_is_listed_in_docs_settings()
    {
        var listed = Listed();
        var missing = Used(EnvironmentVariable()).Where(u => !listed.Any(l => Covers(l, u.Name))).Select(u => $"{u.Name} ({u.Path})").Distinct().ToList();
        Assert.True(missing.Count == 0, "not in docs/settings.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_promote_git_key_the_code_reads_is_listed_in_docs_settings()
    {
        var listed = Listed();
        var missing = Used(GitKey()).Where(u => !listed.Any(l => Covers(l, u.Name))).Select(u => $"{u.Name} ({u.Path})").Distinct().ToList();
        Assert.True(missing.Count == 0, "not in docs/settings.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_setting_listed_in_docs_settings_is_still_used_by_the_code()
    {
        var used = Used(EnvironmentVariable()).Concat(Used(GitKey())).Select(u => u.Name).Distinct().ToList();
        var listed = Listed();
        Assert.NotEmpty(listed);
        var unused = listed.Where(l => (l.StartsWith("promote.", StringComparison.Ordinal) || l.Contains("PROMOTE_", StringComparison.Ordinal))
                                       && !used.Any(u => Covers(l, u))).ToList();
        Assert.True(unused.Count == 0, "listed in docs/settings.md but not used under src/: " + string.Join(", ", unused));
    }

    [Fact]
    public void The_readme_links_to_docs_settings()
    {
        Assert.Contains("(docs/settings.md)", File.ReadAllText(Path.Combine(Root, "README.md")));
    }

    [GeneratedRegex(@"^\| `([^`]+)` \|", RegexOptions.CultureInvariant)]
    private static partial Regex ListedName();

    // PROMOTE_X and GIT_PROMOTE_X; a name ending in '_' is a prefix the code completes (PROMOTE_AWS_ROLE_ + env).
    [GeneratedRegex(@"\b(?:GIT_)?PROMOTE_[A-Z0-9_]+", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentVariable();

    // promote.<name>[.<more>] as git config keys are written: not .promote.yml, git-promote.exe or refs/promote/...
    [GeneratedRegex(@"(?<![\w.\-/])promote\.[a-z][A-Za-z]*(?:\.[A-Za-z]*)?", RegexOptions.CultureInvariant)]
    private static partial Regex GitKey();
}
