using System.Diagnostics;
using System.Text;

namespace GitPromote.TestSupport;

/// <summary>
/// The moto AWS emulator (<c>python3 -m moto.server</c>) on a free loopback port, started by the tests and killed on
/// dispose. <see cref="Endpoint"/> goes through a <see cref="CountingProxy"/>, so <see cref="Requests"/> counts what
/// reached the emulator; <see cref="DirectEndpoint"/> is moto itself. Use unique parameter paths per test (or
/// <see cref="ResetAsync"/>) when tests share one server.
/// </summary>
public sealed class MotoServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly CountingProxy _proxy;

    private MotoServer(Process process, Uri direct)
    {
        _process = process;
        DirectEndpoint = direct;
        _proxy = new CountingProxy(direct);
    }

    public Uri DirectEndpoint { get; }
    public Uri Endpoint => _proxy.Endpoint;
    public RequestCounter Requests => _proxy.Requests;

    /// <summary>What moto printed so far (for diagnosing a failed start).</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>A separate counter in front of the same server, for a test that needs exact counts while others run.</summary>
    public CountingProxy OpenCountingProxy() => new(DirectEndpoint);

    public static async Task<MotoServer> StartAsync(TimeSpan? startTimeout = null)
    {
        var deadline = DateTime.UtcNow + (startTimeout ?? TimeSpan.FromSeconds(30));
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var info = new ProcessStartInfo("python3", $"-m moto.server -p {port} -H 127.0.0.1")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                // Never the terminal's: a server left running in the background would stop (SIGTTIN) on reading it.
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            info.Environment["PYTHONUNBUFFERED"] = "1";
            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start python3 -m moto.server");
            var server = new MotoServer(process, new Uri($"http://127.0.0.1:{port}/"));
            process.OutputDataReceived += (_, e) => server.Append(e.Data);
            process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await server.WaitUntilAnsweringAsync(deadline).ConfigureAwait(false)) return server;
            var log = server.Log;
            server.Dispose();
            if (attempt >= 2 || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"moto.server did not answer on port {port}:\n{log}");
        }
    }

    /// <summary>Forgets everything moto holds (POST /moto-api/reset).</summary>
    public async Task ResetAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(DirectEndpoint, "moto-api/reset"), null).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private async Task<bool> WaitUntilAnsweringAsync(DateTime deadline)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) return false;
            try
            {
                using var response = await http.GetAsync(new Uri(DirectEndpoint, "moto-api/")).ConfigureAwait(false);
                return true;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100).ConfigureAwait(false);
        }
        return false;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (_log.Length < 64 * 1024) _log.AppendLine(line);
        }
    }

    public void Dispose()
    {
        _proxy.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
