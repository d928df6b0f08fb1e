using System.Globalization;
using System.Text;
using GitPromote.Core.Evidence;

namespace GitPromote.Git;

/// <summary>What git-promote reads of a commit: committer and time (with the committer's offset) and the subject.</summary>
public sealed record CommitInfo(string Id, Identity Committer, DateTimeOffset CommitTime, string Subject);

/// <summary>An annotated tag object. <see cref="Tagger"/> and <see cref="When"/> are null when the tag has no tagger line.</summary>
public sealed record TagInfo(string Id, string Target, string TargetType, string Name, Identity? Tagger, DateTimeOffset? When, string Message);

/// <summary>
/// A local ref. <see cref="Id"/> is what the ref points at (a tag object or a commit); <see cref="Commit"/> is that peeled
/// to a commit when it is one; <see cref="Tag"/> is filled when the ref points at an annotated tag.
/// </summary>
public sealed record RefRecord(string Name, string Id, string? Commit, TagInfo? Tag);

/// <summary>Parses raw commit and tag objects (as <c>git cat-file</c> prints them), so both backends agree to the byte.</summary>
internal static class GitObjectText
{
    public static CommitInfo? ParseCommit(string id, string text)
    {
        var (headers, message) = Split(text);
        var committer = headers.LastOrDefault(h => h.Key == "committer").Value;
        if (committer is null) return null;
        var sig = ParseSignature(committer);
        if (sig is null) return null;
        return new CommitInfo(id, sig.Value.Who, sig.Value.When, Summary(message));
    }

    public static TagInfo? ParseTag(string id, string text)
    {
        var (headers, message) = Split(text);
        string? Header(string name) => headers.FirstOrDefault(h => h.Key == name).Value;
        var target = Header("object");
        if (target is null) return null;
        var tagger = Header("tagger") is { } t ? ParseSignature(t) : null;
        return new TagInfo(id, target, Header("type") ?? "", Header("tag") ?? "", tagger?.Who, tagger?.When, message);
    }

    /// <summary>
    /// git's subject (and libgit2's summary): the first paragraph of the message, its lines trimmed and joined by spaces.
    /// </summary>
    public static string Summary(string message)
    {
        var lines = message.Replace("\r\n", "\n").Split('\n');
        var parts = new List<string>();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                if (parts.Count > 0) break;
                continue;
            }
            parts.Add(line);
        }
        return string.Join(' ', parts);
    }

    /// <summary>Parses <c>Name &lt;email&gt; 1700000000 +0200</c>.</summary>
    public static (Identity Who, DateTimeOffset When)? ParseSignature(string value)
    {
        var lt = value.IndexOf('<');
        var gt = value.LastIndexOf('>');
        if (lt < 0 || gt < lt) return null;
        var name = value[..lt].Trim();
        var email = value[(lt + 1)..gt].Trim();
        var when = ParseRawDate(value[(gt + 1)..].Trim());
        return when is null ? null : (new Identity(name, email), when.Value);
    }

    /// <summary>Parses git's raw date, <c>1700000000 +0200</c>, keeping the offset.</summary>
    public static DateTimeOffset? ParseRawDate(string raw)
    {
        var parts = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 1 || !long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)) return null;
        var offset = TimeSpan.Zero;
        if (parts.Length >= 2 && parts[1].Length == 5 && (parts[1][0] == '+' || parts[1][0] == '-')
            && int.TryParse(parts[1].AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hh)
            && int.TryParse(parts[1].AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var mm))
        {
            offset = new TimeSpan(hh, mm, 0);
            if (parts[1][0] == '-') offset = -offset;
        }
        try
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds).ToOffset(offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    public static string FormatRawDate(DateTimeOffset when)
    {
        // git keeps whole minutes of offset; seconds-level offsets do not exist in its format.
        var offset = when.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{when.ToUnixTimeSeconds()} {sign}{abs.Hours:00}{abs.Minutes:00}");
    }

    /// <summary>The text of a tag object as <c>git mktag</c> wants it.</summary>
    public static string FormatTag(string target, string targetType, string tagName, Identity tagger, DateTimeOffset when, string message)
    {
        var (name, email) = SafeIdentity(tagger);
        var sb = new StringBuilder();
        sb.Append("object ").Append(target).Append('\n');
        sb.Append("type ").Append(targetType).Append('\n');
        sb.Append("tag ").Append(tagName).Append('\n');
        sb.Append("tagger ").Append(name).Append(" <").Append(email).Append("> ").Append(FormatRawDate(when)).Append('\n');
        sb.Append('\n');
        sb.Append(NormalizeMessage(message));
        return sb.ToString();
    }

    /// <summary>A message as both backends store it: LF line ends, one final newline.</summary>
    public static string NormalizeMessage(string message)
    {
        var m = message.Replace("\r\n", "\n").TrimEnd('\n');
        return m + "\n";
    }

    /// <summary>A name and email git accepts in a signature: no angle brackets or line breaks; an empty name becomes "unknown".</summary>
    public static (string Name, string Email) SafeIdentity(Identity who)
    {
        static string Clean(string s) => new string(s.Where(c => c is not ('<' or '>' or '\n' or '\r' or '\0')).ToArray()).Trim();
        var name = Clean(who.Name);
        return (name.Length == 0 ? "unknown" : name, Clean(who.Email));
    }

    /// <summary>Tag names we write are plain: letters, digits, dot, dash, underscore.</summary>
    public static void ValidateTagName(string tagName)
    {
        if (tagName.Length == 0 || tagName.Length > 200 || tagName.StartsWith('-') || tagName.StartsWith('.') || tagName.Contains("..")
            || !tagName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/'))
        {
            throw new ArgumentException($"not a usable tag name: '{tagName}'", nameof(tagName));
        }
    }

    private static (List<KeyValuePair<string, string>> Headers, string Message) Split(string text)
    {
        var headers = new List<KeyValuePair<string, string>>();
        var pos = 0;
        while (pos < text.Length)
        {
            var eol = text.IndexOf('\n', pos);
            if (eol < 0) eol = text.Length;
            var line = text[pos..eol];
            pos = eol + 1;
            if (line.Length == 0) break;
            if (line[0] == ' ')
            {
                // Continuation of a multi-line header (gpgsig, mergetag): not needed.
                continue;
            }
            var space = line.IndexOf(' ');
            headers.Add(space < 0 ? new(line, "") : new(line[..space], line[(space + 1)..]));
        }
        var message = pos < text.Length ? text[pos..] : "";
        return (headers, message);
    }
}
