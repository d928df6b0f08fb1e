using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SSM;

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

    /// <summary>
    /// The environment's git remote; default: a new CodeCommit repository named <c>&lt;name&gt;-&lt;env&gt;</c>
    /// (<c>PromotedSource.NewCodeCommitRepository()</c>; give it a name to choose another).
    /// </summary>
    public PromotedSource? Source { get; init; }

    /// <summary>The deploy branch that starts the pipeline; default: the policy's first branch when it is not a glob.</summary>
    public string? Branch { get; init; }

    /// <summary>
    /// True (default): the construct publishes <see cref="Policy"/> to <c>/promote/&lt;name&gt;/policy</c> in this account
    /// and the gate reads it there. False: the parameter is published by <c>git promote policy publish</c> instead.
    /// </summary>
    public bool PublishPolicy { get; init; } = true;

    /// <summary>
    /// The tier of the pinned policy parameter. Standard (default) holds 4 KB; a longer policy needs
    /// <c>ParameterTier.ADVANCED</c> (8 KB, charged), given here rather than chosen from the policy's size: SSM cannot move
    /// an advanced parameter back to standard, so a tier that followed a policy that shrank would fail the next update.
    /// </summary>
    public ParameterTier PolicyParameterTier { get; init; } = ParameterTier.STANDARD;

    /// <summary>
    /// Where the gate and record builds run. Lambda (default) starts in seconds on Amazon Linux 2023 (glibc 2.34, what the
    /// binary needs at most), in the regions that have it (<see cref="LambdaImages.Regions"/>; elsewhere synthesis stops);
    /// Ec2 takes a container of its own (20-60 s to provision) but allows a VPC and a custom timeout.
    /// </summary>
    public BuildCompute Compute { get; init; } = BuildCompute.Lambda;

    /// <summary>
    /// The CodeBuild Lambda image of the builds (with <see cref="BuildCompute.Lambda"/>): one of <see cref="LambdaImages.Accepted"/>,
    /// by tag or id. Default: <see cref="LambdaImages.Default"/>, the one with the latest documented support date.
    /// </summary>
    public string LambdaImage { get; init; } = LambdaImages.Default;

    /// <summary>How long the gate's and record's build logs are kept (their own log groups, created with the stack).</summary>
    public RetentionDays LogRetention { get; init; } = RetentionDays.THREE_MONTHS;

    /// <summary>
    /// True: output <see cref="PromotedEnvironment.BuildGuard"/>, the service control policy that keeps even the account's
    /// administrators from every route to a green record but the pipeline (stack output <c>BuildGuardScp</c>), to add to the
    /// organization's SCPs over this account. Nothing is created in the account.
    /// </summary>
    public bool CreateBuildGuard { get; init; }

    /// <summary>
    /// The role CloudFormation deploys this stack with, which the build guard leaves free to update the builds, the
    /// pipeline and their roles: a role name (optionally with its path), in this account. Default: the CDK bootstrap's
    /// <c>cdk-hnb659fds-cfn-exec-role-ACCOUNT-REGION</c>; with self-managed StackSets, <c>AWSCloudFormationStackSetExecutionRole</c>.
    /// </summary>
    public string? CloudFormationExecutionRole { get; init; }

    /// <summary>
    /// True (default): a daily EventBridge rule starts a prune build (<c>git promote prune</c>, <see cref="PruneKeep"/>,
    /// <see cref="PruneOlderThan"/>) so the environment's records stay within SSM's 10,000 standard parameters per account
    /// and region; the build fails, and an alarm fires, when more than <see cref="PruneWarnAt"/> records are left. The
    /// build reads what is deployed from the environment's CodeCommit repository, so a connection source gets no schedule
    /// (a synthesis warning says so).
    /// </summary>
    public bool SchedulePrune { get; init; } = true;

    /// <summary>The newest green commits a prune keeps (<c>--keep</c>).</summary>
    public int PruneKeep { get; init; } = 100;

    /// <summary>Records younger than this are kept (<c>--older-than</c>: 30d, 12h, 90m).</summary>
    public string PruneOlderThan { get; init; } = "30d";

    /// <summary>More records than this left after a prune fail the build and raise the prune alarm: 80% of the standard tier.</summary>
    public int PruneWarnAt { get; init; } = 8000;

    /// <summary>Days after which the pipeline's artifacts (the source zips) expire from its bucket.</summary>
    public int ArtifactExpiryDays { get; init; } = 30;

    /// <summary>
    /// Also let a GitHub Actions workflow the service's repository cannot change (a reusable workflow in another
    /// repository) assume the gate and record roles, and nothing else on GitHub: see <see cref="GitHubWorkflowTrust"/>.
    /// </summary>
    public GitHubWorkflowTrust? GitHubWorkflow { get; init; }

    /// <summary>
    /// The CloudWatch alarms (names, or name prefixes ending in <c>*</c>) that must be OK before a commit may leave an
    /// environment, by environment name. Give every environment's construct the same map, as with <see cref="Accounts"/>:
    /// each account pins the whole policy, and the next environment's gate reads this environment's alarms from its own
    /// copy. They are written into the pinned policy as that environment's <c>health: { alarms: [...] }</c>; a policy that
    /// already has <c>health:</c> for it must list the same alarms. An environment with health gets
    /// <c>cloudwatch:DescribeAlarms</c> on its own account's alarms for its evidence-reader role and developer policy.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? HealthAlarms { get; init; }

    /// <summary>
    /// True: also hold this environment's deploy stage(s) while one of its health alarms is in ALARM, with a CodePipeline V2
    /// <c>CloudWatchAlarm</c> rule in each stage's BeforeEntry condition. That guards entering the environment; the gate's
    /// health check guards leaving it. Alarm names only (CodePipeline's rule takes no prefix).
    /// </summary>
    public bool AlarmEntryCondition { get; init; }
}

/// <summary>The compute of the gate and record CodeBuild projects.</summary>
public enum BuildCompute
{
    /// <summary>CodeBuild Lambda compute (LINUX_LAMBDA_CONTAINER, BUILD_LAMBDA_1GB, <see cref="PromotedEnvironmentProps.LambdaImage"/>): starts in
    /// seconds; no VPC, no custom timeout (15 minutes), only in <see cref="LambdaImages.Regions"/>.</summary>
    Lambda,
    /// <summary>An EC2 container (BUILD_GENERAL1_SMALL, standard:7.0) with a 10-minute timeout: for builds that need a VPC.</summary>
    Ec2,
}
