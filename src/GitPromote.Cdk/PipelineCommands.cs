using GitPromote.Core.PipelineGate;
// The settings by their PromoteSettings names, short enough to read inside the shell text built here.
using static GitPromote.Core.Settings.PromoteSettings.Variables;

namespace GitPromote.Cdk;

/// <summary>
/// The shell commands of the gate and record CodeBuild actions. git-promote comes from the release tarball in S3
/// (no internet needed beyond AWS); the commit is the one the Source action fetched (<c>PROMOTE_COMMIT</c>, mapped
/// from the pipeline variable), never whatever the branch points at by the time the build runs.
/// </summary>
public static class PipelineCommands
{
    /// <summary>
    /// Download the tarball into a fresh folder under /tmp (the one place Lambda compute lets a build write), check it
    /// against the SHA-256 the stack was deployed with before anything of it runs, unpack it, put its bin/ on PATH. Only
    /// what every CodeBuild Lambda image has: bash, coreutils (mktemp, sha256sum), tar, gzip, the AWS CLI (no find,
    /// which the Amazon Linux 2023 minimal images lack). One command: buildspec 0.2 keeps the shell, so PATH carries over.
    /// </summary>
    public static readonly IReadOnlyList<string> Install =
    [
        "dir=\"$(mktemp -d \"${TMPDIR:-/tmp}/git-promote.XXXXXX\")\" && "
            + "aws s3 cp --only-show-errors \"s3://$" + ReleaseBucket + "/$" + ReleaseKey + "\" \"$dir.tar.gz\" && "
            + "{ echo \"$" + ReleaseSha256 + "  $dir.tar.gz\" | sha256sum --check --strict --quiet - || "
            + "{ echo \"git-promote: s3://$" + ReleaseBucket + "/$" + ReleaseKey
            + " is not the tarball this stack was deployed with (its SHA-256 is not $" + ReleaseSha256 + "): it is not run\" >&2; false; }; } && "
            + "tar -xzf \"$dir.tar.gz\" --strip-components=1 -C \"$dir\" && export PATH=\"$dir/bin:$PATH\" && git promote --version",
    ];

    /// <summary>
    /// <c>git promote gate</c>. It reads the previous environment's evidence through that account's evidence-reader
    /// role, named by the build's <see cref="RoleVariable"/> of the previous environment.
    /// </summary>
    public static string Gate(PromotionPlan plan) =>
        $"git promote gate {plan.This.Name} --commit \"${Commit}\" --policy ssm:{plan.PolicyParameter}";

    /// <summary>The variable git-promote takes an environment's role from: PROMOTE_AWS_ROLE_ + the name upper-cased, other characters as '_'.</summary>
    public static string RoleVariable(string environment) =>
        PipelineInputs.VariableFor(AwsRolePrefix, environment);

    /// <summary>
    /// <c>git promote prune</c>, in an empty repository holding the pinned policy as its .promote.yml (prune reads the
    /// policy of the repository it runs in). What is deployed is read from the environment's remote, named by the build's
    /// git configuration (<c>promote.remote.ENV</c>); when it cannot be read prune deletes nothing and fails. After it, the
    /// records left are counted from prune's own summary ("...; kept N"), and more than the warning level fail the build.
    /// </summary>
    public static IReadOnlyList<string> Prune(PromotionPlan plan) =>
    [
        "work=\"$(mktemp -d \"${TMPDIR:-/tmp}/prune.XXXXXX\")\" && git init --quiet \"$work\" && cd \"$work\" && "
            + $"aws ssm get-parameter --name {plan.PolicyParameter} --query Parameter.Value --output text > .promote.yml",
        $"out=\"$(git promote prune {plan.This.Name} --keep \"${PruneKeep}\" --older-than \"${PruneOlderThan}\")\"; status=$?; printf '%s\\n' \"$out\"; "
            + "[ \"$status\" -eq 0 ] && case \"$out\" in *'; kept '[0-9]*) kept=\"${out##*; kept }\"; kept=\"${kept%%[!0-9]*}\" ;; "
            + "*) echo 'git-promote: cannot tell how many records prune kept' >&2; false ;; esac && "
            + $"{{ [ \"$kept\" -le \"${PruneWarnAt}\" ] || {{ echo \"git-promote: {plan.This.Name} keeps $kept records after pruning, "
            + $"more than ${PruneWarnAt}: "
            + "SSM's standard tier holds 10,000 parameters per account and region. Keep fewer (PruneKeep, PruneOlderThan).\" >&2; false; }; }",
    ];

    public static string Record(PromotionPlan plan) =>
        $"git promote record {plan.This.Name} --commit \"${Commit}\" --policy ssm:{plan.PolicyParameter}";
}
