using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;

namespace GitPromote.Aws.Ssm;

/// <summary>
/// A reviewed policy pinned in Parameter Store (default <c>/promote/&lt;name&gt;/policy</c>), which pipelines read with
/// <c>--policy ssm:NAME</c> instead of trusting the <c>.promote.yml</c> of the commit they are asked to deploy.
/// </summary>
public static class SsmPolicyParameter
{
    public static string DefaultName(string service) => $"/promote/{service}/policy";

    /// <summary>The parameter's text; null when there is no such parameter. Throws <see cref="EvidenceUnavailableException"/> otherwise.</summary>
    public static Task<string?> ReadAsync(AwsEnvironmentAccess access, string name, CancellationToken cancellationToken) =>
        SsmCall.RunAsync(access, new AwsOperation("ssm:GetParameter", name), cancellationToken, async (client, token) =>
        {
            try
            {
                var response = await client.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }, token).ConfigureAwait(false);
                return response.Parameter?.Value;
            }
            catch (ParameterNotFoundException)
            {
                return null;
            }
        });

    /// <summary>Writes (or replaces) the parameter with <paramref name="text"/> in the tier it needs; returns that tier.</summary>
    public static Task<ParameterTier> WriteAsync(AwsEnvironmentAccess access, string name, string text, CancellationToken cancellationToken)
    {
        var tier = SsmParameterTiers.TierFor(text)
            ?? throw new ArgumentException($"the policy is larger than {SsmParameterTiers.AdvancedLimit} bytes", nameof(text));
        return SsmCall.RunAsync(access, new AwsOperation("ssm:PutParameter", name), cancellationToken, async (client, token) =>
        {
            var request = SsmParameterTiers.Put(name, text, overwrite: true, "git-promote policy, read by the pipeline gate (git promote policy publish)");
            await client.PutParameterAsync(request, token).ConfigureAwait(false);
            return tier;
        });
    }
}
