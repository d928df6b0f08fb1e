namespace GitPromote.Git;

/// <summary>
/// A cheap, read-only look at one git config file (the repository's own <c>config</c>), without git or libgit2:
/// enough to choose a backend (<c>extensions.*</c>, <c>remote.*.promisor</c>, <c>core.bare</c>, <c>core.worktree</c>).
/// Includes are not followed; values are unquoted but escapes beyond <c>\"</c> and <c>\\</c> are left as they are.
/// </summary>
public sealed class RepositoryConfigFile
{
    private const int MaxBytes = 1024 * 1024;
    private readonly List<(string Section, string? Subsection, string Name, string? Value)> _entries = [];

    public static RepositoryConfigFile Empty { get; } = new();

    public static RepositoryConfigFile Read(string path)
    {
        var file = new RepositoryConfigFile();
        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[(int)Math.Min(stream.Length, MaxBytes)];
            stream.ReadExactly(buffer);
            file.Load(System.Text.Encoding.UTF8.GetString(buffer));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No readable config: nothing to learn from it.
        }
        return file;
    }

    public static RepositoryConfigFile FromText(string text)
    {
        var file = new RepositoryConfigFile();
        file.Load(text);
        return file;
    }

    /// <summary>All entries as (section, subsection, name, value); section and name lower-cased, a value of null means "no <c>=</c>" (true).</summary>
    public IReadOnlyList<(string Section, string? Subsection, string Name, string? Value)> Entries => _entries;

    /// <summary>The last value of <c>section[.subsection].name</c>; section and name are matched without case.</summary>
    public string? Get(string section, string? subsection, string name)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            var e = _entries[i];
            if (string.Equals(e.Section, section, StringComparison.OrdinalIgnoreCase)
                && string.Equals(e.Subsection, subsection, StringComparison.Ordinal)
                && string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return e.Value ?? "true";
            }
        }
        return null;
    }

    public bool Has(string section, string? subsection, string name) => Get(section, subsection, name) is not null;

    /// <summary>git's boolean reading: true/yes/on/1 (and a bare key) are true; anything else, or absent, is false.</summary>
    public static bool IsTrue(string? value) =>
        value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase)
                              || value.Equals("on", StringComparison.OrdinalIgnoreCase) || (long.TryParse(value, out var n) && n != 0));

    private void Load(string text)
    {
        string section = "";
        string? subsection = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[')
            {
                var close = line.LastIndexOf(']');
                if (close < 0) continue;
                var header = line[1..close].Trim();
                var quote = header.IndexOf('"');
                if (quote >= 0)
                {
                    section = header[..quote].Trim().ToLowerInvariant();
                    subsection = Unquote(header[quote..]);
                }
                else
                {
                    var dot = header.IndexOf('.');
                    // Old syntax [section.subsection]: the subsection is lower-cased by git.
                    section = (dot < 0 ? header : header[..dot]).ToLowerInvariant();
                    subsection = dot < 0 ? null : header[(dot + 1)..].ToLowerInvariant();
                }
                var rest = line[(close + 1)..].Trim();
                if (rest.Length == 0 || rest[0] is '#' or ';') continue;
                line = rest; // "[core] bare = true" on one line
            }
            var eq = line.IndexOf('=');
            var name = (eq < 0 ? line : line[..eq]).Trim().ToLowerInvariant();
            if (name.Length == 0) continue;
            var value = eq < 0 ? null : Value(line[(eq + 1)..]);
            _entries.Add((section, subsection, name, value));
        }
    }

    private static string Unquote(string quoted)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 1; i < quoted.Length; i++)
        {
            var c = quoted[i];
            if (c == '\\' && i + 1 < quoted.Length) { sb.Append(quoted[++i]); continue; }
            if (c == '"') break;
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static string Value(string raw)
    {
        var sb = new System.Text.StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '"') { inQuotes = !inQuotes; continue; }
            if (!inQuotes && c is '#' or ';') break;
            if (c == '\\' && i + 1 < raw.Length)
            {
                var n = raw[++i];
                sb.Append(n switch { 'n' => '\n', 't' => '\t', 'b' => '\b', _ => n });
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString().Trim();
    }
}
