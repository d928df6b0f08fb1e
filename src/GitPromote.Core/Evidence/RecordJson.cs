using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitPromote.Core.Evidence;

/// <summary>
/// The JSON bodies of records, shared by every store (git tag messages, SSM parameter values) so a record
/// reads the same wherever it lives. Readers are lenient: a pipeline that writes green with plain
/// <c>aws ssm put-parameter</c> may put any value there, and unknown fields are kept out of our way.
/// </summary>
public static class RecordJson
{
    public static string GreenBody(string commit, string environment, Identity by, DateTimeOffset at) =>
        JsonSerializer.Serialize(new GreenRecordDto
        {
            Commit = commit,
            Environment = environment,
            RecordedAt = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            RecordedBy = by.ToString(),
        }, RecordJsonContext.Default.GreenRecordDto);

    /// <summary>Reads <c>recordedAt</c>/<c>recordedBy</c> when the body is JSON that has them; otherwise nulls.</summary>
    public static (DateTimeOffset? At, string? By) ReadGreen(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{') return (null, null);
        try
        {
            var dto = JsonSerializer.Deserialize(body, RecordJsonContext.Default.GreenRecordDto);
            DateTimeOffset? at = DateTimeOffset.TryParse(dto?.RecordedAt, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
            return (at, dto?.RecordedBy);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public static string BypassBody(BypassRecord record) =>
        JsonSerializer.Serialize(new BypassRecordDto
        {
            Environment = record.Environment,
            Commit = record.Commit,
            Ref = record.Ref,
            Justification = record.Justification,
            ByName = record.By.Name,
            ByEmail = record.By.Email,
            At = record.At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            Remote = record.Remote,
        }, RecordJsonContext.Default.BypassRecordDto);

    /// <summary>Null when the body is not a bypass record.</summary>
    public static BypassRecord? ReadBypass(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            var dto = JsonSerializer.Deserialize(body, RecordJsonContext.Default.BypassRecordDto);
            if (dto?.Environment is null || dto.Commit is null || dto.Justification is null) return null;
            var at = DateTimeOffset.TryParse(dto.At, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : DateTimeOffset.MinValue;
            return new BypassRecord(dto.Environment, dto.Commit, dto.Ref ?? "", dto.Justification,
                new Identity(dto.ByName ?? "unknown", dto.ByEmail ?? ""), at, dto.Remote);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed class GreenRecordDto
{
    [JsonPropertyName("commit")] public string? Commit { get; set; }
    [JsonPropertyName("environment")] public string? Environment { get; set; }
    [JsonPropertyName("recordedAt")] public string? RecordedAt { get; set; }
    [JsonPropertyName("recordedBy")] public string? RecordedBy { get; set; }
}

internal sealed class BypassRecordDto
{
    [JsonPropertyName("environment")] public string? Environment { get; set; }
    [JsonPropertyName("commit")] public string? Commit { get; set; }
    [JsonPropertyName("ref")] public string? Ref { get; set; }
    [JsonPropertyName("justification")] public string? Justification { get; set; }
    [JsonPropertyName("byName")] public string? ByName { get; set; }
    [JsonPropertyName("byEmail")] public string? ByEmail { get; set; }
    [JsonPropertyName("at")] public string? At { get; set; }
    [JsonPropertyName("remote")] public string? Remote { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowTrailingCommas = true, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(GreenRecordDto))]
[JsonSerializable(typeof(BypassRecordDto))]
internal sealed partial class RecordJsonContext : JsonSerializerContext;
