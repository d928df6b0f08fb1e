namespace GitPromote.Core.Policy;

/// <summary>
/// The AWS regions known when this was built, to catch a typo (<c>eu-wset-1</c>) in a policy. A region not listed is
/// still accepted when it is not one letter-swap or edit away from a listed one: AWS opens new regions, and a policy must
/// not need a new git-promote to name them.
/// </summary>
public static class AwsRegions
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
        "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1",
        "me-central-1", "mx-central-1", "sa-east-1", "us-gov-east-1", "us-gov-west-1", "cn-north-1", "cn-northwest-1",
    };

    /// <summary>The listed region <paramref name="region"/> is a likely typo of, or null (listed, or not close to any).</summary>
    public static string? TypoOf(string region)
    {
        if (Known.Contains(region)) return null;
        return Known.FirstOrDefault(k => !IsNewNumber(k, region) && (Distance(k, region) <= 1 || IsTransposition(k, region)));
    }

    /// <summary><c>ap-southeast-6</c> next to <c>ap-southeast-5</c>: another region of a known area, not a slip.</summary>
    private static bool IsNewNumber(string known, string region)
    {
        var cut = region.LastIndexOf('-');
        return cut > 0 && known.StartsWith(region[..(cut + 1)], StringComparison.Ordinal) && known.LastIndexOf('-') == cut
            && region[(cut + 1)..].All(char.IsAsciiDigit);
    }

    private static bool IsTransposition(string a, string b)
    {
        if (a.Length != b.Length) return false;
        var diffs = Enumerable.Range(0, a.Length).Where(i => a[i] != b[i]).ToList();
        return diffs.Count == 2 && diffs[1] == diffs[0] + 1 && a[diffs[0]] == b[diffs[1]] && a[diffs[1]] == b[diffs[0]];
    }

    /// <summary>Levenshtein distance, for short strings (regions are under 20 characters; the caller bounds them by pattern).</summary>
    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 1) return 2;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
