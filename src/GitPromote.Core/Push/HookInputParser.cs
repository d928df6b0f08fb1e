namespace GitPromote.Core.Push;

/// <summary>
/// Parses the standard input git gives the pre-push and pre-receive hooks (githooks(5)). The input is
/// untrusted: anything that is not exactly the documented shape is an error naming the line.
/// </summary>
public static class HookInputParser
{
    /// <summary>A push of more refs than this is refused as garbage rather than processed.</summary>
    public const int MaxLines = 100_000;

    /// <summary>
    /// pre-push: <c>&lt;local ref&gt; SP &lt;local object name&gt; SP &lt;remote ref&gt; SP &lt;remote object name&gt; LF</c>.
    /// The local ref is the left side of the refspec as the user typed it, so it may hold spaces
    /// (<c>git push prd "main@{1 day ago}:main"</c>); the three fields after it never do.
    /// </summary>
    public static HookInputResult ParsePrePush(string input) =>
        Parse(input, 4, fields => new RefUpdate(fields[0], fields[1], fields[2], fields[3]), [1, 3], [2], firstFieldIsFreeText: true);

    /// <summary>pre-receive: <c>&lt;old-value&gt; SP &lt;new-value&gt; SP &lt;ref-name&gt; LF</c>.</summary>
    public static HookInputResult ParsePreReceive(string input) =>
        Parse(input, 3, fields => new RefUpdate(fields[2], fields[1], fields[2], fields[0]), [0, 1], [2], firstFieldIsFreeText: false);

    private static HookInputResult Parse(string input, int fieldCount, Func<string[], RefUpdate> build, int[] idFields, int[] refFields,
        bool firstFieldIsFreeText)
    {
        var updates = new List<RefUpdate>();
        var lines = input.Split('\n');
        var lineNo = 0;
        int? idLength = null;
        foreach (var raw in lines)
        {
            lineNo++;
            var line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (line.Length == 0) continue;
            if (updates.Count >= MaxLines)
                return HookInputResult.Fail($"more than {MaxLines} ref updates in one push");
            var fields = line.Split(' ');
            if (firstFieldIsFreeText && fields.Length > fieldCount)
                fields = [string.Join(' ', fields[..^(fieldCount - 1)]), .. fields[^(fieldCount - 1)..]];
            if (fields.Length != fieldCount)
                return HookInputResult.Fail($"line {lineNo}: expected {fieldCount} space-separated fields, got {fields.Length}");
            foreach (var i in idFields)
            {
                if (!ObjectIds.IsValid(fields[i]))
                    return HookInputResult.Fail($"line {lineNo}: '{Printable(fields[i])}' is not an object name");
                if (idLength is { } len && len != fields[i].Length)
                    return HookInputResult.Fail($"line {lineNo}: object names of mixed lengths");
                idLength = fields[i].Length;
            }
            foreach (var i in refFields)
            {
                if (!fields[i].StartsWith("refs/", StringComparison.Ordinal) || fields[i].Any(char.IsControl))
                    return HookInputResult.Fail($"line {lineNo}: '{Printable(fields[i])}' is not a ref name");
            }
            if (firstFieldIsFreeText && (fields[0].Length == 0 || fields[0].Any(char.IsControl)))
                return HookInputResult.Fail($"line {lineNo}: '{Printable(fields[0])}' is not a local ref");
            updates.Add(build(fields));
        }
        return HookInputResult.Ok(updates);
    }

    private static string Printable(string s)
    {
        var clean = new string(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return clean.Length > 60 ? clean[..60] + "..." : clean;
    }
}

public sealed record HookInputResult(IReadOnlyList<RefUpdate> Updates, string? Error)
{
    public static HookInputResult Ok(IReadOnlyList<RefUpdate> updates) => new(updates, null);
    public static HookInputResult Fail(string error) => new([], error);
}
