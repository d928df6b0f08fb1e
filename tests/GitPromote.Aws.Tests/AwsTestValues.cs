using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>What the AWS tests share besides the policies (<see cref="TestPolicies"/>): region, unique names, the sandbox's variables.</summary>
internal static class AwsTestValues
{
    public const string Region = "eu-west-1";

    public static string UniqueName(string prefix = "svc") => $"{prefix}-{Guid.NewGuid():N}"[..20];

    /// <summary>Test keys in the environment, region, and the given endpoint overrides, pointed at the process's sandbox.</summary>
    public static FakeEnvironment Variables(params (string Key, string? Value)[] extra)
    {
        var values = AwsSandbox.UseForThisProcess().EnvironmentFor(
            ("AWS_ACCESS_KEY_ID", AwsSandbox.TestKeyId), ("AWS_SECRET_ACCESS_KEY", AwsSandbox.TestSecret));
        foreach (var (key, value) in extra) values[key] = value;
        return new FakeEnvironment(values);
    }

    public static string Sha(int i) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(BitConverter.GetBytes(i * 7919 + Guid.NewGuid().GetHashCode())));
}
