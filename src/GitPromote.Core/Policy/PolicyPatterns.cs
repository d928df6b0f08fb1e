using System.Text.RegularExpressions;

namespace GitPromote.Core.Policy;

/// <summary>The shapes policy values must have. ASCII classes only, and <c>\z</c>: <c>$</c> would accept a trailing newline.</summary>
internal static partial class PolicyPatterns
{
    /// <summary>A service name is an SSM path segment: <c>/promote/&lt;name&gt;/...</c>.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\z", RegexOptions.CultureInvariant)]
    public static partial Regex ServiceName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\z", RegexOptions.CultureInvariant)]
    public static partial Regex EnvironmentName();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]+\z", RegexOptions.CultureInvariant)]
    public static partial Regex AwsRegion();

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\x21-\x7E]+\z", RegexOptions.CultureInvariant)]
    public static partial Regex RoleArn();

    /// <summary>CodePipeline's own rule for pipeline and stage names.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9.@_-]{1,100}\z", RegexOptions.CultureInvariant)]
    public static partial Regex PipelineName();

    /// <summary>
    /// A branch (<c>main</c>), a glob (<c>release/*</c>) or a full ref (<c>refs/tags/v*</c>): what git allows in a
    /// ref name, plus <c>*</c> and <c>?</c>. Bracket classes are not supported by our globs, so they are refused.
    /// </summary>
    public static bool IsBranchPattern(string text) =>
        text.Length is > 0 and <= 255
        && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '~' or '^' or ':' or '\\' or '[')
        && !text.Contains("..", StringComparison.Ordinal)
        && !text.Contains("@{", StringComparison.Ordinal)
        && !text.Contains("//", StringComparison.Ordinal)
        && text[0] is not ('-' or '/')
        && text[^1] is not ('/' or '.');

    /// <summary>A folder name made into a valid service name, or null when nothing usable is left.</summary>
    public static string? SanitizeServiceName(string folder)
    {
        var replaced = new string(folder.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray());
        var trimmed = replaced.TrimStart('_', '.', '-');
        if (trimmed.Length > 100) trimmed = trimmed[..100];
        return ServiceName().IsMatch(trimmed) ? trimmed : null;
    }
}
