using System.Net;
using Amazon.Runtime;

namespace GitPromote.Aws.Access;

/// <summary>
/// The base of our clients for services whose SDK package is not available to us (<see cref="CodePipeline.CodePipelineClient"/>
/// over JSON 1.1, <see cref="CloudWatch.CloudWatchClient"/> over Query): one <see cref="SignedAwsCaller"/> to the service's
/// endpoint, a POST of one operation's body in the service's content type, and an error answer read by the service's own
/// shape. What the body holds and what the answer means stay with the client.
/// </summary>
public abstract class SignedAwsClient : IDisposable
{
    private readonly SignedAwsCaller _caller;
    private readonly string _contentType;
    private readonly Func<HttpStatusCode, byte[], AwsCallException> _errorOf;

    /// <param name="signingService">The name SigV4 signs for (<c>codepipeline</c>, <c>monitoring</c>).</param>
    /// <param name="contentType">The Content-Type of every request body, as the AWS CLI sends it.</param>
    /// <param name="errorOf">A non-2xx answer as an exception, from the protocol's error body.</param>
    /// <param name="transport">The handler below signing (tests, proxies); a non-redirecting socket handler when null.</param>
    private protected SignedAwsClient(string signingService, string contentType, Func<HttpStatusCode, byte[], AwsCallException> errorOf,
        AWSCredentials credentials, string region, Uri endpoint, TimeSpan attemptTimeout, HttpMessageHandler? transport)
    {
        _caller = new SignedAwsCaller(credentials, region, signingService, endpoint, attemptTimeout, transport);
        _contentType = contentType;
        _errorOf = errorOf;
    }

    /// <summary>
    /// POSTs <paramref name="body"/> for <paramref name="operation"/> (with <c>X-Amz-Target</c> when the protocol names the
    /// operation there) and returns the body of the 2xx answer; any other answer is thrown as its error, after the retries
    /// of <see cref="SignedAwsCaller"/>.
    /// </summary>
    private protected Task<byte[]> PostAsync(string operation, byte[] body, string? target, CancellationToken cancellationToken) =>
        _caller.CallAsync(operation, request =>
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", _contentType);
            if (target is not null) request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }, _errorOf, cancellationToken);

    /// <summary>
    /// An error answer as an <see cref="AwsCallException"/>: the code and message its body gave, else <paramref name="throttlingCode"/>
    /// for a 429 or <c>UnknownError</c>, and <c>HTTP &lt;status&gt;</c>.
    /// </summary>
    private protected static AwsCallException ErrorFrom(HttpStatusCode status, string? code, string? message, string throttlingCode) =>
        new(code ?? (status == HttpStatusCode.TooManyRequests ? throttlingCode : "UnknownError"), message ?? $"HTTP {(int)status}", status);

    public void Dispose() => _caller.Dispose();
}
