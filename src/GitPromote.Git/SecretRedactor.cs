using System.Text.RegularExpressions;
using GitPromote.Core.Engine;

namespace GitPromote.Git;

/// <summary>Removes credentials from text that may be shown: git's messages and arguments quote remote URLs.</summary>
public static partial class SecretRedactor
{
    /// <summary>Every <c>scheme://user:secret@host/...</c> in <paramref name="text"/>, redacted as <see cref="RemoteUrls.Redact"/> does.</summary>
    public static string RedactUrls(string text)
    {
        if (text.IndexOf("://", StringComparison.Ordinal) < 0) return text;
        return UrlPattern().Replace(text, m => RemoteUrls.Redact(m.Value));
    }

    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'""<>`]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlPattern();
}
