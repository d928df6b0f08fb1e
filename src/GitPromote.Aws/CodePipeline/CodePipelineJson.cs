using System.Text.Json.Serialization;

namespace GitPromote.Aws.CodePipeline;

// Shapes of CodePipeline_20150709 (JSON 1.1), as botocore's service-2.json gives them. Only what we send and read.

public sealed class ListPipelineExecutionsRequest
{
    [JsonPropertyName("pipelineName")] public required string PipelineName { get; init; }
    [JsonPropertyName("maxResults")] public int? MaxResults { get; init; }
    [JsonPropertyName("filter")] public PipelineExecutionFilter? Filter { get; init; }
    [JsonPropertyName("nextToken")] public string? NextToken { get; init; }
}

public sealed class PipelineExecutionFilter
{
    [JsonPropertyName("succeededInStage")] public SucceededInStageFilter? SucceededInStage { get; init; }
}

public sealed class SucceededInStageFilter
{
    [JsonPropertyName("stageName")] public string? StageName { get; init; }
}

public sealed class ListPipelineExecutionsResponse
{
    [JsonPropertyName("pipelineExecutionSummaries")] public List<PipelineExecutionSummary>? PipelineExecutionSummaries { get; init; }
    [JsonPropertyName("nextToken")] public string? NextToken { get; init; }
}

public sealed class PipelineExecutionSummary
{
    [JsonPropertyName("pipelineExecutionId")] public string? PipelineExecutionId { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("statusSummary")] public string? StatusSummary { get; init; }
    /// <summary>Epoch seconds (the JSON protocol's timestamp format).</summary>
    [JsonPropertyName("startTime")] public double? StartTime { get; init; }
    [JsonPropertyName("lastUpdateTime")] public double? LastUpdateTime { get; init; }
    [JsonPropertyName("sourceRevisions")] public List<SourceRevision>? SourceRevisions { get; init; }
    [JsonPropertyName("executionMode")] public string? ExecutionMode { get; init; }
    [JsonPropertyName("executionType")] public string? ExecutionType { get; init; }
}

public sealed class SourceRevision
{
    [JsonPropertyName("actionName")] public string? ActionName { get; init; }
    [JsonPropertyName("revisionId")] public string? RevisionId { get; init; }
    [JsonPropertyName("revisionSummary")] public string? RevisionSummary { get; init; }
    [JsonPropertyName("revisionUrl")] public string? RevisionUrl { get; init; }
}

/// <summary>The body of an error response: <c>{"__type": "...#Code", "message": "..."}</c>.</summary>
public sealed class AwsJsonError
{
    [JsonPropertyName("__type")] public string? Type { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("Message")] public string? MessageUpper { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ListPipelineExecutionsRequest))]
[JsonSerializable(typeof(ListPipelineExecutionsResponse))]
[JsonSerializable(typeof(AwsJsonError))]
public sealed partial class CodePipelineJsonContext : JsonSerializerContext;
