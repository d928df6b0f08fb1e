using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using GitPromote.Core.Evidence;

namespace GitPromote.Aws.Access;

/// <summary>
/// One AWS service over plain HttpClient, for services whose SDK package is not available to us (CodePipeline,
/// CloudWatch): each attempt signed afresh with AWSSDK.Core's <see cref="SigV4SigningHandler"/>, answers read up to
/// <see cref="MaxResponseBytes"/>, and throttling, 5xx, network errors and slow attempts retried with jittered exponential
/// backoff until the caller's token (the deadline) fires. The protocol (body, headers, error shape) is the caller's.
/// </summary>
internal sealed class SignedAwsCaller : IDisposable
{
    public const int MaxResponseBytes = 8 * 1024 * 1024;
    private const int MaxAttempts = 5;
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly TimeSpan _attemptTimeout;

    /// <param name="transport">The handler below signing (tests, proxies); a non-redirecting socket handler when null.</param>
    public SignedAwsCaller(AWSCredentials credentials, string region, string signingService, Uri endpoint, TimeSpan attemptTimeout,
        HttpMessageHandler? transport = null)
    {
        transport ??= new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirected hop would go out with a stale signature
            ConnectTimeout = attemptTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        var signer = new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(region), signingService, transport);
        _http = new HttpClient(new AwsCallTrace(signer)) { Timeout = Timeout.InfiniteTimeSpan };
        _endpoint = endpoint;
        _attemptTimeout = attemptTimeout;
    }

    /// <summary>
    /// POSTs what <paramref name="build"/> puts in a request (called once per attempt) and returns the body of the first
    /// 2xx answer. Any other answer becomes <paramref name="errorOf"/>'s <see cref="AwsCallException"/>, retried when it is
    /// throttling or a server error.
    /// </summary>
    public async Task<byte[]> CallAsync(string operation, Action<HttpRequestMessage> build, Func<HttpStatusCode, byte[], AwsCallException> errorOf,
        CancellationToken cancellationToken)
    {
        AwsCallException? last = null;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var (status, content) = await SendOnceAsync(operation, build, cancellationToken).ConfigureAwait(false);
                if ((int)status is >= 200 and < 300) return content;
                last = errorOf(status, content);
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

            if (attempt >= MaxAttempts) throw Exhausted(last, attempt);
            try
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Deadline.Passed(e, cancellationToken))
            {
                // Out of time while waiting to retry (the token is the call's deadline): the last error says more than "timed out".
                throw Exhausted(last, attempt);
            }
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Content)> SendOnceAsync(string operation, Action<HttpRequestMessage> build,
        CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_attemptTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        build(request);
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
