namespace GitPromote.Core.Policy;

/// <summary>"Did you mean": the known key nearest to a misspelt one, when it is near enough to be a typo.</summary>
public static class KeySuggester
{
    public static string? Nearest(string unknown, IReadOnlyList<string> known)
    {
        var typed = Normalize(unknown);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var normalized = Normalize(candidate);
            var allowed = Math.Clamp((normalized.Length + 1) / 3, 1, 3);
            // The distance is at least the length difference: skip the quadratic work when that already rules it out.
            if (Math.Abs(normalized.Length - typed.Length) > allowed) continue;
            var distance = EditDistance(typed, normalized);
            if (distance <= allowed && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>Case and '-' versus '_' are the commonest slips; they cost nothing.</summary>
    private static string Normalize(string key) => key.ToLowerInvariant().Replace('-', '_');

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
