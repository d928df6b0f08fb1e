namespace GitPromote.Core.Policy;

/// <summary>Untrusted text echoed in a message: short, and with nothing that could drive a terminal or break a line.</summary>
public static class Quoting
{
    private const int MaxShown = 60;

    public static string Show(string text, int maxLength = MaxShown)
    {
        var clean = string.Create(Math.Min(text.Length, maxLength), text, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = IsUnsafe(source[i]) ? '?' : source[i];
        });
        return text.Length > maxLength ? clean + "..." : clean;
    }

    /// <summary>
    /// <paramref name="text"/> as one line: every control character (newlines included) and every bidirectional
    /// override becomes '?'. For values that sit inside a line of output: a name, a justification, a subject.
    /// </summary>
    public static string OneLine(string text)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c)) return string.Create(text.Length, text, static (span, source) =>
            {
                for (var i = 0; i < span.Length; i++) span[i] = IsUnsafe(source[i]) ? '?' : source[i];
            });
        }
        return text;
    }

    /// <summary>C0, DEL and C1 controls, and the bidi embeddings, overrides and isolates that reorder what a terminal shows.</summary>
    public static bool IsUnsafe(char c) => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
}
