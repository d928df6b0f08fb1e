using GitPromote.Core.Policy;

namespace GitPromote.Core.Push;

/// <summary>
/// A bypass justification as the pusher typed it (<c>PROMOTE_BYPASS</c> on a client, <c>-o promote.bypass</c> on a
/// server), made safe once, the same way on both sides, before it is matched, shown and stored: one line (control
/// characters and bidi overrides become spaces) of at most <see cref="MaxLength"/> characters.
/// </summary>
public static class BypassJustification
{
    public const int MaxLength = 1000;

    /// <summary>The bounded text; null when absent or blank (no bypass).</summary>
    public static string? Bound(string? text)
    {
        if (text is null || string.IsNullOrWhiteSpace(text)) return null;
        var line = new string(text.Select(c => Quoting.IsUnsafe(c) ? ' ' : c).ToArray());
        return line.Length > MaxLength ? line[..MaxLength] : line;
    }
}
