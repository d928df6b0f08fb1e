using Amazon.CDK;
using Constructs;

namespace GitPromote.Cdk;

/// <summary>
/// Accepted cdk-nag findings, each with its reason, written where cdk-nag reads them: the resource's
/// <c>Metadata.cdk_nag.rules_to_suppress</c> (cdk-nag 2's format; the template tests bring them to cdk-nag 3 as
/// acknowledgements). A team that runs cdk-nag over the stacks or the committed templates sees only what is not explained.
/// </summary>
public static class CdkNag
{
    /// <summary>
    /// Accepts findings on <paramref name="scope"/>: the resource itself, the L1 resource of an L2 construct, or a role's
    /// default policy. All of one resource's acceptances are given in one call.
    /// </summary>
    public static void Accept(IConstruct scope, params NagAcceptance[] accepted)
    {
        var resource = ResourceOf(scope) ?? throw new ArgumentException($"{scope.Node.Path} has no CloudFormation resource to carry a cdk-nag reason");
        if (resource.GetMetadata("cdk_nag") is not null)
            throw new InvalidOperationException($"{scope.Node.Path} already carries cdk-nag reasons: give all of them in one call");
        resource.AddMetadata("cdk_nag", new Dictionary<string, object>
        {
            ["rules_to_suppress"] = accepted.Select(a => (object)a.ToMetadata()).ToArray(),
        });
    }

    private static CfnResource? ResourceOf(IConstruct scope) => scope switch
    {
        CfnResource resource => resource,
        _ when scope.Node.TryFindChild("DefaultPolicy") is { } policy => policy.Node.DefaultChild as CfnResource,
        _ => scope.Node.DefaultChild as CfnResource,
    };
}

/// <summary>
/// One accepted cdk-nag rule (e.g. AwsSolutions-IAM5) and why. <paramref name="Findings"/>, when given, are regular
/// expressions of the finding ids accepted (e.g. <c>^Action::s3:GetObject\*$</c>); none: every finding of the rule.
/// </summary>
public sealed record NagAcceptance(string Rule, string Reason, params string[] Findings)
{
    internal Dictionary<string, object> ToMetadata()
    {
        if (string.IsNullOrWhiteSpace(Reason)) throw new ArgumentException($"accepting {Rule} needs a reason");
        var metadata = new Dictionary<string, object> { ["id"] = Rule, ["reason"] = Reason };
        if (Findings.Length > 0)
            metadata["applies_to"] = Findings.Select(f => (object)new Dictionary<string, object> { ["regex"] = $"/{f}/g" }).ToArray();
        return metadata;
    }
}
