using GitPromote.Core.Evidence;

namespace GitPromote.Aws.Ssm;

/// <summary>
/// Where an environment's records live in Parameter Store:
/// <c>/promote/&lt;name&gt;/&lt;env&gt;/green/&lt;sha&gt;</c> and
/// <c>/promote/&lt;name&gt;/&lt;env&gt;/bypass/&lt;yyyyMMddTHHmmssZ&gt;-&lt;sha&gt;-&lt;rand&gt;</c>;
/// review records at <c>.../revoked/&lt;sha&gt;</c>, <c>.../revoked-lifted/&lt;yyyyMMddTHHmmssZ&gt;-&lt;sha&gt;-&lt;rand&gt;</c> and
/// <c>.../approval/&lt;sha&gt;/&lt;approver id&gt;</c>.
/// </summary>
public sealed record SsmLayout(string Service, string Environment)
{
    public string Root => $"/promote/{Service}/{Environment}";
    public string GreenPath => Root + "/green";
    public string BypassPath => Root + "/bypass";
    public string RevokedPath => Root + "/revoked";
    public string LiftedPath => Root + "/revoked-lifted";
    public string ApprovalPath => Root + "/approval";
    /// <summary><c>.../deploy/&lt;yyyyMMddTHHmmssZ&gt;-&lt;sha&gt;-&lt;rand&gt;</c>: one deployment event each (<see cref="DeploymentNames"/>).</summary>
    public string DeployPath => Root + "/deploy";

    public string DeployName(DeploymentEvent deployment, string suffix) => $"{DeployPath}/{DeploymentNames.Name(deployment.At, deployment.Commit, suffix)}";

    /// <summary>The part of an event's parameter name after <c>deploy/</c>, or null when it is not under it.</summary>
    public string? DeployTail(string parameterName) =>
        parameterName.StartsWith(DeployPath + "/", StringComparison.Ordinal) ? parameterName[(DeployPath.Length + 1)..] : null;

    public string GreenName(string commit) => $"{GreenPath}/{commit}";
    public string RevokedName(string commit) => $"{RevokedPath}/{commit}";
    public string ApprovalsOf(string commit) => $"{ApprovalPath}/{commit}";
    public string ApprovalName(string commit, string approverId) => $"{ApprovalPath}/{commit}/{approverId}";

    public string LiftedName(DateTimeOffset at, string commit, string suffix) =>
        $"{LiftedPath}/{at.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{commit}-{suffix}";

    /// <summary>The commit a revoked parameter name is about, or null when the name is not one of ours.</summary>
    public string? RevokedCommitOf(string parameterName) => CommitUnder(RevokedPath, parameterName);

    /// <summary>The approver id of an approval parameter of <paramref name="commit"/>, or null.</summary>
    public string? ApproverOf(string commit, string parameterName)
    {
        var prefix = ApprovalsOf(commit) + "/";
        if (!parameterName.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var id = parameterName[prefix.Length..];
        return ApproverIds.IsValid(id) ? id : null;
    }

    private static string? CommitUnder(string path, string parameterName)
    {
        var prefix = path + "/";
        if (!parameterName.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var commit = parameterName[prefix.Length..];
        return Core.Push.ObjectIds.IsValid(commit) ? commit : null;
    }

    public string BypassName(BypassRecord record, string suffix) =>
        $"{BypassPath}/{record.At.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{record.Commit}-{suffix}";

    /// <summary>The commit a green parameter name is about, or null when the name is not one of ours.</summary>
    public string? CommitOf(string parameterName)
    {
        var prefix = GreenPath + "/";
        if (!parameterName.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var commit = parameterName[prefix.Length..];
        return Core.Push.ObjectIds.IsValid(commit) ? commit : null;
    }

    /// <summary>
    /// The folder of the environment's root a parameter lies in (<c>green</c>, <c>deploy</c>, ...), or "" when it lies
    /// elsewhere. Only the kind: whether the rest of the name is a record of it is each reader's to say.
    /// </summary>
    public string KindOf(string parameterName)
    {
        if (!parameterName.StartsWith(Root + "/", StringComparison.Ordinal)) return "";
        var rest = parameterName.AsSpan(Root.Length + 1);
        var slash = rest.IndexOf('/');
        return slash > 0 ? rest[..slash].ToString() : "";
    }

    /// <summary>The kinds of record kept under an environment's root, <c>/promote/&lt;name&gt;/&lt;env&gt;/&lt;kind&gt;/...</c>.</summary>
    public static readonly IReadOnlyList<string> RecordKinds = ["green", "bypass", "revoked", "revoked-lifted", "approval", "deploy"];

    /// <summary>
    /// True when <paramref name="parameterName"/> is where some environment keeps records: under
    /// <c>/promote/&lt;any name&gt;/&lt;any env&gt;/&lt;record kind&gt;/</c>, or anywhere under one of
    /// <paramref name="environments"/>' roots of <paramref name="service"/>. A policy written there would be read as a record.
    /// </summary>
    public static bool IsRecordPath(string parameterName, string service, IEnumerable<string> environments)
    {
        var parts = parameterName.Split('/');
        if (parts.Length < 4 || parts[0].Length != 0 || parts[1] != "promote") return false;
        if (parts.Length >= 5 && RecordKinds.Contains(parts[4])) return true;
        return parts[2] == service && parts.Length >= 5 && environments.Contains(parts[3], StringComparer.Ordinal);
    }

    /// <summary>Parameter names allow only <c>[a-zA-Z0-9_.-]</c> between slashes; says so instead of letting AWS refuse the call.</summary>
    public void Validate()
    {
        foreach (var (what, value) in new[] { ("name", Service), ("environment name", Environment) })
        {
            if (value.Length == 0 || value.Length > 200 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
                throw new EvidenceUnavailableException(new EvidenceFailure(
                    $"SSM parameter path {Root}",
                    $"the {what} '{value}' cannot be part of an SSM parameter name (allowed: letters, digits, _ . -)",
                    $"use a {what} of letters, digits, '_', '.' and '-' in .promote.yml"));
        }
    }
}
