using System.Collections.Concurrent;
using System.Net;
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
/// A loopback reverse proxy in front of moto that records every AWS request: the IAM action (ssm:GetParameters,
/// sts:AssumeRole, s3:GetObject...), the names it carries (SSM parameter names or path, role ARN, pipeline name, S3
/// bucket/key), and the access key id from its SigV4 signature. It also notes which key each AssumeRole answer handed
/// out for which role, so a call signed with temporary credentials can be traced to the role it runs as.
/// </summary>
public sealed partial class RecordingProxy : IDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    { "Host", "Connection", "Content-Length", "Transfer-Encoding", "Keep-Alive", "Expect", "Proxy-Connection" };

    private readonly HttpListener _listener;
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RecordedCall> _calls = new();

    public RecordingProxy(Uri target)
    {
        _target = target;
        (_listener, Endpoint) = FreePort.StartListener();
        _ = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint { get; }
    public IReadOnlyList<RecordedCall> Calls => _calls.ToArray();

    /// <summary>Temporary access key id → the role ARN whose AssumeRole answer carried it.</summary>
    public ConcurrentDictionary<string, string> AssumedKeys { get; } = new(StringComparer.Ordinal);

    public void Clear() => _calls.Clear();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening) { return; }
            catch (HttpListenerException) { continue; }
            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            using var buffer = new MemoryStream();
            await request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
            var body = buffer.ToArray();
            var call = Describe(request, body);
            _calls.Enqueue(call);

            using var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(_target, request.RawUrl));
            if (body.Length > 0 || request.HttpMethod is "POST" or "PUT") forward.Content = new ByteArrayContent(body);
            foreach (string name in request.Headers)
            {
                if (HopHeaders.Contains(name)) continue;
                var value = request.Headers[name];
                if (!forward.Headers.TryAddWithoutValidation(name, value)) forward.Content?.Headers.TryAddWithoutValidation(name, value);
            }
            using var answer = await _upstream.SendAsync(forward, _stop.Token).ConfigureAwait(false);
            var content = await answer.Content.ReadAsByteArrayAsync(_stop.Token).ConfigureAwait(false);
            if (call.Action == "sts:AssumeRole" && AssumedKey().Match(Encoding.UTF8.GetString(content)) is { Success: true } key)
                AssumedKeys[key.Groups[1].Value] = call.Resources[0];
            response.StatusCode = (int)answer.StatusCode;
            foreach (var header in answer.Headers.Concat(answer.Content.Headers))
            {
                if (HopHeaders.Contains(header.Key)) continue;
                response.Headers[header.Key] = string.Join(",", header.Value);
            }
            response.ContentLength64 = content.Length;
            await response.OutputStream.WriteAsync(content, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            try { response.StatusCode = 502; } catch (InvalidOperationException) { }
        }
        finally
        {
            try { response.Close(); } catch (Exception) { }
        }
    }

    /// <summary>The IAM action and resource names of a request, as IAM would see them.</summary>
    public static RecordedCall Describe(HttpListenerRequest request, byte[] body)
    {
        var key = SignatureKey().Match(request.Headers["Authorization"] ?? "") is { Success: true } m ? m.Groups[1].Value : "(unsigned)";
        var target = request.Headers["X-Amz-Target"];
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
            return new RecordedCall($"sts:{action}", form.TryGetValue("RoleArn", out var role) ? [role] : [], key);
        }
        // S3, path style: GET/HEAD /bucket/key.
        var path = Uri.UnescapeDataString(request.Url!.AbsolutePath.TrimStart('/'));
        var s3Action = request.HttpMethod switch { "GET" or "HEAD" when path.Contains('/') => "s3:GetObject", "PUT" => "s3:PutObject", _ => $"s3:{request.HttpMethod} /" };
        return new RecordedCall(s3Action, [path], key);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Close(); } catch (ObjectDisposedException) { }
        _upstream.Dispose();
        _stop.Dispose();
    }

    [GeneratedRegex(@"Credential=([A-Z0-9]+)/")]
    private static partial Regex SignatureKey();

    [GeneratedRegex(@"<AccessKeyId>([A-Z0-9]+)</AccessKeyId>")]
    private static partial Regex AssumedKey();
}
