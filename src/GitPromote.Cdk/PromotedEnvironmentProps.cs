using Amazon.CDK.AWS.CodePipeline;

namespace GitPromote.Cdk;

/// <summary>What a team gives <see cref="PromotedEnvironment"/>: one instance per environment account.</summary>
public sealed class PromotedEnvironmentProps
{
    /// <summary>The environment this stack's account holds: one of the policy's environment names.</summary>
    public required string Environment { get; init; }

    /// <summary>The text of the team's <c>.promote.yml</c>: the service name, the environments in order, the rules the gate applies.</summary>
    public required string Policy { get; init; }

    /// <summary>Every environment of the policy and its account id: trust between accounts is written with them.</summary>
    public required IReadOnlyDictionary<string, string> Accounts { get; init; }

    /// <summary>Where CodeBuild gets git-promote (see <see cref="GitPromoteBinary"/>).</summary>
    public required GitPromoteBinary Binary { get; init; }

    /// <summary>The team's own deploy stage(s), given the source artifact; they run after the gate and before the record.</summary>
    public required Func<Artifact_, IReadOnlyList<IStageProps>> DeployStages { get; init; }

    /// <summary>The environment's git remote; default: a new CodeCommit repository named after the service.</summary>
    public PromotedSource? Source { get; init; }

    /// <summary>The deploy branch that starts the pipeline; default: the policy's first branch when it is not a glob.</summary>
    public string? Branch { get; init; }

    /// <summary>
    /// True (default): the construct publishes <see cref="Policy"/> to <c>/promote/&lt;name&gt;/policy</c> in this account
    /// and the gate reads it there. False: the parameter is published by <c>git promote policy publish</c> instead.
    /// </summary>
    public bool PublishPolicy { get; init; } = true;

    /// <summary>
    /// Also let a GitHub Actions workflow the service's repository cannot change (a reusable workflow in another
    /// repository) assume the gate and record roles, and nothing else on GitHub: see <see cref="GitHubWorkflowTrust"/>.
    /// </summary>
    public GitHubWorkflowTrust? GitHubWorkflow { get; init; }
}
