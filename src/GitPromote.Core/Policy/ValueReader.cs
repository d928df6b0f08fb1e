using GitPromote.Core.Policy.Yaml;

namespace GitPromote.Core.Policy;

/// <summary>Typed reads of policy values. Each returns null after reporting an error at the value's position.</summary>
internal sealed class ValueReader(PolicyErrorSink errors)
{
    public PolicyErrorSink Errors { get; } = errors;

    public string? Text(YamlValue value, string key)
    {
        switch (value)
        {
            case YamlText { IsNull: false, Value.Length: > 0 } text:
                return text.Value;
            case YamlText:
                Errors.Add(value.At, $"'{key}' must not be empty");
                return null;
            default:
                Errors.Add(value.At, $"'{key}' must be a string");
                return null;
        }
    }

    /// <summary>A duration (<see cref="DurationParser"/>) more than 0 and at most <paramref name="max"/>; <paramref name="examples"/> shows how one is
    /// written.</summary>
    public TimeSpan? Duration(YamlValue value, string key, TimeSpan max, string examples)
    {
        if (value is not YamlText { IsNull: false } text || !DurationParser.TryParse(text.Value, out var duration))
        {
            var shown = value is YamlText { IsNull: false } t ? $", not '{Quoting.Show(t.Value)}'" : "";
            Errors.Add(value.At, $"'{key}' must be a duration like {examples}{shown}");
            return null;
        }
        if (duration > TimeSpan.Zero && duration <= max) return duration;
        Errors.Add(value.At, $"'{key}' must be more than 0 and at most {DurationParser.Format(max)}, not '{Quoting.Show(text.Value)}'");
        return null;
    }

    /// <summary>
    /// A list of non-empty strings, each with its position. Entries that are not are reported; the good ones
    /// are still returned (so the caller can check them too) and the result is false.
    /// </summary>
    public bool TextList(YamlValue value, string key, out IReadOnlyList<(string Value, Position At)> entries)
    {
        var result = new List<(string, Position)>();
        entries = result;
        if (value is not YamlList list)
        {
            Errors.Add(value.At, $"'{key}' must be a list of strings");
            return false;
        }
        var ok = true;
        foreach (var item in list.Items)
        {
            if (item is YamlText { IsNull: false, Value.Length: > 0 } text) result.Add((text.Value, text.At));
            else
            {
                Errors.Add(item.At, item is YamlText ? $"'{key}' must not contain empty entries" : $"'{key}' must be a list of strings");
                ok = false;
            }
        }
        return ok;
    }

    /// <summary>One of a fixed set of words, e.g. <c>any</c> or <c>all</c>.</summary>
    public T? Choice<T>(YamlValue value, string key, params (string Word, T Value)[] options) where T : struct
    {
        if (value is YamlText { IsNull: false } text)
        {
            foreach (var (word, result) in options)
                if (string.Equals(word, text.Value, StringComparison.Ordinal)) return result;
        }
        var words = string.Join(" or ", options.Select(o => o.Word));
        Errors.Add(value.At, value is YamlText { IsNull: false } shown
            ? $"'{key}' must be {words}, not '{Quoting.Show(shown.Value)}'"
            : $"'{key}' must be {words}");
        return null;
    }

    /// <summary><c>true</c> or <c>false</c> (YAML 1.2's spellings; not yes/no, on/off).</summary>
    public bool? Boolean(YamlValue value, string key)
    {
        if (value is YamlText { IsNull: false } text)
        {
            if (text.Value is "true" or "True" or "TRUE") return true;
            if (text.Value is "false" or "False" or "FALSE") return false;
        }
        Errors.Add(value.At, value is YamlText { IsNull: false } shown
            ? $"'{key}' must be true or false, not '{Quoting.Show(shown.Value)}'"
            : $"'{key}' must be true or false");
        return null;
    }

    public int? Integer(YamlValue value, string key, int min, int max)
    {
        if (value is YamlText { IsNull: false } text && text.Value.Length is > 0 and <= 9 && text.Value.All(char.IsAsciiDigit))
        {
            var number = int.Parse(text.Value, System.Globalization.CultureInfo.InvariantCulture);
            if (number >= min && number <= max) return number;
        }
        Errors.Add(value.At, $"'{key}' must be an integer from {min} to {max}");
        return null;
    }
}
