using System.Text;
using System.Text.RegularExpressions;
using GitPromote.Core.Policy;
using GitPromote.Git;

namespace GitPromote.Cli.Output;

/// <summary>
/// The one output boundary: every character git-promote prints passes through here (App wraps the console's two
/// streams), so no message can forget it. Commit subjects, names, justifications, remote names and records are
/// untrusted and may carry ESC, BEL, CR or bidi overrides that forge lines or drive the terminal: each becomes '?'.
/// Only line breaks, tabs and, where colour is on, the exact colour codes of <see cref="Style"/> pass. URLs lose their
/// credentials (<see cref="SecretRedactor"/>). JSON output is unchanged: its strings are already escaped.
/// </summary>
public sealed partial class TerminalWriter(TextWriter inner, bool allowStyle) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        inner.Write(Clean(value, allowStyle));
    }

    public override void WriteLine(string? value) => Write((value ?? "") + new string(CoreNewLine));

    public override void Flush() => inner.Flush();

    public static string Clean(string text, bool allowStyle)
    {
        text = SecretRedactor.RedactUrls(text);
        StringBuilder? clean = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\u001b' && allowStyle && StyleCode().Match(text, i) is { Success: true, Index: var at, Length: var length } && at == i)
            {
                clean?.Append(text, i, length);
                i += length - 1;
                continue;
            }
            var safe = c is '\n' or '\t' || !Quoting.IsUnsafe(c);
            if (safe && clean is null) continue;
            clean ??= new StringBuilder(text.Length).Append(text, 0, i);
            clean.Append(safe ? c : '?');
        }
        return clean?.ToString() ?? text;
    }

    // Exactly what Style writes: reset, bold, dim, red, green, yellow. Nothing that moves, clears, hides or retitles.
    [GeneratedRegex(@"\G\u001b\[(?:0|1|2|31|32|33)m", RegexOptions.CultureInvariant)]
    private static partial Regex StyleCode();
}
