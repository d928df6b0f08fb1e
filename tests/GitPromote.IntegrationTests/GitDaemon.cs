using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GitPromote.IntegrationTests;

/// <summary>
/// <c>git daemon</c> on a free loopback port, serving a sandbox's bare repositories over git:// with pushes
/// enabled, in the sandbox's environment (its HOME and git config, the installed git-promote on PATH).
/// Started and stopped by the test that uses it; every wait is bounded.
/// </summary>
public sealed class GitDaemon : IDisposable
{
    private readonly Process _process;

    private GitDaemon(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url(string bareName) => $"git://127.0.0.1:{Port}/{bareName}";

    public static GitDaemon Start(Sandbox sandbox)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var start = new ProcessStartInfo("git")
            {
                WorkingDirectory = sandbox.Root,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", "--informative-errors",
                         $"--base-path={sandbox.Root}", $"--port={port}", "--listen=127.0.0.1", sandbox.Root })
                start.ArgumentList.Add(a);
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal)
                         || k.StartsWith("PROMOTE_", StringComparison.Ordinal) || k.StartsWith("SSH_", StringComparison.Ordinal)).ToList())
                start.Environment.Remove(key);
            start.Environment["HOME"] = sandbox.Home;
            start.Environment["GIT_CONFIG_GLOBAL"] = sandbox.GlobalConfig;
            start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
            start.Environment["NO_COLOR"] = "1";
            start.Environment["PATH"] = Path.Combine(sandbox.Installed.Prefix, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");

            var process = Process.Start(start)!;
            process.StandardInput.Close();
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (WaitUntilListening(process, port, TimeSpan.FromSeconds(10))) return new GitDaemon(process, port);
            Stop(process);
            if (attempt == 2) throw new InvalidOperationException($"git daemon did not start on 127.0.0.1:{port}");
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static bool WaitUntilListening(Process process, int port, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        return false;
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }

    public void Dispose() => Stop(_process);
}
