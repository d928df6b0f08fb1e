using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>One AWS call as it reached the emulator: its IAM action, the resources it named, and the key that signed it.</summary>
public sealed record RecordedCall(string Action, IReadOnlyList<string> Resources, string AccessKey)
{
    public override string ToString() => $"{Action} {string.Join(", ", Resources)} (key {AccessKey})";
}

/// <summary>
/// A <see cref="CountingProxy"/> in front of an emulator that records every AWS request: the IAM action
/// (ssm:GetParameters, sts:AssumeRole, s3:GetObject...), the names it carries (SSM parameter names or path, role ARN,
/// pipeline name, S3 bucket/key), and the access key id from its SigV4 signature. It also notes which key each AssumeRole
/// answer handed out for which role, so a call signed with temporary credentials can be traced to the role it runs as.
/// </summary>
public sealed partial class RecordingProxy : IDisposable
{
    private readonly CountingProxy _proxy;
    private readonly ConcurrentQueue<RecordedCall> _calls = new();

    public RecordingProxy(Uri target) => _proxy = new CountingProxy(target) { Observer = Record };

    public Uri Endpoint => _proxy.Endpoint;
    public IReadOnlyList<RecordedCall> Calls => _calls.ToArray();

    /// <summary>Temporary access key id → the role ARN whose AssumeRole answer carried it.</summary>
    public ConcurrentDictionary<string, string> AssumedKeys { get; } = new(StringComparer.Ordinal);

    public void Clear() => _calls.Clear();

    private void Record(ProxyExchange exchange)
    {
        var call = Describe(exchange.Request);
        if (call.Action == "sts:AssumeRole" && AssumedKey().Match(exchange.AnswerText) is { Success: true } key)
            AssumedKeys[key.Groups[1].Value] = call.Resources[0];
        _calls.Enqueue(call);
    }

    /// <summary>The IAM action and resource names of a request, as IAM would see them.</summary>
    public static RecordedCall Describe(RecordedRequest request)
    {
        var body = request.Body;
        var key = SignatureKey().Match(request.Authorization ?? "") is { Success: true } m ? m.Groups[1].Value : "(unsigned)";
        var target = request.Target;
        if (!string.IsNullOrEmpty(target))
        {
            var operation = target[(target.LastIndexOf('.') + 1)..];
            var service = target.StartsWith("AmazonSSM", StringComparison.Ordinal) ? "ssm"
                : target.StartsWith("CodePipeline", StringComparison.Ordinal) ? "codepipeline" : target;
            using var json = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
            var root = json.RootElement;
            var names = new List<string>();
            foreach (var field in new[] { "Name", "Path", "pipelineName" })
                if (root.TryGetProperty(field, out var v)) names.Add(v.GetString()!);
            if (root.TryGetProperty("Names", out var many)) names.AddRange(many.EnumerateArray().Select(n => n.GetString()!));
            return new RecordedCall($"{service}:{operation}", names, key);
        }
        if (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            var form = Encoding.UTF8.GetString(body).Split('&').Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
            var action = form.GetValueOrDefault("Action", "?");
            // STS and CloudWatch both speak the Query protocol: the signature's scope (KEY/date/region/SERVICE/aws4_request) tells them apart.
            if (SignatureService().Match(request.Authorization ?? "") is { Success: true, Groups: var g } && g[1].Value == "monitoring")
            {
                // DescribeAlarms is authorized per alarm: the names asked for, or the prefix as IAM sees it (a name starting with it).
                var alarms = form.Where(f => f.Key.StartsWith("AlarmNames.member.", StringComparison.Ordinal)).Select(f => f.Value).ToList();
                if (form.TryGetValue("AlarmNamePrefix", out var prefix)) alarms.Add(prefix + "*");
                return new RecordedCall($"cloudwatch:{action}", alarms, key);
            }
            return new RecordedCall($"sts:{action}", form.TryGetValue("RoleArn", out var role) ? [role] : [], key);
        }
        // S3, path style: GET/HEAD /bucket/key.
        var path = Uri.UnescapeDataString(request.Path.Split('?', 2)[0].TrimStart('/'));
        var s3Action = request.Method switch
        {
            "GET" or "HEAD" when path.Contains('/') => "s3:GetObject",
            "PUT" => "s3:PutObject",
            _ =>
            $"s3:{request.Method} /"
        };
        return new RecordedCall(s3Action, [path], key);
    }

    public void Dispose() => _proxy.Dispose();

    [GeneratedRegex(@"Credential=([A-Z0-9]+)/")]
    private static partial Regex SignatureKey();

    [GeneratedRegex(@"Credential=[A-Z0-9]+/[0-9]+/[a-z0-9-]+/([a-z0-9-]+)/aws4_request")]
    private static partial Regex SignatureService();

    [GeneratedRegex(@"<AccessKeyId>([A-Z0-9]+)</AccessKeyId>")]
    private static partial Regex AssumedKey();
}
