using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GitPromote.Cli.Output;

/// <summary>
/// Minimal JSON writing for --json output, through Utf8JsonWriter so strings are escaped correctly; trim-safe
/// because nothing is serialized by reflection.
/// </summary>
public static class Json
{
    public static string String(string? value)
    {
        if (value is null) return "null";
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            writer.WriteStringValue(value);
        var json = Encoding.UTF8.GetString(stream.ToArray());
        // The relaxed encoder leaves DEL, C1 controls and bidi overrides raw: escape them too, so that JSON read in a
        // terminal drives nothing (and passes the output boundary unchanged).
        if (!json.Any(Core.Policy.Quoting.IsUnsafe)) return json;
        var escaped = new StringBuilder(json.Length + 16);
        foreach (var c in json) escaped.Append(Core.Policy.Quoting.IsUnsafe(c) ? $"\\u{(int)c:x4}" : c);
        return escaped.ToString();
    }

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Time(DateTimeOffset? value) => value is { } v ? String(Core.Evidence.RecordJson.Time(v)) : "null";

    /// <summary>An object from already-encoded values, in the given order.</summary>
    public static string Object(params (string Name, string Value)[] members) =>
        "{" + string.Join(",", members.Select(m => String(m.Name) + ":" + m.Value)) + "}";

    public static string Array(IEnumerable<string> encodedValues) => "[" + string.Join(",", encodedValues) + "]";
}
