using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.Runtime;
using GitPromote.Aws.Access;

namespace GitPromote.Aws.CodePipeline;

/// <summary>The calls of CodePipeline we make; a seam for tests.</summary>
public interface ICodePipelineClient : IDisposable
{
    Task<ListPipelineExecutionsResponse> ListPipelineExecutionsAsync(ListPipelineExecutionsRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// A small CodePipeline client over the JSON 1.1 protocol (AWSSDK.CodePipeline is not available to us): source-generated
/// JSON over <see cref="SignedAwsClient"/> (SigV4 from AWSSDK.Core, bounded answers, retries until the deadline).
/// Errors come out as <see cref="AwsCallException"/>.
/// </summary>
public sealed class CodePipelineClient : SignedAwsClient, ICodePipelineClient
{
    public const string TargetPrefix = "CodePipeline_20150709";
    public const string ContentType = "application/x-amz-json-1.1";
    public const string SigningService = "codepipeline";

    /// <param name="transport">The handler below signing (tests, proxies); a non-redirecting socket handler when null.</param>
    public CodePipelineClient(AWSCredentials credentials, string region, Uri endpoint, TimeSpan attemptTimeout, HttpMessageHandler? transport = null)
        : base(SigningService, ContentType, ErrorOf, credentials, region, endpoint, attemptTimeout, transport)
    {
    }

    public Task<ListPipelineExecutionsResponse> ListPipelineExecutionsAsync(ListPipelineExecutionsRequest request, CancellationToken cancellationToken) =>
        CallAsync("ListPipelineExecutions", request, CodePipelineJsonContext.Default.ListPipelineExecutionsRequest,
            CodePipelineJsonContext.Default.ListPipelineExecutionsResponse, cancellationToken);

    private async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, TRequest body,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        var content = await PostAsync(operation, payload, $"{TargetPrefix}.{operation}", cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(content, responseType)
                ?? throw new AwsCallException("InvalidResponse", $"{operation} answered an empty body", HttpStatusCode.OK);
        }
        catch (JsonException e)
        {
            throw new AwsCallException("InvalidResponse", $"{operation} answered a body that is not its JSON shape: {e.Message}", null, e);
        }
    }

    internal static AwsCallException ErrorOf(HttpStatusCode status, byte[] content)
    {
        AwsJsonError? error = null;
        try { error = JsonSerializer.Deserialize(content, CodePipelineJsonContext.Default.AwsJsonError); }
        catch (JsonException) { }
        return ErrorFrom(status, ShortCode(error?.Type), error?.Message ?? error?.MessageUpper, throttlingCode: "ThrottlingException");
    }

    /// <summary><c>com.amazonaws.codepipeline#PipelineNotFoundException:http://...</c> → <c>PipelineNotFoundException</c>.</summary>
    internal static string? ShortCode(string? type)
    {
        if (string.IsNullOrWhiteSpace(type)) return null;
        var code = type;
        var hash = code.LastIndexOf('#');
        if (hash >= 0) code = code[(hash + 1)..];
        var colon = code.IndexOf(':');
        if (colon >= 0) code = code[..colon];
        return code.Trim();
    }
}
