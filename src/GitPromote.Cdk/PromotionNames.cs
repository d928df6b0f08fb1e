namespace GitPromote.Cdk;

/// <summary>
/// The names that must agree across accounts: stg's evidence-reader role trusts prd's gate role by name, and prd's
/// gate assumes stg's reader role by name, before either exists. Derived only from the service and environment names.
/// </summary>
public sealed record PromotionNames(string Service, string Environment)
{
    /// <summary>IAM's limit on role names.</summary>
    public const int MaxRoleName = 64;

    public string EvidenceRoot => $"promote/{Service}/{Environment}";

    /// <summary>The folders git-promote reads (SsmLayout): green, bypass, revoked, revoked-lifted, approval.</summary>
    public static readonly IReadOnlyList<string> EvidenceFolders = ["green", "revoked", "revoked-lifted", "approval", "bypass", "deploy"];

    public string GateRole => $"promote-{Service}-{Environment}-gate";
    public string EvidenceReaderRole => $"promote-{Service}-{Environment}-evidence-reader";
    public string DeveloperPolicy => $"promote-{Service}-{Environment}-developer";
    public string BuildGuardPolicy => $"promote-{Service}-{Environment}-build-guard";
    public string GateProject => $"promote-{Service}-{Environment}-gate";
    public string RecordProject => $"promote-{Service}-{Environment}-record";

    /// <summary>The parameter the pinned policy is published to (what <c>git promote policy publish</c> writes by default).</summary>
    public static string PolicyParameter(string service) => $"/promote/{service}/policy";
}
