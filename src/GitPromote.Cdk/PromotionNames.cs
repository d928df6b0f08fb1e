namespace GitPromote.Cdk;

/// <summary>
/// The names that must agree across accounts and with the build guard's SCP: stg's evidence-reader role trusts prd's gate
/// build role by ARN, prd's gate assumes stg's reader role by name, and the SCP names every role, project and the pipeline
/// before any of them exists. Derived only from the service and environment names; the roles the pipeline acts as live
/// under one IAM path, <see cref="RolePath"/>.
/// </summary>
public sealed record PromotionNames(string Service, string Environment)
{
    /// <summary>IAM's limit on role names.</summary>
    public const int MaxRoleName = 64;

    /// <summary>The IAM path of the pipeline's, its actions' and its builds' roles (the evidence reader keeps "/": other accounts name it).</summary>
    public const string RolePath = "/git-promote/";

    public string EvidenceRoot => $"promote/{Service}/{Environment}";

    /// <summary>The folders git-promote reads (SsmLayout): green, bypass, revoked, revoked-lifted, approval.</summary>
    public static readonly IReadOnlyList<string> EvidenceFolders = ["green", "revoked", "revoked-lifted", "approval", "bypass", "deploy"];

    private string Prefix => $"promote-{Service}-{Environment}";

    public string PipelineRole => $"{Prefix}-pipeline";
    public string SourceActionRole => $"{Prefix}-source-action";
    public string GateActionRole => $"{Prefix}-gate-action";
    public string RecordActionRole => $"{Prefix}-record-action";
    public string GateRole => $"{Prefix}-gate-build";
    public string RecordRole => $"{Prefix}-record-build";
    public string PruneRole => $"{Prefix}-prune-build";
    public string PruneScheduleRole => $"{Prefix}-prune-schedule";
    public string TriggerRole => $"{Prefix}-trigger";
    public string EvidenceReaderRole => $"{Prefix}-evidence-reader";

    /// <summary>Every role name of <see cref="RolePath"/> (for the length check and the SCP).</summary>
    public IReadOnlyList<string> PathRoles =>
        [PipelineRole, SourceActionRole, GateActionRole, RecordActionRole, GateRole, RecordRole, PruneRole, PruneScheduleRole, TriggerRole];

    public string DeveloperPolicy => $"{Prefix}-developer";

    /// <summary>
    /// The environment's CodeCommit repository (when the construct makes one): <c>&lt;name&gt;-&lt;env&gt;</c>, so each account's
    /// remote URL names its environment. One name in every account would make the remotes' URLs the same but for the
    /// profile, and git-promote could not tell the environments apart by URL.
    /// </summary>
    public string Repository => $"{Service}-{Environment}";

    /// <summary>
    /// The AWS profile a developer's clone reaches this environment's account with, when the policy gives the environment
    /// none: <c>&lt;name&gt;-&lt;env&gt;</c> (docs/aws.md, "Profiles and remotes").
    /// </summary>
    public string Profile => $"{Service}-{Environment}";
    public string GateProject => $"{Prefix}-gate";
    public string RecordProject => $"{Prefix}-record";
    public string PruneProject => $"{Prefix}-prune";

    /// <summary>The EventBridge rule that starts the pipeline on a push (CodeCommit), named so its role's trust can name it.</summary>
    public string PushRule => $"{Prefix}-push";
    public string PruneRule => $"{Prefix}-prune-daily";

    /// <summary>The log group of a build: CodeBuild's own naming, made by the stack so its retention is set.</summary>
    public static string LogGroup(string project) => $"/aws/codebuild/{project}";

    /// <summary>The parameter the pinned policy is published to (what <c>git promote policy publish</c> writes by default).</summary>
    public static string PolicyParameter(string service) => $"/promote/{service}/policy";
}
