using System.Text;
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
    public const int StandardTierLimit = 4096;
    public const int AdvancedTierLimit = 8192;

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

    /// <summary>The tier a text needs: standard up to 4 KB, advanced (charged) up to 8 KB; null when it fits neither.</summary>
    public static ParameterTier? TierFor(string text) => Encoding.UTF8.GetByteCount(text) switch
    {
        <= StandardTierLimit => ParameterTier.Standard,
        <= AdvancedTierLimit => ParameterTier.Advanced,
        _ => null,
    };

    /// <summary>Writes (or replaces) the parameter with <paramref name="text"/> in the tier it needs; returns that tier.</summary>
    public static Task<ParameterTier> WriteAsync(AwsEnvironmentAccess access, string name, string text, CancellationToken cancellationToken)
    {
        var tier = TierFor(text) ?? throw new ArgumentException($"the policy is larger than {AdvancedTierLimit} bytes", nameof(text));
        return SsmCall.RunAsync(access, new AwsOperation("ssm:PutParameter", name), cancellationToken, async (client, token) =>
        {
            var request = new PutParameterRequest
            {
                Name = name,
                Value = text,
                Type = ParameterType.String,
                Overwrite = true,
                Description = "git-promote policy, read by the pipeline gate (git promote policy publish)",
            };
            // Standard is the default and free; asking for it explicitly would fail on a parameter once made advanced.
            if (tier == ParameterTier.Advanced) request.Tier = tier;
            await client.PutParameterAsync(request, token).ConfigureAwait(false);
            return tier;
        });
    }
}
