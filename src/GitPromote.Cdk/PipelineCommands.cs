using GitPromote.Core.PipelineGate;
using GitPromote.Core.Settings;

namespace GitPromote.Cdk;

/// <summary>
/// The shell commands of the gate and record CodeBuild actions. git-promote comes from the release tarball in S3
/// (no internet needed beyond AWS); the commit is the one the Source action fetched (<c>PROMOTE_COMMIT</c>, mapped
/// from the pipeline variable), never whatever the branch points at by the time the build runs.
/// </summary>
public static class PipelineCommands
{
    /// <summary>Download and unpack the tarball, put its bin/ on PATH. One command: buildspec 0.2 keeps the shell, so PATH carries over.</summary>
    public static readonly IReadOnlyList<string> Install =
    [
        "dir=\"${TMPDIR:-/tmp}/git-promote\" && mkdir -p \"$dir\" && aws s3 cp --only-show-errors \"s3://$" + PromoteSettings.Variables.ReleaseBucket + "/$"
            + PromoteSettings.Variables.ReleaseKey
        + "\" \"$dir.tar.gz\" && tar -xzf \"$dir.tar.gz\" -C \"$dir\"",
        "export PATH=\"$(dirname \"$(find \"${TMPDIR:-/tmp}/git-promote\" -path '*/bin/git-promote' -type f | head -n 1)\"):$PATH\" && git promote --version",
    ];

    /// <summary>
    /// <c>git promote gate</c>. It reads the previous environment's evidence through that account's evidence-reader
    /// role, named by the build's <see cref="RoleVariable"/> of the previous environment.
    /// </summary>
    public static string Gate(PromotionPlan plan) =>
        $"git promote gate {plan.This.Name} --commit \"${PromoteSettings.Variables.Commit}\" --policy ssm:{plan.PolicyParameter}";

    /// <summary>The variable git-promote takes an environment's role from: PROMOTE_AWS_ROLE_ + the name upper-cased, other characters as '_'.</summary>
    public static string RoleVariable(string environment) =>
        PipelineInputs.VariableFor(PipelineInputs.RolePrefix, environment);

    public static string Record(PromotionPlan plan) =>
        $"git promote record {plan.This.Name} --commit \"${PromoteSettings.Variables.Commit}\" --policy ssm:{plan.PolicyParameter}";
}
