using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using GitPromote.Aws.Access;

namespace GitPromote.Aws.CodePipeline;

/// <summary>The calls of CodePipeline we make; a seam for tests.</summary>
public interface ICodePipelineClient : IDisposable
{
    Task<ListPipelineExecutionsResponse> ListPipelineExecutionsAsync(ListPipelineExecutionsRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// A small CodePipeline client over the JSON 1.1 protocol (AWSSDK.CodePipeline is not available to us): HttpClient,
/// SigV4 from AWSSDK.Core's <see cref="SigV4SigningHandler"/>, source-generated JSON. Throttling, 5xx, network errors
/// and slow attempts are retried with jittered exponential backoff until the caller's token (the deadline) fires;
/// each attempt is signed afresh. Errors come out as <see cref="AwsCallException"/>.
/// </summary>
public sealed class CodePipelineClient : ICodePipelineClient
{
    public const string TargetPrefix = "CodePipeline_20150709";
    public const string ContentType = "application/x-amz-json-1.1";
    public const string SigningService = "codepipeline";
    private const int MaxAttempts = 5;
    private const int MaxResponseBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly TimeSpan _attemptTimeout;

    /// <param name="transport">The handler below signing (tests, proxies); a non-redirecting socket handler when null.</param>
    public CodePipelineClient(AWSCredentials credentials, string region, Uri endpoint, TimeSpan attemptTimeout, HttpMessageHandler? transport = null)
    {
        transport ??= new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirected hop would go out with a stale signature
            ConnectTimeout = attemptTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        var signer = new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(region), SigningService, transport);
        _http = new HttpClient(new AwsCallTrace(signer)) { Timeout = Timeout.InfiniteTimeSpan };
        _endpoint = endpoint;
        _attemptTimeout = attemptTimeout;
    }

    public Task<ListPipelineExecutionsResponse> ListPipelineExecutionsAsync(ListPipelineExecutionsRequest request, CancellationToken cancellationToken) =>
        CallAsync("ListPipelineExecutions", request, CodePipelineJsonContext.Default.ListPipelineExecutionsRequest,
            CodePipelineJsonContext.Default.ListPipelineExecutionsResponse, cancellationToken);

    private async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, TRequest body,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        AwsCallException? last = null;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var (status, content) = await SendOnceAsync(operation, payload, cancellationToken).ConfigureAwait(false);
                if ((int)status is >= 200 and < 300)
                    return JsonSerializer.Deserialize(content, responseType)
                        ?? throw new AwsCallException("InvalidResponse", $"{operation} answered an empty body", status);
                last = ErrorOf(status, content);
                if (!IsRetryable(last)) throw last;
            }
            catch (HttpRequestException e)
            {
                last = new AwsCallException("NetworkError", e.Message, null, e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = new AwsCallException("RequestTimeout", $"no answer within {_attemptTimeout.TotalSeconds:0.#}s", null, e);
            }
            catch (JsonException e)
            {
                throw new AwsCallException("InvalidResponse", $"{operation} answered a body that is not its JSON shape: {e.Message}", null, e);
            }

            if (attempt >= MaxAttempts) throw Exhausted(last, attempt);
            try
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Out of time while waiting to retry: the last error says more than "timed out".
                throw Exhausted(last, attempt);
            }
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Content)> SendOnceAsync(string operation, byte[] payload, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_attemptTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        request.Content = new ByteArrayContent(payload);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"{TargetPrefix}.{operation}");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(attempt.Token).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, attempt.Token).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
                throw new AwsCallException("InvalidResponse", $"{operation} answered more than {MaxResponseBytes / (1024 * 1024)} MB", response.StatusCode);
            buffer.Write(chunk, 0, read);
        }
        return (response.StatusCode, buffer.ToArray());
    }

    internal static AwsCallException ErrorOf(HttpStatusCode status, byte[] content)
    {
        AwsJsonError? error = null;
        try { error = JsonSerializer.Deserialize(content, CodePipelineJsonContext.Default.AwsJsonError); }
        catch (JsonException) { }
        var code = ShortCode(error?.Type) ?? (status == HttpStatusCode.TooManyRequests ? "ThrottlingException" : "UnknownError");
        var message = error?.Message ?? error?.MessageUpper ?? $"HTTP {(int)status}";
        return new AwsCallException(code, message, status);
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

    private static bool IsRetryable(AwsCallException error) =>
        AwsFailures.IsThrottling(error.ErrorCode, error) || error.Status is { } s && (int)s >= 500;

    private static AwsCallException Exhausted(AwsCallException? last, int attempts) =>
        last is null
            ? new AwsCallException("RequestTimeout", "no attempt finished", null)
            : new AwsCallException(last.ErrorCode, $"{last.Message} (after {attempts} attempt{(attempts == 1 ? "" : "s")})", last.Status, last.InnerException);

    /// <summary>Exponential with "equal jitter": half the step is fixed, half random, so retries of many clients spread out.</summary>
    private static TimeSpan Backoff(int attempt)
    {
        var step = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(step / 2 + Random.Shared.NextDouble() * step / 2);
    }

    public void Dispose() => _http.Dispose();
}
