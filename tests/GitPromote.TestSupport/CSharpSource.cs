using System.Text;

namespace GitPromote.TestSupport;

/// <summary>
/// C# source as the compiler sees it, for tests that read the code: comments blanked out (each character a space, line
/// breaks kept), string and character literals left as they are, so a name mentioned only in a comment is not "used".
/// </summary>
public static class CSharpSource
{
    /// <summary>Every C# file under <paramref name="folder"/> (build output in obj/ and bin/ aside), as (path, code without comments).</summary>
    public static IEnumerable<(string Path, string Code)> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Select(p => (p, WithoutComments(File.ReadAllText(p))));

    public static string WithoutComments(string source)
    {
        var output = new StringBuilder(source.Length);
        var at = 0;
        Code(source, ref at, output, insideHole: false);
        return output.ToString();
    }

    /// <summary>Code up to the end, or (in an interpolation hole) to its closing brace, which is left for the caller.</summary>
    private static void Code(string s, ref int i, StringBuilder o, bool insideHole)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '/' && Next(s, i) == '/')
            {
                while (i < s.Length && s[i] != '\n') { o.Append(' '); i++; }
            }
            else if (c == '/' && Next(s, i) == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                var stop = end < 0 ? s.Length : end + 2;
                for (; i < stop; i++) o.Append(s[i] == '\n' ? '\n' : ' ');
            }
            else if (c == '\'') CharLiteral(s, ref i, o);
            else if (c is '"' or '@' or '$' && StringStart(s, i) is { } start) StringLiteral(s, ref i, o, start);
            else if (insideHole && c == '{') { depth++; o.Append(c); i++; }
            else if (insideHole && c == '}')
            {
                if (depth == 0) return;
                depth--; o.Append(c); i++;
            }
            else { o.Append(c); i++; }
        }
    }

    private readonly record struct Start(int PrefixLength, bool Verbatim, bool Interpolated, int RawQuotes);

    /// <summary>The prefix of a string literal at <paramref name="i"/> ($, @, $@, @$, $$..., then the quotes); null when none starts there.</summary>
    private static Start? StringStart(string s, int i)
    {
        var j = i;
        var dollars = 0;
        var verbatim = false;
        while (j < s.Length && (s[j] == '$' || s[j] == '@'))
        {
            if (s[j] == '$') dollars++; else verbatim = true;
            j++;
        }
        if (j >= s.Length || s[j] != '"') return null;
        if (j > i && !IsPrefixStart(s, i)) return null;
        var quotes = 0;
        while (j + quotes < s.Length && s[j + quotes] == '"') quotes++;
        return new Start(j - i, verbatim, dollars > 0, quotes >= 3 ? quotes : 0);
    }

    // '@' also starts identifiers like @class: a string prefix follows no identifier character.
    private static bool IsPrefixStart(string s, int i) => i == 0 || !(char.IsLetterOrDigit(s[i - 1]) || s[i - 1] == '_');

    private static void StringLiteral(string s, ref int i, StringBuilder o, Start start)
    {
        o.Append(s, i, start.PrefixLength);
        i += start.PrefixLength;
        if (start.RawQuotes > 0)
        {
            var close = new string('"', start.RawQuotes);
            var end = s.IndexOf(close, i + start.RawQuotes, StringComparison.Ordinal);
            var stop = end < 0 ? s.Length : end + start.RawQuotes;
            o.Append(s, i, stop - i);
            i = stop;
            return;
        }
        o.Append('"');
        i++;
        while (i < s.Length)
        {
            var c = s[i];
            if (!start.Verbatim && c == '\\' && i + 1 < s.Length) { o.Append(s, i, 2); i += 2; }
            else if (start.Verbatim && c == '"' && Next(s, i) == '"') { o.Append("\"\""); i += 2; }
            else if (c == '"') { o.Append(c); i++; return; }
            else if (start.Interpolated && c == '{' && Next(s, i) == '{') { o.Append("{{"); i += 2; }
            else if (start.Interpolated && c == '{')
            {
                o.Append(c); i++;
                Code(s, ref i, o, insideHole: true);
                if (i < s.Length) { o.Append('}'); i++; }
            }
            else if (!start.Verbatim && c == '\n') return;
            else { o.Append(c); i++; }
        }
    }

    private static void CharLiteral(string s, ref int i, StringBuilder o)
    {
        o.Append('\''); i++;
        while (i < s.Length && s[i] != '\'' && s[i] != '\n')
        {
            if (s[i] == '\\' && i + 1 < s.Length) { o.Append(s, i, 2); i += 2; }
            else { o.Append(s[i]); i++; }
        }
        if (i < s.Length && s[i] == '\'') { o.Append('\''); i++; }
    }

    private static char Next(string s, int i) => i + 1 < s.Length ? s[i + 1] : '\0';
}
