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
    /// <param name="forced">Why <c>record</c> could not see the environment deploy the commit, when <c>--force</c> recorded it anyway.</param>
    public static string GreenBody(string commit, string environment, Identity by, DateTimeOffset at, string? forced = null) =>
        JsonSerializer.Serialize(new GreenRecordDto
        {
            Commit = commit,
            Environment = environment,
            RecordedAt = Time(at),
            RecordedBy = by.ToString(),
            Forced = forced,
        }, RecordJsonContext.Default.GreenRecordDto);

    /// <summary>Why a green record was written with <c>--force</c> (its <c>forced</c> field); null for a record that was not.</summary>
    public static string? ReadGreenForced(string? body) => Read(body, RecordJsonContext.Default.GreenRecordDto)?.Forced is { Length: > 0 } why
        ? Policy.Quoting.OneLine(why)
        : null;

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
            At = Time(record.At),
            Remote = record.Remote,
            Overrides = record.Overrides.Count == 0 ? null : record.Overrides.ToArray(),
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
                new Identity(dto.ByName ?? "unknown", dto.ByEmail ?? ""), at, dto.Remote)
            { Overrides = dto.Overrides ?? [] };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A deployment event: <c>{"environment","commit","at","by","kind"}</c>.</summary>
    public static string DeploymentBody(DeploymentEvent deployment) =>
        JsonSerializer.Serialize(new DeploymentRecordDto
        {
            Environment = deployment.Environment,
            Commit = deployment.Commit,
            // To the millisecond: two deployments in one second (a demo, a retried pipeline) still come in order.
            At = deployment.At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            By = deployment.By.ToString(),
            Kind = DeploymentKinds.Name(deployment.Kind),
            Forced = deployment.Forced,
            Bypass = deployment.Bypass,
            Landed = deployment.Landed ? true : null,
        }, RecordJsonContext.Default.DeploymentRecordDto);

    /// <summary>Null when the body is not a deployment event (an unknown kind included).</summary>
    public static DeploymentEvent? ReadDeployment(string? body)
    {
        if (Read(body, RecordJsonContext.Default.DeploymentRecordDto) is not { Commit: not null } dto
            || DeploymentKinds.Parse(dto.Kind) is not { } kind || ParseTime(dto.At) is not { } at) return null;
        return new DeploymentEvent(dto.Environment ?? "", dto.Commit.ToLowerInvariant(), at, new Identity(dto.By ?? "unknown", ""), kind)
        {
            Forced = dto.Forced is { Length: > 0 } why ? Policy.Quoting.OneLine(why) : null,
            Bypass = dto.Bypass is { Length: > 0 and <= MaxBypassId } id ? id : null,
            Landed = dto.Landed == true,
        };
    }

    /// <summary>A bypass id is a store name's tail (time, commit, random): anything longer is not one.</summary>
    private const int MaxBypassId = 200;

    public static string RevocationBody(Revocation revocation) =>
        JsonSerializer.Serialize(ToDto(revocation), RecordJsonContext.Default.RevocationRecordDto);

    /// <summary>Null when the body is not a revocation record.</summary>
    public static Revocation? ReadRevocation(string? body) =>
        Read(body, RecordJsonContext.Default.RevocationRecordDto) is { } dto ? FromDto(dto) : null;

    public static string LiftedRevocationBody(LiftedRevocation lifted)
    {
        var dto = ToDto(lifted.Revocation);
        dto.LiftedByName = lifted.By.Name;
        dto.LiftedByEmail = lifted.By.Email;
        dto.LiftedAt = Time(lifted.At);
        return JsonSerializer.Serialize(dto, RecordJsonContext.Default.RevocationRecordDto);
    }

    /// <summary>Null when the body is not a lifted revocation.</summary>
    public static LiftedRevocation? ReadLiftedRevocation(string? body)
    {
        if (Read(body, RecordJsonContext.Default.RevocationRecordDto) is not { LiftedAt: not null } dto || FromDto(dto) is not { } revocation) return null;
        return new LiftedRevocation(revocation, new Identity(dto.LiftedByName ?? "unknown", dto.LiftedByEmail ?? ""), ParseTime(dto.LiftedAt)
            ?? DateTimeOffset.MinValue);
    }

    public static string ApprovalBody(Approval approval) =>
        JsonSerializer.Serialize(new ApprovalRecordDto
        {
            Environment = approval.Environment,
            Commit = approval.Commit,
            Approver = approval.ApproverId,
            ByName = approval.By?.Name,
            ByEmail = approval.By?.Email,
            At = approval.At is { } at ? Time(at) : null,
            Comment = approval.Comment,
        }, RecordJsonContext.Default.ApprovalRecordDto);

    /// <summary>Null when the body is not an approval record.</summary>
    public static Approval? ReadApproval(string? body)
    {
        if (Read(body, RecordJsonContext.Default.ApprovalRecordDto) is not { Environment: not null, Commit: not null, Approver: not null } dto) return null;
        return new Approval(dto.Environment, dto.Commit, dto.Approver,
            dto.ByName is null && dto.ByEmail is null ? null : new Identity(dto.ByName ?? "unknown", dto.ByEmail ?? ""),
            ParseTime(dto.At), dto.Comment);
    }

    private static RevocationRecordDto ToDto(Revocation r) => new()
    {
        Environment = r.Environment,
        Commit = r.Commit,
        Reason = r.Reason,
        ByName = r.By?.Name,
        ByEmail = r.By?.Email,
        At = r.At is { } at ? Time(at) : null,
    };

    private static Revocation? FromDto(RevocationRecordDto dto) =>
        dto.Environment is null || dto.Commit is null ? null
            : new Revocation(dto.Environment, dto.Commit, dto.Reason,
                dto.ByName is null && dto.ByEmail is null ? null : new Identity(dto.ByName ?? "unknown", dto.ByEmail ?? ""),
                ParseTime(dto.At));

    private static T? Read<T>(string? body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{') return null;
        try { return JsonSerializer.Deserialize(body, type); }
        catch (JsonException) { return null; }
    }

    /// <summary>The one timestamp format of records and --json output: UTC, to the second, ISO 8601.</summary>
    public static string Time(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at
            : null;
}

internal sealed class RevocationRecordDto
{
    [JsonPropertyName("environment")] public string? Environment { get; set; }
    [JsonPropertyName("commit")] public string? Commit { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("byName")] public string? ByName { get; set; }
    [JsonPropertyName("byEmail")] public string? ByEmail { get; set; }
    [JsonPropertyName("at")] public string? At { get; set; }
    [JsonPropertyName("liftedByName")] public string? LiftedByName { get; set; }
    [JsonPropertyName("liftedByEmail")] public string? LiftedByEmail { get; set; }
    [JsonPropertyName("liftedAt")] public string? LiftedAt { get; set; }
}

internal sealed class ApprovalRecordDto
{
    [JsonPropertyName("environment")] public string? Environment { get; set; }
    [JsonPropertyName("commit")] public string? Commit { get; set; }
    [JsonPropertyName("approver")] public string? Approver { get; set; }
    [JsonPropertyName("byName")] public string? ByName { get; set; }
    [JsonPropertyName("byEmail")] public string? ByEmail { get; set; }
    [JsonPropertyName("at")] public string? At { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
}

internal sealed class GreenRecordDto
{
    [JsonPropertyName("commit")] public string? Commit { get; set; }
    [JsonPropertyName("environment")] public string? Environment { get; set; }
    [JsonPropertyName("recordedAt")] public string? RecordedAt { get; set; }
    [JsonPropertyName("recordedBy")] public string? RecordedBy { get; set; }
    [JsonPropertyName("forced")] public string? Forced { get; set; }
}

internal sealed class DeploymentRecordDto
{
    [JsonPropertyName("environment")] public string? Environment { get; set; }
    [JsonPropertyName("commit")] public string? Commit { get; set; }
    [JsonPropertyName("at")] public string? At { get; set; }
    [JsonPropertyName("by")] public string? By { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("forced")] public string? Forced { get; set; }
    [JsonPropertyName("bypass")] public string? Bypass { get; set; }
    [JsonPropertyName("landed")] public bool? Landed { get; set; }
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
    [JsonPropertyName("overrides")] public string[]? Overrides { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(GreenRecordDto))]
[JsonSerializable(typeof(BypassRecordDto))]
[JsonSerializable(typeof(RevocationRecordDto))]
[JsonSerializable(typeof(ApprovalRecordDto))]
[JsonSerializable(typeof(DeploymentRecordDto))]
internal sealed partial class RecordJsonContext : JsonSerializerContext;
