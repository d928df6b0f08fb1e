using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace GitPromote.Cli.Output;

/// <summary>
/// Every --json output: a typed record (JsonOutputs.cs) serialized by the source-generated <see cref="JsonOutputContext"/>,
/// so nothing is serialized by reflection (trim- and AOT-safe), on one line. What a script may rely on: docs/json.md.
/// </summary>
public static class Json
{
    /// <summary>
    /// The <c>schemaVersion</c> of every output. Raised when a field is removed, renamed or changes meaning; adding a
    /// field or a new word to a list of words does not raise it (docs/json.md).
    /// </summary>
    public const int SchemaVersion = 1;

    /// <summary>The outputs' types, serialized with the relaxed encoder (text stays readable) and every member written, nulls too.</summary>
    public static JsonOutputContext Types { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
    });

    public static void Write<T>(TextWriter output, T value, JsonTypeInfo<T> type) => output.WriteLine(Serialize(value, type));

    public static string Serialize<T>(T value, JsonTypeInfo<T> type) => EscapeUnsafe(JsonSerializer.Serialize(value, type));

    /// <summary>
    /// The relaxed encoder leaves DEL, C1 controls and bidi overrides raw: escape them too, so that JSON read in a terminal
    /// drives nothing (and passes the output boundary unchanged). They can only stand inside strings, where \uXXXX means
    /// the same character.
    /// </summary>
    internal static string EscapeUnsafe(string json)
    {
        if (!json.Any(Core.Policy.Quoting.IsUnsafe)) return json;
        var escaped = new StringBuilder(json.Length + 16);
        foreach (var c in json) escaped.Append(Core.Policy.Quoting.IsUnsafe(c) ? $"\\u{(int)c:x4}" : c);
        return escaped.ToString();
    }

    /// <summary>The one timestamp format of records and --json output (UTC, to the second); null stays null.</summary>
    public static string? Time(DateTimeOffset? value) => value is { } v ? Time(v) : null;

    public static string Time(DateTimeOffset value) => Core.Evidence.RecordJson.Time(value);
}
