using System.Text;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace GitPromote.Aws.Ssm;

/// <summary>SSM's parameter tiers: Standard (free) holds 4 KB, Advanced (charged) 8 KB; one rule for every parameter we write.</summary>
public static class SsmParameterTiers
{
    public const int StandardLimit = 4096;
    public const int AdvancedLimit = 8192;

    /// <summary>The tier a value needs: Standard up to 4 KB, Advanced up to 8 KB; null when it fits neither.</summary>
    public static ParameterTier? TierFor(string value) => Encoding.UTF8.GetByteCount(value) switch
    {
        <= StandardLimit => ParameterTier.Standard,
        <= AdvancedLimit => ParameterTier.Advanced,
        _ => null,
    };

    /// <summary>
    /// A PutParameter of a String. The tier is named only when the value needs more than Standard: Standard is the
    /// default and free, and asking for it explicitly fails on a parameter once made advanced.
    /// </summary>
    public static PutParameterRequest Put(string name, string value, bool overwrite, string description)
    {
        var request = new PutParameterRequest { Name = name, Value = value, Type = ParameterType.String, Overwrite = overwrite, Description = description };
        if (Encoding.UTF8.GetByteCount(value) > StandardLimit) request.Tier = ParameterTier.Advanced;
        return request;
    }
}
