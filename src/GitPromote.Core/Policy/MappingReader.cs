using GitPromote.Core.Policy.Yaml;

namespace GitPromote.Core.Policy;

/// <summary>
/// One YAML mapping of the policy, checked against its <see cref="KeyTable"/>: unknown keys (with a
/// suggestion), keys that are not plain strings and duplicate keys are reported when it is opened.
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, YamlEntry> _entries = new(StringComparer.Ordinal);
    private readonly PolicyErrorSink _errors;

    private MappingReader(YamlMap map, KeyTable keys, PolicyErrorSink errors)
    {
        Map = map;
        _errors = errors;
        foreach (var entry in map.Entries)
        {
            if (entry.Key is not { Length: > 0 } key)
                errors.Add(entry.KeyAt, "keys must be plain, non-empty strings");
            else if (!keys.Contains(key))
                errors.Add(entry.KeyAt, keys.UnknownKeyMessage(key));
            else if (_entries.TryGetValue(key, out var first))
                errors.Add(entry.KeyAt, $"duplicate key '{key}'; first at line {first.KeyAt.Line}");
            else
                _entries[key] = entry;
        }
    }

    public YamlMap Map { get; }

    public Position At => Map.At;

    /// <summary>Null (and an error) when <paramref name="value"/> is not a mapping. A YAML null reads as an empty mapping when <paramref
    /// name="nullIsEmpty"/>.</summary>
    public static MappingReader? Open(YamlValue value, string what, KeyTable keys, PolicyErrorSink errors, bool nullIsEmpty = false)
    {
        if (value is YamlMap map) return new MappingReader(map, keys, errors);
        if (nullIsEmpty && value is YamlText { IsNull: true }) return new MappingReader(new YamlMap(value.At, []), keys, errors);
        errors.Add(value.At, $"{what} must be a mapping");
        return null;
    }

    public bool Has(string key) => _entries.ContainsKey(key);

    public YamlValue? Optional(string key) => _entries.TryGetValue(key, out var entry) ? entry.Value : null;

    public YamlValue? Required(string key, string owner)
    {
        var value = Optional(key);
        if (value is null) _errors.Add(At, $"{owner} is missing required key '{key}'");
        return value;
    }
}
