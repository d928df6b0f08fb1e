namespace GitPromote.Core.Policy.Yaml;

/// <summary>A 1-based line and column in the policy text.</summary>
internal readonly record struct Position(int Line, int Column)
{
    public static readonly Position None = new(0, 0);
    public static readonly Position Start = new(1, 1);
}

/// <summary>
/// The small, alias-free YAML tree the policy is read from. Scalars are kept as text: the policy's
/// types (integer, duration, enum) are checked by the reader that knows what the key means.
/// </summary>
internal abstract class YamlValue(Position at)
{
    public Position At { get; } = at;
}

internal sealed class YamlText(Position at, string value, bool isPlain) : YamlValue(at)
{
    public string Value { get; } = value;

    /// <summary>An empty plain scalar, <c>~</c> or <c>null</c>: YAML's null, as in <c>git:</c> with nothing after it.</summary>
    public bool IsNull { get; } = isPlain && value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed class YamlList(Position at, IReadOnlyList<YamlValue> items) : YamlValue(at)
{
    public IReadOnlyList<YamlValue> Items { get; } = items;
}

internal sealed class YamlMap(Position at, IReadOnlyList<YamlEntry> entries) : YamlValue(at)
{
    public IReadOnlyList<YamlEntry> Entries { get; } = entries;
}

/// <summary>One <c>key: value</c>. The key is null when it was not a scalar (YAML allows <c>? [a, b]</c>; we do not).</summary>
internal sealed record YamlEntry(Position KeyAt, string? Key, YamlValue Value);
