using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GitPromote.TestSupport;

/// <summary>
/// A loopback HTTP endpoint that answers every request badly, as a broken proxy or a hostile emulator would: a
/// 200 whose body is enormous (streamed, without Content-Length, so only the client can stop it), or one that
/// drip-feeds its body a byte at a time and never ends.
/// </summary>
public sealed class HostileHttpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private long _bytesSent;

    private HostileHttpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = AcceptLoopAsync();
    }

    public Uri Endpoint { get; }

    /// <summary>Bytes of body written to clients so far (what they were made to receive).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Answers with a JSON body of about <paramref name="bytes"/> bytes, sent as fast as the client reads.</summary>
    public static HostileHttpServer Huge(long bytes) => new HostileHttpServer().With(async (server, stream, token) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nConnection: close\r\n\r\n{\"Parameters\":[],\"InvalidParameters\":[\""), token);
        var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            await stream.WriteAsync(chunk, token);
            Interlocked.Add(ref server._bytesSent, chunk.Length);
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes("\"]}"), token);
    });

    /// <summary>Answers 200 at once, then one byte of body every <paramref name="interval"/>, forever.</summary>
    public static HostileHttpServer Drip(TimeSpan interval) => new HostileHttpServer().With(async (server, stream, token) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nConnection: close\r\n\r\n{"), token);
        while (!token.IsCancellationRequested)
        {
            await Task.Delay(interval, token);
            await stream.WriteAsync(" "u8.ToArray(), token);
            Interlocked.Increment(ref server._bytesSent);
        }
    });

    /// <summary>Reads each request and never answers: an endpoint behind a dead network path.</summary>
    public static HostileHttpServer Hung() => new HostileHttpServer().With(async (_, _, token) => await Task.Delay(Timeout.Infinite, token));

    /// <summary>Answers every request with <paramref name="status"/> and <paramref name="body"/>: an endpoint that keeps failing.</summary>
    public static HostileHttpServer Failing(int status, string body, string contentType = "text/xml") =>
        new HostileHttpServer().With(async (server, stream, token) =>
    {
        Interlocked.Increment(ref server._requests);
        var bytes = Encoding.UTF8.GetBytes(body);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} Failing\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"), token);
        await stream.WriteAsync(bytes, token);
    });

    private int _requests;

    /// <summary>Requests a <see cref="Failing"/> server answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    private Func<HostileHttpServer, NetworkStream, CancellationToken, Task>? _behaviour;

    private HostileHttpServer With(Func<HostileHttpServer, NetworkStream, CancellationToken, Task> behaviour)
    {
        _behaviour = behaviour;
        return this;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await ReadRequestAsync(stream, _stop.Token);
                if (_behaviour is not null) await _behaviour(this, stream, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client hung up (as it should, when it stops reading).
            }
        }
    }

    /// <summary>Reads the request head and its Content-Length body, so the client is not reset mid-send.</summary>
    private static async Task ReadRequestAsync(NetworkStream stream, CancellationToken token)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, token) == 0) return;
            head.Append((char)one[0]);
            if (head.Length > 64 * 1024) return;
        }
        var length = head.ToString().Split("\r\n")
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim())).FirstOrDefault();
        var body = new byte[Math.Min(length, 1 << 20)];
        var read = 0;
        while (read < body.Length)
        {
            var n = await stream.ReadAsync(body.AsMemory(read), token);
            if (n == 0) return;
            read += n;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
