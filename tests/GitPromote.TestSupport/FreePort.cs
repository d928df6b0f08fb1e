using System.Net;
using System.Net.Sockets;

namespace GitPromote.TestSupport;

public static class FreePort
{
    /// <summary>A loopback port free right now (the OS picks it); callers retry if someone takes it first.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts an <see cref="HttpListener"/> on a free loopback port, retrying a few times on a race.</summary>
    public static (HttpListener Listener, Uri Endpoint) StartListener()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Next();
            var listener = new HttpListener();
            var prefix = $"http://127.0.0.1:{port}/";
            listener.Prefixes.Add(prefix);
            try
            {
                listener.Start();
                return (listener, new Uri(prefix));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }
}
