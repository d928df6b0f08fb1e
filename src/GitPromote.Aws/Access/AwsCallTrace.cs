using System.Text.RegularExpressions;
using GitPromote.Core.Diagnostics;

namespace GitPromote.Aws.Access;

/// <summary>
/// Traces each AWS request (PROMOTE_TRACE, <see cref="CallTrace"/>): "aws ssm GetParameters eu-west-1: 131 ms, status 200".
/// Only the service, operation and region are shown, read from the signature's credential scope and the operation header
/// (or a query-protocol body's Action); never a key, token, header value or body.
/// </summary>
public sealed partial class AwsCallTrace(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = CallTrace.Begin();
        if (started == 0) return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            // The SDK reads the body after this returns: traced, read it here (within the response bound), so the time
            // is the whole answer's and not its headers' alone.
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }
            CallTrace.End(await Describe(request).ConfigureAwait(false), started, $"status {(int)response.StatusCode}");
            return response;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var outcome = e switch
            {
                OperationCanceledException => "timed out",
                HttpRequestException h => $"failed: {h.HttpRequestError}",
                _ => $"failed: {e.GetType().Name}",
            };
            CallTrace.End(await Describe(request).ConfigureAwait(false), started, outcome);
            throw;
        }
    }

    /// <summary>"aws ssm GetParameters eu-west-1".</summary>
    internal static async Task<string> Describe(HttpRequestMessage request)
    {
        string? service = null, region = null;
        if (request.Headers.TryGetValues("Authorization", out var signatures) && signatures.FirstOrDefault() is { } signature
            && CredentialScope().Match(signature) is { Success: true } scope)
        {
            region = scope.Groups["region"].Value;
            service = scope.Groups["service"].Value;
        }
        string? operation = null;
        if (request.Headers.TryGetValues("X-Amz-Target", out var targets) && targets.FirstOrDefault() is { } target)
        {
            // "AmazonSSM.GetParameters", "CodePipeline_20150709.ListPipelineExecutions"
            var dot = target.LastIndexOf('.');
            operation = target[(dot + 1)..];
            service ??= dot < 0 ? null : TargetService().Replace(target[..dot], "").ToLowerInvariant();
        }
        operation ??= await QueryAction(request.Content).ConfigureAwait(false) ?? request.Method.Method;
        service ??= request.RequestUri?.Host.Split('.')[0];
        return string.Join(' ', new[] { "aws", service, operation, region }.Where(p => !string.IsNullOrEmpty(p)).Select(Plain));
    }

    /// <summary>The Action of a query-protocol body (STS), read only from a buffered form, and only that name.</summary>
    private static async Task<string?> QueryAction(HttpContent? content)
    {
        if (content is not ByteArrayContent || content.Headers.ContentType?.MediaType != "application/x-www-form-urlencoded") return null;
        try
        {
            var body = await content.ReadAsStringAsync().ConfigureAwait(false);
            return QueryActionPattern().Match(body) is { Success: true } m ? m.Groups[1].Value : null;
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Letters, digits and '-' only: a header is the caller's, and a trace line stays one line.</summary>
    private static string Plain(string? part) => new((part ?? "").Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').Take(64).ToArray());

    [GeneratedRegex(@"Credential=[^/,\s]+/\d{8}/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request", RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 1000)]
    private static partial Regex CredentialScope();

    [GeneratedRegex(@"^Amazon|_\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex TargetService();

    [GeneratedRegex(@"(?:^|&)Action=([A-Za-z]+)(?:&|$)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex QueryActionPattern();
}
