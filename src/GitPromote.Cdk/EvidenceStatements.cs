using Amazon.CDK;
using Amazon.CDK.AWS.IAM;

namespace GitPromote.Cdk;

/// <summary>
/// The IAM statements of the evidence store <c>/promote/&lt;name&gt;/&lt;env&gt;/</c>: each names its actions and the exact
/// parameters or paths, never <c>*</c>. Reads are GetParameters (the names of a push's commits) and
/// GetParametersByPath (approvals, revocations, audit, status list a folder).
/// </summary>
internal sealed class EvidenceStatements(Stack stack, PromotionNames names)
{
    /// <param name="folders">The evidence folders read; none given: all of them (<see cref="PromotionNames.EvidenceFolders"/>).</param>
    public PolicyStatement Read(string sid, params string[] folders) => new(new PolicyStatementProps
    {
        Sid = sid,
        Actions = ["ssm:GetParameters", "ssm:GetParametersByPath"],
        Resources = (folders.Length > 0 ? folders : PromotionNames.EvidenceFolders)
            .SelectMany(f => new[] { Parameter($"{names.EvidenceRoot}/{f}"), Parameter($"{names.EvidenceRoot}/{f}/*") }).ToArray(),
    });

    public PolicyStatement Write(string sid, params string[] folders) => new(new PolicyStatementProps
    {
        Sid = sid,
        Actions = ["ssm:PutParameter"],
        Resources = folders.Select(f => Parameter($"{names.EvidenceRoot}/{f}/*")).ToArray(),
    });

    /// <summary>
    /// The records written once and never changed: bypasses, approvals, revocations, lifted revocations and deployment
    /// events. git-promote puts each with Overwrite=false under a name no other record has (an approval's name is its
    /// approver's own). Green is not here: a redeploy records green again, with Overwrite=true.
    /// </summary>
    public static readonly string[] WrittenOnce = ["bypass", "approval", "revoked", "revoked-lifted", "deploy"];

    /// <summary>
    /// PutParameter with <c>ssm:Overwrite</c> = true on the written-once records (<see cref="WrittenOnce"/>) is denied, so
    /// nobody holding a write for a folder, here or in a policy attached beside this one, replaces an existing record,
    /// written in someone else's name, with another text. Every role and policy of the construct carries it. A deny
    /// cannot stop DeleteParameter then PutParameter: prune alone may delete (green, approvals, events), and a record put
    /// again after a delete starts a new history that SSM stamps with its real writer.
    /// </summary>
    public PolicyStatement NoOverwrite(string sid) => new(new PolicyStatementProps
    {
        Sid = sid,
        Effect = Effect.DENY,
        Actions = ["ssm:PutParameter"],
        Resources = WrittenOnce.Select(f => Parameter($"{names.EvidenceRoot}/{f}/*")).ToArray(),
        Conditions = new Dictionary<string, object> { ["Bool"] = new Dictionary<string, object> { ["ssm:Overwrite"] = "true" } },
    });

    /// <summary>
    /// GetParameterHistory on <paramref name="folders"/>: who SSM says wrote each version of a record (<c>LastModifiedUser</c>). A check reads it for
    /// the approvals of the commit it judges (an approval counts only when its writer is its approver); audit reads it for every written-once record.
    /// </summary>
    public PolicyStatement ReadHistory(string sid, params string[] folders) => new(new PolicyStatementProps
    {
        Sid = sid,
        Actions = ["ssm:GetParameterHistory"],
        Resources = folders.Select(f => Parameter($"{names.EvidenceRoot}/{f}/*")).ToArray(),
    });

    /// <summary>
    /// GetParametersByPath on the evidence root itself: <c>git promote history</c> lists every kind of record in one
    /// recursive call. IAM lets a recursive listing read everything below its path, so only a role that may read every
    /// evidence folder anyway (<see cref="Read"/> with none named) gets this.
    /// </summary>
    public PolicyStatement ListRoot(string sid) => new(new PolicyStatementProps
    {
        Sid = sid,
        Actions = ["ssm:GetParametersByPath"],
        Resources = [Parameter(names.EvidenceRoot)],
    });

    public PolicyStatement ReadPolicy(string parameterName) => new(new PolicyStatementProps
    {
        Sid = "ReadPinnedPolicy",
        Actions = ["ssm:GetParameter"],
        Resources = [Parameter(parameterName.TrimStart('/'))],
    });

    public PolicyStatement ListExecutions(string pipelineName) => new(new PolicyStatementProps
    {
        Sid = "ListPipelineExecutions",
        Actions = ["codepipeline:ListPipelineExecutions"],
        Resources = [stack.FormatArn(new ArnComponents { Service = "codepipeline", Resource = pipelineName })],
    });

    /// <summary>
    /// The health check's one CloudWatch call, on this account's alarms only. DescribeAlarms is authorized per alarm
    /// resource, and the policy's prefixes match names the construct cannot list, so the resource is <c>alarm:*</c>.
    /// </summary>
    public PolicyStatement DescribeAlarms(string sid) => new(new PolicyStatementProps
    {
        Sid = sid,
        Actions = ["cloudwatch:DescribeAlarms"],
        Resources = [AlarmsOfThisAccount(stack)],
    });

    public static string AlarmsOfThisAccount(Stack stack) => stack.FormatArn(new ArnComponents
    {
        Service = "cloudwatch",
        Resource = "alarm",
        ResourceName = "*",
        ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
    });

    private string Parameter(string path) => stack.FormatArn(new ArnComponents
    {
        Service = "ssm",
        Resource = "parameter",
        ResourceName = path,
        ArnFormat = ArnFormat.SLASH_RESOURCE_NAME,
    });

    /// <summary>A role, in this or another account, by path and name (IAM ARNs have no region).</summary>
    public static string RoleArn(Stack stack, string account, string roleName, string path = "/") => stack.FormatArn(new ArnComponents
    {
        Service = "iam",
        Region = "",
        Account = account,
        Resource = "role",
        ResourceName = path.TrimStart('/') + roleName,
        ArnFormat = ArnFormat.SLASH_RESOURCE_NAME,
    });

    /// <summary>
    /// What <c>git promote prune</c> does and nothing more: one recursive listing of the environment's records, a re-read
    /// of the records it is about to delete (their versions), and DeleteParameters on green records, approvals and
    /// deployment events, the only kinds it deletes. Bypasses and revocations are read, never deleted.
    /// </summary>
    public IEnumerable<PolicyStatement> Prune()
    {
        string[] deletable = ["green", "approval", "deploy"];
        yield return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ListRecordsToPrune",
            Actions = ["ssm:GetParametersByPath"],
            // prune asks for the path with a trailing slash; both spellings of the one folder, nothing below it by name.
            Resources = [Parameter(names.EvidenceRoot), Parameter(names.EvidenceRoot + "/")],
        });
        yield return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PruneGreenApprovalsAndDeployments",
            Actions = ["ssm:GetParameters", "ssm:DeleteParameters"],
            Resources = deletable.Select(f => Parameter($"{names.EvidenceRoot}/{f}/*")).ToArray(),
        });
    }

    public string EvidenceParameter(string folder) => Parameter($"{names.EvidenceRoot}/{folder}/*");

    public string PolicyParameterArn(string parameterName) => Parameter(parameterName.TrimStart('/'));
}
