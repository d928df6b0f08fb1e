namespace GitPromote.Core.Policy;

/// <summary>
/// Durations as people write them in config: <c>10s</c>, <c>500ms</c>, <c>2m</c>, <c>1m30s</c>, <c>1h</c>, or a bare
/// integer meaning seconds. Units appear at most once, largest first. No fractions, no signs, no spaces.
/// </summary>
public static class DurationParser
{
    private const int MaxDigits = 9;
    private const long MaxMilliseconds = long.MaxValue / TimeSpan.TicksPerMillisecond;

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text.Length == 0) return false;
        if (text.All(char.IsAsciiDigit))
        {
            if (text.Length > MaxDigits) return false;
            duration = TimeSpan.FromSeconds(long.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
            return true;
        }

        long totalMs = 0;
        var lastRank = int.MaxValue;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == start || i - start > MaxDigits) return false;
            var number = long.Parse(text.AsSpan(start, i - start), System.Globalization.CultureInfo.InvariantCulture);

            int rank;
            long unitMs;
            if (At(text, i, "ms")) { rank = 0; unitMs = 1; i += 2; }
            else if (At(text, i, "s")) { rank = 1; unitMs = 1000; i += 1; }
            else if (At(text, i, "m")) { rank = 2; unitMs = 60_000; i += 1; }
            else if (At(text, i, "h")) { rank = 3; unitMs = 3_600_000; i += 1; }
            else return false;

            if (rank >= lastRank) return false;
            lastRank = rank;
            // At most four terms of 9 digits times an hour: well inside a long (not always inside a TimeSpan).
            totalMs += number * unitMs;
        }
        duration = totalMs >= MaxMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>The shortest way to write <paramref name="duration"/> in the syntax <see cref="TryParse"/> reads.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero) return "0s";
        var parts = new System.Text.StringBuilder();
        if (duration.Hours + duration.Days * 24 > 0) parts.Append(duration.Hours + duration.Days * 24).Append('h');
        if (duration.Minutes > 0) parts.Append(duration.Minutes).Append('m');
        if (duration.Seconds > 0) parts.Append(duration.Seconds).Append('s');
        if (duration.Milliseconds > 0) parts.Append(duration.Milliseconds).Append("ms");
        return parts.ToString();
    }

    private static bool At(string text, int index, string unit) =>
        text.Length >= index + unit.Length && string.CompareOrdinal(text, index, unit, 0, unit.Length) == 0;
}
