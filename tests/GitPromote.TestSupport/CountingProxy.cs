using System.Net;

namespace GitPromote.TestSupport;

/// <summary>
/// A loopback reverse proxy that counts AWS requests by operation and forwards them unchanged to an upstream
/// emulator. Put one in front of moto to count "AWS requests per push" at the emulator side.
/// </summary>
public sealed class CountingProxy : IDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    { "Host", "Connection", "Content-Length", "Transfer-Encoding", "Keep-Alive", "Expect", "Proxy-Connection" };

    private readonly HttpListener _listener;
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly SsmWriterStamps _writers;

    public CountingProxy(Uri target)
    {
        _target = target;
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        _writers = new SsmWriterStamps(_upstream, target);
        (_listener, Endpoint) = FreePort.StartListener();
        _ = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint { get; }

    public RequestCounter Requests { get; } = new();

    /// <summary>
    /// The one observer of the traffic: runs after the emulator answered a request and before the client gets the answer,
    /// with the request as it arrived and the answer. A test records calls with it, or changes the store between two
    /// calls of one command (what another writer could do).
    /// </summary>
    public Action<ProxyExchange>? Observer { get; set; }

    private readonly System.Collections.Concurrent.ConcurrentQueue<RecordedRequest> _recorded = new();

    /// <summary>The last <see cref="MaxRecorded"/> requests as they arrived (the ones the observer is shown), for tests that compare what clients
    /// send.</summary>
    public IReadOnlyList<RecordedRequest> Recorded => _recorded.ToArray();

    public const int MaxRecorded = 200;

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
            var operation = RequestCounter.OperationOf(request.Headers["X-Amz-Target"], request.ContentType, body, request.HttpMethod,
                request.Url!.AbsolutePath);
            Requests.Add(operation);

            var recorded = new RecordedRequest(operation, request.HttpMethod, request.RawUrl ?? "/", request.ContentType, request.Headers["Authorization"],
                request.Headers["X-Amz-Target"], body);
            _recorded.Enqueue(recorded);
            while (_recorded.Count > MaxRecorded) _recorded.TryDequeue(out _);

            using var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(_target, request.RawUrl));
            if (body.Length > 0 || request.HttpMethod is "POST" or "PUT") forward.Content = new ByteArrayContent(body);
            foreach (string name in request.Headers)
            {
                if (HopHeaders.Contains(name)) continue;
                var value = request.Headers[name];
                if (!forward.Headers.TryAddWithoutValidation(name, value))
                    forward.Content?.Headers.TryAddWithoutValidation(name, value);
            }
            using var answer = await _upstream.SendAsync(forward, _stop.Token).ConfigureAwait(false);
            response.StatusCode = (int)answer.StatusCode;
            foreach (var header in answer.Headers.Concat(answer.Content.Headers))
            {
                if (HopHeaders.Contains(header.Key)) continue;
                response.Headers[header.Key] = string.Join(",", header.Value);
            }
            var content = await answer.Content.ReadAsByteArrayAsync(_stop.Token).ConfigureAwait(false);
            if (answer.IsSuccessStatusCode) content = await _writers.StampAsync(recorded, content, _stop.Token).ConfigureAwait(false);
            Observer?.Invoke(new ProxyExchange(recorded, content));
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

    public void Dispose()
    {
        _stop.Cancel();
        // Close alone: after Stop, HttpListener.Close binds the port again to unregister it, and fails if another test has it by then.
        try { _listener.Close(); } catch (ObjectDisposedException) { }
        _upstream.Dispose();
        _stop.Dispose();
    }
}

/// <summary>One request a <see cref="CountingProxy"/> forwarded; <paramref name="Target"/> is its <c>X-Amz-Target</c> header (JSON protocols).</summary>
public sealed record RecordedRequest(string Operation, string Method, string Path, string? ContentType, string? Authorization, string? Target, byte[] Body)
{
    /// <summary>The access key id of a SigV4 <c>Authorization</c> header (<c>Credential=AKID/date/region/service/aws4_request</c>).</summary>
    public string? AccessKeyId => CredentialScope?.Split('/')[0];

    /// <summary><c>AKID/20240603/eu-west-1/monitoring/aws4_request</c>, or null when unsigned.</summary>
    public string? CredentialScope => Authorization?.Split("Credential=", 2) is [_, var rest] ? rest.Split(',')[0].Trim() : null;
}

/// <summary>A request the proxy forwarded and the emulator's answer to it, shown to <see cref="CountingProxy.Observer"/> before the client gets it.</summary>
public sealed record ProxyExchange(RecordedRequest Request, byte[] Answer)
{
    public string AnswerText => System.Text.Encoding.UTF8.GetString(Answer);
}
