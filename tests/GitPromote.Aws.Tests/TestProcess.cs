using System.Runtime.CompilerServices;
using GitPromote.Aws;
using GitPromote.Core;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>
/// Process-wide set-up, before any test touches the SDK: a private AWS config (never the machine's ~/.aws), and the
/// STS/SSO clients registered as the CLI registers them, with STS pointed at the shared moto server.
/// </summary>
internal static class TestProcess
{
#pragma warning disable CA2255 // a test assembly is where a module initializer belongs
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        AwsSandbox.UseForThisProcess();
        AwsRuntimeSetup.Register(new SharedMotoEndpoints());
    }

    /// <summary>Answers AWS_ENDPOINT_URL_STS with the shared moto server, started on first use.</summary>
    private sealed class SharedMotoEndpoints : IProcessEnvironment
    {
        public string? Get(string name) => name == "AWS_ENDPOINT_URL_STS" ? SharedMoto.Server.Endpoint.ToString() : null;

        public string CurrentDirectory => Path.GetTempPath();
    }
}

/// <summary>One moto server for the whole test run (tests use unique parameter paths); killed when the process exits.</summary>
internal static class SharedMoto
{
    private static readonly Lazy<MotoServer> Lazy = new(() =>
    {
        var server = MotoServer.StartAsync().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    public static MotoServer Server => Lazy.Value;
}
