using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using GitPromote.Core.Evidence;

namespace GitPromote.Aws.Access;

/// <summary>What an AWS call was for, so a failure can say which action on which resource in which environment.</summary>
/// <param name="Operation">The IAM action, e.g. <c>ssm:GetParameters</c>.</param>
/// <param name="Resource">What it was called on, e.g. <c>/promote/orders/stg/green/*</c>.</param>
public sealed record AwsOperation(string Operation, string Resource);

/// <summary>
/// A failure from AWS, already classified. Our own CodePipeline client throws it; SDK exceptions are mapped to the
/// same classes by <see cref="AwsFailures"/>.
/// </summary>
public sealed class AwsCallException(string errorCode, string message, HttpStatusCode? status, Exception? inner = null)
    : Exception(message, inner)
{
    public string ErrorCode { get; } = errorCode;
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>Turns any exception of an AWS call into an <see cref="EvidenceFailure"/> a person can act on.</summary>
public static partial class AwsFailures
{
    public static EvidenceUnavailableException Unavailable(Exception error, AwsEnvironmentAccess access, AwsOperation operation, TimeSpan deadline) =>
        error as EvidenceUnavailableException ?? new EvidenceUnavailableException(Describe(error, access, operation, deadline), error);

    public static EvidenceFailure Describe(Exception error, AwsEnvironmentAccess access, AwsOperation operation, TimeSpan deadline)
    {
        if (error is EvidenceUnavailableException known) return known.Failure;
        // The credentials could not be had: the call that failed is the AssumeRole, not the one they were for.
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AssumeRoleFailedException assume)
                return AssumeRoleFailure(assume, access, operation, deadline);
        }
        var what = $"{operation.Operation} on {operation.Resource} for {access.Describe()}";
        var (why, todo) = Classify(error, access, operation, deadline);
        return new EvidenceFailure(what, Redact(why), todo);
    }

    private static EvidenceFailure AssumeRoleFailure(AssumeRoleFailedException assume, AwsEnvironmentAccess access, AwsOperation wanted, TimeSpan deadline)
    {
        var role = new AwsOperation("sts:AssumeRole", assume.RoleArn);
        var what = $"sts:AssumeRole on {assume.RoleArn} for {access.Describe()} (needed for {wanted.Operation} on {wanted.Resource})";
        var code = ErrorCodeOf(assume.InnerException ?? assume);
        if (code is "AccessDenied" or "AccessDeniedException")
            return new EvidenceFailure(what, Redact($"access denied ({code}): the role may not be assumed by this caller"),
                $"check the trust policy of {assume.RoleArn}: it must trust the caller (this step's role, or the profile's source), and the " +
                    "caller's own policy must allow sts:AssumeRole on it (the construct's evidence reader role trusts the next environment's gate build " +
                    "role: docs/aws.md)");
        var (why, todo) = Classify(assume.InnerException ?? assume, access, role, deadline);
        return new EvidenceFailure(what, Redact(why), todo);
    }

    internal static (string Why, string Todo) Classify(Exception error, AwsEnvironmentAccess access, AwsOperation operation, TimeSpan deadline)
    {
        var code = ErrorCodeOf(error);
        var message = MessageOf(error);

        if (error is OperationCanceledException or TimeoutException)
            return (EvidenceFailure.NoAnswerInTime(deadline), $"check the network path to AWS{EndpointHint(access)}, or raise 'timeout' in .promote.yml");

        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is ResponseTooLargeException tooLarge)
                return ($"{operation.Operation} answered more than {tooLarge.Limit / (1024 * 1024)} MB, which no real answer is; it was not read",
                    $"check the endpoint{EndpointHint(access)}: it is not answering as AWS does");
        }

        if (IsSsoExpired(error))
            return ("the AWS SSO session has expired or was never started",
                $"aws sso login --profile {access.ProfileInUse ?? "<profile>"}");

        if (code is "ExpiredToken" or "ExpiredTokenException" or "RequestExpired" or "TokenRefreshRequired")
            return ($"the credentials have expired ({code})", RefreshCredentialsTodo(access));

        if (code is "InvalidClientTokenId" or "UnrecognizedClientException" or "SignatureDoesNotMatch" or "InvalidSignatureException"
            or "IncompleteSignature" or "IncompleteSignatureException" or "MissingAuthenticationToken" or "MissingAuthenticationTokenException")
            return ($"AWS rejected the credentials ({code}): {message}", RefreshCredentialsTodo(access));

        if (code is "AccessDenied" or "AccessDeniedException" or "AuthorizationError" or "UnauthorizedOperation" or "NotAuthorized")
            return ($"access denied ({code}): the identity may not call {operation.Operation} on {operation.Resource}",
                $"allow {operation.Operation} on {operation.Resource} for the identity that {access.AccessDescription} resolves to (see `git promote doctor`)");

        if (IsNoCredentials(error))
            return ("no AWS credentials were found", NoCredentialsTodo(access));

        if (code is "PipelineNotFoundException")
            return ($"the pipeline does not exist in this account and region ({message})",
                "check `codepipeline: { pipeline: ... }` in .promote.yml, and the account/region this environment's credentials point at");

        if (code is "StageNotFoundException" or "ValidationException" or "InvalidNextTokenException")
            return ($"AWS refused the request ({code}): {message}",
                "check the pipeline and stage names in .promote.yml (letters, digits, . @ - _)");

        if (IsThrottling(code, error))
            return ($"AWS kept throttling the requests ({code}) until the deadline",
                "try again in a moment; if it persists, raise `timeout:` in .promote.yml or ask for a higher API rate");

        if (LooksLikeWebPage(error))
            return ($"the endpoint answered {operation.Operation} with a web page, not an AWS answer{StatusText(error)}",
                access.HasEndpointOverride
                    ? $"check AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>): {access.EndpointsShown} does not look like AWS"
                    : "check the network path to AWS: a proxy or captive portal answered instead (HTTPS_PROXY, NO_PROXY)");

        if (StatusOf(error) is { } status && (int)status >= 500)
            return ($"AWS answered with a server error ({(int)status}{(code.Length > 0 ? " " + code : "")}) on every attempt",
                access.HasEndpointOverride
                    ? $"check AWS_ENDPOINT_URL ({access.EndpointsShown}) and the region {RegionOrUnknown(access)}; else try again in a moment"
                    : $"check the region {RegionOrUnknown(access)} (is it a real region, enabled for this account?); else try again in a moment");

        if (IsNetwork(error))
            return ($"cannot reach AWS: {message}", $"check the network, proxy and DNS{EndpointHint(access)}");

        if (code.Length > 0)
            return ($"AWS error {code}: {message}", "see `git promote doctor` for this environment");

        return (message, "run `git promote doctor` to check this environment's region, credentials and SSM read access");
    }

    private static string RegionOrUnknown(AwsEnvironmentAccess access)
    {
        try { return access.Region; }
        catch (EvidenceUnavailableException) { return "(none)"; }
    }

    private static string StatusText(Exception error) => StatusOf(error) is { } status ? $" (HTTP {(int)status})" : "";

    /// <summary>An HTML page where an AWS answer should be: a wrong endpoint, a proxy, a captive portal.</summary>
    private static bool LooksLikeWebPage(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            var text = e.Message;
            if (text.Contains("<html", StringComparison.OrdinalIgnoreCase) || text.Contains("<!doctype", StringComparison.OrdinalIgnoreCase)
                || text.Contains("<body", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    internal static bool IsThrottling(string code, Exception? error = null) =>
        code is "Throttling" or "ThrottlingException" or "ThrottledException" or "RequestLimitExceeded" or "TooManyRequestsException"
            or "RequestThrottled" or "RequestThrottledException" or "ProvisionedThroughputExceededException" or "SlowDown"
        || (error is not null && StatusOf(error) == HttpStatusCode.TooManyRequests);

    private static string RefreshCredentialsTodo(AwsEnvironmentAccess access) =>
        access.IsSsoProfile ? $"aws sso login --profile {access.ProfileInUse}"
        : access.ProfileInUse is { } profile ? $"refresh the credentials of profile {profile} (aws configure --profile {profile}, or its credential_process)"
        : "refresh your AWS credentials (for example re-export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN)";

    private static string NoCredentialsTodo(AwsEnvironmentAccess access) =>
        access.ProfileInUse is { } profile
            ? $"configure profile {profile}: `aws configure --profile {profile}` (keys) or `aws configure sso --profile {profile}` (SSO)"
            : $"give {access.EnvironmentName} credentials: set `aws: {{ profile: ... }}` or `role_arn:` in .promote.yml, or AWS_PROFILE, or " +
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";

    private static string EndpointHint(AwsEnvironmentAccess access) =>
        access.HasEndpointOverride ? " (an AWS_ENDPOINT_URL* override is set)" : "";

    private static string ErrorCodeOf(Exception error) => error switch
    {
        AwsCallException call => call.ErrorCode,
        AmazonServiceException service => service.ErrorCode ?? "",
        _ when error.InnerException is { } inner => ErrorCodeOf(inner),
        _ => "",
    };

    private static HttpStatusCode? StatusOf(Exception error) => error switch
    {
        AwsCallException call => call.Status,
        AmazonServiceException service => service.StatusCode,
        _ when error.InnerException is { } inner => StatusOf(inner),
        _ => null,
    };

    private static string MessageOf(Exception error)
    {
        var message = error is AggregateException { InnerException: { } first } ? first.Message : error.Message;
        message = message.ReplaceLineEndings(" ").Trim();
        return message.Length > 300 ? message[..300] + "..." : message;
    }

    private static bool IsSsoExpired(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            var text = e.Message;
            if (text.Contains("SSO", StringComparison.Ordinal) &&
                (text.Contains("expired", StringComparison.OrdinalIgnoreCase) || text.Contains("token", StringComparison.OrdinalIgnoreCase)
                 || text.Contains("login", StringComparison.OrdinalIgnoreCase)))
                return true;
        }
        return false;
    }

    private static bool IsNoCredentials(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is NoCredentialsException) return true;
            if (e is AmazonClientException &&
                (e.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase)))
                return true;
        }
        return false;
    }

    private static bool IsNetwork(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is HttpRequestException or SocketException or IOException) return true;
        return false;
    }

    /// <summary>Keeps key ids, secrets and tokens out of anything we print.</summary>
    public static string Redact(string text) =>
        SecretPattern().Replace(text, m => m.Groups["key"].Success ? m.Groups["key"].Value + "=<redacted>" : "<redacted>");

    [GeneratedRegex(@"(?<key>(?i:aws_secret_access_key|aws_session_token|secretaccesskey|sessiontoken|secret|token|password))\s*[=:]\s*\S+"
        + @"|\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b")]
    private static partial Regex SecretPattern();
}

/// <summary>No credential source produced credentials.</summary>
public sealed class NoCredentialsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>STS AssumeRole failed while getting an environment's credentials; the inner exception says how.</summary>
public sealed class AssumeRoleFailedException(string roleArn, Exception inner)
    : Exception($"sts:AssumeRole on {roleArn} failed: {inner.Message}", inner)
{
    public string RoleArn { get; } = roleArn;
}
