using System.Text.RegularExpressions;
using GitPromote.Aws.Access;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>Builds policies and environments the way the loader would, for tests.</summary>
internal static class Policies
{
    public const string Region = "eu-west-1";

    public static string UniqueName(string prefix = "svc") => $"{prefix}-{Guid.NewGuid():N}"[..20];

    public static EnvironmentPolicy Environment(string name, AwsAccess? aws, params EvidenceSource[] evidence) =>
        new(name, 1, [name], aws, evidence, RequireMode.Any);

    public static PromotionPolicy Policy(string service, TimeSpan? timeout, params EnvironmentPolicy[] environments) =>
        new(1, service, ["main"], environments, RollbackMode.PreviouslyGreen, new BypassPolicy(new Regex(BypassPolicy.DefaultPattern)),
            OnErrorMode.Block, timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>Test keys in the environment, region, and the given endpoint overrides, pointed at the process's sandbox.</summary>
    public static FakeEnvironment Variables(params (string Key, string? Value)[] extra)
    {
        var values = AwsSandbox.UseForThisProcess().EnvironmentFor(
            ("AWS_ACCESS_KEY_ID", AwsSandbox.TestKeyId), ("AWS_SECRET_ACCESS_KEY", AwsSandbox.TestSecret));
        foreach (var (key, value) in extra) values[key] = value;
        return new FakeEnvironment(values);
    }

    public static string Sha(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(BitConverter.GetBytes(i * 7919 + Guid.NewGuid().GetHashCode())));
}
