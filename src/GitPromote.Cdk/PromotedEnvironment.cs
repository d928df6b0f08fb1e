using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CodeBuild;
using Amazon.CDK.AWS.CodeCommit;
using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.CodePipeline.Actions;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SSM;
using Constructs;
using GitPromote.Core.Settings;
using CodeBuildProject = Amazon.CDK.AWS.Events.Targets.CodeBuildProject;
using CodeBuildProjectProps = Amazon.CDK.AWS.Events.Targets.CodeBuildProjectProps;
using IStageProps = Amazon.CDK.AWS.CodePipeline.IStageProps;
using StageProps = Amazon.CDK.AWS.CodePipeline.StageProps;

namespace GitPromote.Cdk;

/// <summary>
/// One environment's account, provisioned for git-promote: the environment's git repository, its pipeline
/// (Source, Gate, the team's deploy stages, Record), the pinned policy in SSM, and the least-privilege roles around the
/// evidence store <c>/promote/&lt;name&gt;/&lt;env&gt;/</c>. Instantiate it once per environment, in that environment's account.
/// </summary>
public sealed partial class PromotedEnvironment : Construct
{
    public static readonly IReadOnlyList<string> ReservedStages = ["Source", "Gate", "Record"];

    public PromotionPlan Plan { get; }
    public Repository? Repository { get; }
    public Pipeline Pipeline { get; }
    /// <summary>The gate build's role; null for the first environment, which has no gate.</summary>
    public Role? GateRole { get; }
    public Role RecordRole { get; }
    /// <summary>The scheduled prune build's role; null without <see cref="PromotedEnvironmentProps.SchedulePrune"/> or with a connection source.</summary>
    public Role? PruneRole { get; }
    /// <summary>The role the next environment's gate assumes to read this environment's evidence; null for the last environment.</summary>
    public Role? EvidenceReaderRole { get; }
    /// <summary>For developers' identities in this account: read evidence, write bypass and approval records.</summary>
    public ManagedPolicy DeveloperPolicy { get; }
    public StringParameter? PolicyParameter { get; }
    /// <summary>
    /// A service control policy for this account: every route to a green record (starting or changing the builds, changing
    /// or re-creating the pipeline, changing or passing the roles, writing green or deployment records) is denied to every
    /// principal but the one the pipeline uses for it, and CloudFormation's execution role (stack updates). Nothing in it
    /// allows anything. Output as <c>BuildGuardScp</c> with <see cref="PromotedEnvironmentProps.CreateBuildGuard"/>.
    /// </summary>
    public PolicyDocument BuildGuard { get; }

    public PromotedEnvironment(Construct scope, string id, PromotedEnvironmentProps props) : base(scope, id)
    {
        var stack = Stack.Of(this);
        Plan = PromotionPlan.From(props, Token.IsUnresolved(stack.Account) ? null : stack.Account);
        if (props.Binary is null) throw new
            ArgumentException("Binary is required: GitPromoteBinary.FromTarball(path) or GitPromoteBinary.FromTemplateParameters().");
        if (props.DeployStages is null) throw new ArgumentException("DeployStages is required: the team's own deploy stage(s), run between Gate and Record.");
        if (props.ArtifactExpiryDays < 1) throw new ArgumentException($"ArtifactExpiryDays must be at least 1 day, not {props.ArtifactExpiryDays}.");
        foreach (var warning in Plan.Warnings) Annotations.Of(this).AddWarning(warning);
        if (props.Compute == BuildCompute.Lambda)
        {
            LambdaImages.Check(props.LambdaImage ?? LambdaImages.Default);
            RequireLambdaComputeRegion(stack);
        }
        var names = Plan.Names;
        var evidence = new EvidenceStatements(stack, names);

        if (props.PublishPolicy)
        {
            var tier = props.PolicyParameterTier;
            var size = System.Text.Encoding.UTF8.GetByteCount(Plan.PolicyText);
            if (size > 4096 && tier == ParameterTier.STANDARD)
                throw new ArgumentException(
                    $"the policy is {size} bytes, more than the 4 KB a standard SSM parameter holds: set PolicyParameterTier = ParameterTier.ADVANCED " +
                    "(charged, up to 8 KB). SSM cannot move it back to standard, so keep it ADVANCED even if the policy shrinks later.");
            PolicyParameter = new StringParameter(this, "PinnedPolicy", new StringParameterProps
            {
                ParameterName = Plan.PolicyParameter,
                StringValue = Plan.PolicyText,
                Tier = tier,
                Description = $"git-promote policy of {Plan.Service}, read by the gate and record actions",
            });
        }

        var binary = props.Binary.Bind(this);
        var sourceOutput = new Artifact_("Source");
        // The pipeline's role is made here, before the actions, so each action role can trust it (and nothing else). CodePipeline
        // is not documented to send aws:SourceAccount/aws:SourceArn when it assumes its role, so the trust names the service only;
        // iam:PassRole on this role (denied by the build guard) is what keeps other pipelines from using it.
        var pipelineRole = PathRole("PipelineRole", names.PipelineRole, new ServicePrincipal("codepipeline.amazonaws.com"),
            $"the {Plan.PipelineName} pipeline: assumes its action roles; the only principal that may");
        var sourceActionRole = ActionRole("Source", names.SourceActionRole, pipelineRole);
        var source = (props.Source ?? PromotedSource.NewCodeCommitRepository())
            .Bind(this, names, Plan.Branch, sourceOutput, sourceActionRole, rule => EventsRole("TriggerRole", names.TriggerRole, rule,
                $"EventBridge rule {rule}: starts the {Plan.PipelineName} pipeline on a push to {Plan.Branch}"));
        Repository = source.Repository;

        var deployStages = props.DeployStages(sourceOutput) ?? [];
        if (deployStages.Count == 0)
            throw new ArgumentException("DeployStages returned no stage: give at least one deploy stage; Record must follow a real deployment.");
        if (deployStages.FirstOrDefault(s => ReservedStages.Contains(s.StageName, StringComparer.OrdinalIgnoreCase)) is { } clash)
            throw new ArgumentException($"deploy stage '{clash.StageName}' takes a name the construct uses ({string.Join(", ", ReservedStages)}); rename it.");

        var stages = new List<IStageProps> { new StageProps { StageName = "Source", Actions = [source.Action] } };
        var builds = new List<(Project Project, Role Role, LogGroup Logs)>();
        var guarded = new List<(Project Project, string Starter)>();

        if (Plan.Previous is { } previous)
        {
            GateRole = BuildRole("GateRole", names.GateRole, names.GateProject,
                $"git promote gate {Plan.This.Name}: may read {previous.Name}'s evidence through its evidence-reader role");
            var previousReader = EvidenceStatements.RoleArn(stack, previous.Account, Plan.PreviousNames!.EvidenceReaderRole);
            GateRole.AddToPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AssumePreviousEnvironmentEvidenceReader",
                Actions = ["sts:AssumeRole"],
                Resources = [previousReader],
            }));
            GateRole.AddToPolicy(evidence.Read("ReadOwnEvidence"));
            // Who wrote each approval of the commit it judges: only the approver's own counts.
            GateRole.AddToPolicy(evidence.ReadHistory("ReadApprovalWriters", "approval"));
            GateRole.AddToPolicy(evidence.NoOverwrite("NeverRewriteRecords"));
            GateRole.AddToPolicy(evidence.ReadPolicy(Plan.PolicyParameter));
            GateRole.AddToPolicy(binary.ReadStatement());
            props.GitHubWorkflow?.Allow(GateRole, Plan.This.Name);
            var (gate, logs) = Project("Gate", names.GateProject, GateRole, props, binary, [PipelineCommands.Gate(Plan)],
                new() { [PipelineCommands.RoleVariable(previous.Name)] = previousReader }, fromPipeline: true);
            builds.Add((gate, GateRole, logs));
            var gateAction = ActionRole("Gate", names.GateActionRole, pipelineRole);
            guarded.Add((gate, names.GateActionRole));
            stages.Add(new StageProps { StageName = "Gate", Actions = [Action("Gate", gate, sourceOutput, source.CommitVariable, gateAction)] });
        }

        stages.AddRange(deployStages);

        RecordRole = BuildRole("RecordRole", names.RecordRole, names.RecordProject,
            $"git promote record {Plan.This.Name}: marks the deployed commit green; writes nothing else");
        // What record reads: green and revocations of the commit (it refuses a revoked one), and the bypass and deployment
        // listings it tells a rollback, a redeploy and a bypassed deployment apart with. Not approvals.
        RecordRole.AddToPolicy(evidence.Read("ReadOwnEvidenceForRevocations", "green", "revoked", "revoked-lifted", "bypass", "deploy"));
        RecordRole.AddToPolicy(evidence.Write("RecordGreenAndDeployments", "green", "deploy"));
        RecordRole.AddToPolicy(evidence.NoOverwrite("NeverRewriteRecords"));
        RecordRole.AddToPolicy(evidence.ReadPolicy(Plan.PolicyParameter));
        RecordRole.AddToPolicy(binary.ReadStatement());
        props.GitHubWorkflow?.Allow(RecordRole, Plan.This.Name);
        var (record, recordLogs) = Project("Record", names.RecordProject, RecordRole, props, binary, [PipelineCommands.Record(Plan)], new(),
            fromPipeline: true);
        builds.Add((record, RecordRole, recordLogs));
        var recordAction = ActionRole("Record", names.RecordActionRole, pipelineRole);
        guarded.Add((record, names.RecordActionRole));
        stages.Add(new StageProps { StageName = "Record", Actions = [Action("Record", record, sourceOutput, source.CommitVariable, recordAction)] });

        Pipeline = new Pipeline(this, "Pipeline", new PipelineProps
        {
            PipelineName = Plan.PipelineName,
            Role = pipelineRole,
            // V2 and QUEUED: executions run Gate, the deploy and Record one at a time, in the order they were started.
            PipelineType = PipelineType.V2,
            ExecutionMode = ExecutionMode.QUEUED,
            // Every action runs in this account: no cross-account KMS key is needed (or created).
            CrossAccountKeys = false,
            Stages = stages.ToArray(),
        });
        TrustOnlyThePipeline(Pipeline, pipelineRole);
        source.StartOnlyOnBranch(Pipeline, Plan.Branch, names);
        var bucket = (CfnBucket)Pipeline.ArtifactBucket.Node.DefaultChild!;
        bucket.AddPropertyOverride("LifecycleConfiguration", new Dictionary<string, object>
        {
            ["Rules"] = new object[]
            {
                new Dictionary<string, object>
                {
                    // The bucket is not versioned: expiring current objects is the whole of it.
                    ["Id"] = "ExpirePipelineArtifacts", ["Status"] = "Enabled", ["ExpirationInDays"] = props.ArtifactExpiryDays,
                    ["AbortIncompleteMultipartUpload"] = new Dictionary<string, object> { ["DaysAfterInitiation"] = 1 },
                },
            },
        });
        // SSE-KMS with an S3 Bucket Key: one data key per bucket rather than a KMS request per object.
        bucket.AddPropertyOverride("BucketEncryption.ServerSideEncryptionConfiguration.0.BucketKeyEnabled", true);
        foreach (var (_, role, logs) in builds) ReadArtifactsAndWriteLogs(role, logs);

        if (props.SchedulePrune)
        {
            if (Repository is { } repository)
                PruneRole = SchedulePrune(stack, props, names, evidence, binary, repository, builds, guarded);
            else
                Annotations.Of(this).AddWarning(
                    $"no scheduled prune for {Plan.This.Name}: the prune build reads what is deployed from the environment's CodeCommit repository, and " +
                    "this one's source is a connection. Run git promote prune from a clone (docs/aws.md, \"Limits\"), or set SchedulePrune = false.");
        }

        if (Plan.Next is { } next)
        {
            var nextGate = EvidenceStatements.RoleArn(stack, next.Account, Plan.NextNames!.GateRole, PromotionNames.RolePath);
            EvidenceReaderRole = new Role(this, "EvidenceReaderRole", new RoleProps
            {
                RoleName = names.EvidenceReaderRole,
                // The next account's root, narrowed to its gate build role by aws:PrincipalArn: the trust holds when that role is
                // created after this one, or re-created (a trust naming the role itself would break on both).
                AssumedBy = new AccountPrincipal(next.Account).WithConditions(new Dictionary<string, object>
                {
                    ["ArnEquals"] = new Dictionary<string, object> { ["aws:PrincipalArn"] = nextGate },
                }),
                MaxSessionDuration = Duration.Hours(1),
                Description = $"read-only evidence of {Plan.This.Name} for the {next.Name} gate ({nextGate})",
            });
            // The next gate asks only whether a commit is green here and not revoked; bypasses and approvals stay in this account.
            EvidenceReaderRole.AddToPolicy(evidence.Read("ReadGreenAndRevoked", "green", "revoked"));
            EvidenceReaderRole.AddToPolicy(evidence.ListExecutions(Plan.PipelineName));
            // Only with health: the next gate then asks whether this environment's alarms have been OK for long enough.
            if (Plan.HealthAlarms.Count > 0) EvidenceReaderRole.AddToPolicy(evidence.DescribeAlarms("ReadHealthAlarms"));
            EvidenceReaderRole.AddToPolicy(evidence.NoOverwrite("NeverRewriteRecords"));
        }

        DeveloperPolicy = new ManagedPolicy(this, "DeveloperPolicy", new ManagedPolicyProps
        {
            ManagedPolicyName = names.DeveloperPolicy,
            Description = DeveloperPolicyDescription(Plan.Service, Plan.This.Name),
            Statements =
            [
                evidence.Read("ReadEvidence"),
                evidence.ListRoot("ListEvidenceForHistory"),
                evidence.ListExecutions(Plan.PipelineName),
                evidence.Write("RecordBypassAndApproval", "bypass", "approval"),
                evidence.NoOverwrite("NeverRewriteRecords"),
                // Who wrote each record, as SSM recorded it: approvals for every check, all written-once records for audit.
                evidence.ReadHistory("ReadRecordWriters", EvidenceStatements.WrittenOnce),
                // Pre-push hooks, check and status read this environment's health with the developer's own access.
                .. Plan.HealthAlarms.Count > 0 ? new[] { evidence.DescribeAlarms("ReadHealthAlarms") } : [],
            ],
        });

        if (props.AlarmEntryCondition) HoldDeployStagesOnAlarm(stack, pipelineRole, deployStages);
        OutputWhatTheTeamNeeds(stack, source.RepositoryName);

        BuildGuard = BuildGuardScp(stack, names, evidence, props, guarded);
        if (props.CreateBuildGuard)
        {
            new CfnOutput(this, "BuildGuardScp", new CfnOutputProps
            {
                Description = "a service control policy for this account: only the pipeline reaches a green record (docs/aws.md, \"Who can write green\")",
                Value = stack.ToJsonString(BuildGuard.ToJSON()),
            });
        }

        AcceptCdkNagFindings(pipelineRole, sourceActionRole, builds);
    }

    /// <summary>
    /// What a team reads off the stack (docs/aws.md, "Stack outputs"), under fixed output names: the clone URL of the
    /// environment's repository in git-remote-codecommit's form with the profile of this environment, the developer
    /// policy to attach, the evidence reader the next gate assumes, and the pinned policy's parameter.
    /// </summary>
    private void OutputWhatTheTeamNeeds(Stack stack, string? repositoryName)
    {
        void Output(string name, string value, string description) =>
            new CfnOutput(this, name, new CfnOutputProps { Value = value, Description = description }).OverrideLogicalId(name);
        if (repositoryName is not null)
            Output("GitPromoteCloneUrl", $"codecommit::{stack.Region}://{Plan.CloneProfile}@{repositoryName}",
                $"git remote add {Plan.This.Name} <this>: {Plan.This.Name}'s repository through git-remote-codecommit, with the AWS profile " +
                $"{Plan.CloneProfile} for this account");
        Output("GitPromoteDeveloperPolicyArn", DeveloperPolicy.ManagedPolicyArn,
            $"attach to the developers' role in this account (read {Plan.This.Name}'s evidence, record bypasses and approvals)");
        if (EvidenceReaderRole is not null)
            Output("GitPromoteEvidenceReaderRoleArn", EvidenceReaderRole.RoleArn,
                $"the role the {Plan.Next!.Name} gate assumes to read {Plan.This.Name}'s evidence ({PipelineCommands.RoleVariable(Plan.This.Name)})");
        Output("GitPromotePolicyParameterName", Plan.PolicyParameter,
            $"the pinned policy the gate and record read (--policy ssm:{Plan.PolicyParameter})");
    }

    /// <summary>
    /// The daily prune: a build that runs <c>git promote prune</c> with the pinned policy, reading what is deployed from
    /// the environment's CodeCommit repository, as a role that may list the environment's records and delete only what
    /// prune deletes; an EventBridge rule that starts it, as a role that may start only it; and an alarm when it fails,
    /// which it does when more than <see cref="PromotedEnvironmentProps.PruneWarnAt"/> records are left.
    /// </summary>
    private Role SchedulePrune(Stack stack, PromotedEnvironmentProps props, PromotionNames names, EvidenceStatements evidence, BinaryLocation binary,
        Repository repository, List<(Project Project, Role Role, LogGroup Logs)> builds, List<(Project Project, string Starter)> guarded)
    {
        if (props.PruneKeep < 1) throw new ArgumentException($"PruneKeep must keep at least 1 green commit, not {props.PruneKeep}.");
        if (props.PruneWarnAt is < 1 or > 10_000)
            throw new ArgumentException($"PruneWarnAt must be between 1 and 10000 (SSM's standard tier), not {props.PruneWarnAt}.");
        if (string.IsNullOrWhiteSpace(props.PruneOlderThan) || !PruneAge().IsMatch(props.PruneOlderThan))
            throw new ArgumentException($"PruneOlderThan '{props.PruneOlderThan}' is not an age such as 30d, 12h or 90m.");
        var role = BuildRole("PruneRole", names.PruneRole, names.PruneProject,
            $"git promote prune {Plan.This.Name}: lists the records, deletes old green records, approvals and deployment events");
        foreach (var statement in evidence.Prune()) role.AddToPolicy(statement);
        role.AddToPolicy(evidence.NoOverwrite("NeverRewriteRecords"));
        role.AddToPolicy(evidence.ReadPolicy(Plan.PolicyParameter));
        role.AddToPolicy(binary.ReadStatement());
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadWhatIsDeployed",
            Actions = ["codecommit:GitPull"],
            Resources = [repository.RepositoryArn],
        }));
        var (project, logs) = Project("Prune", names.PruneProject, role, props, binary, PipelineCommands.Prune(Plan), new()
        {
            [PromoteSettings.Variables.PruneKeep] = props.PruneKeep.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [PromoteSettings.Variables.PruneOlderThan] = props.PruneOlderThan,
            [PromoteSettings.Variables.PruneWarnAt] = props.PruneWarnAt.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // What is deployed: the deploy branch on the environment's repository, read with the role's own credentials.
            ["GIT_CONFIG_COUNT"] = "3",
            ["GIT_CONFIG_KEY_0"] = PromoteSettings.GitKeys.RemoteFor(Plan.This.Name),
            ["GIT_CONFIG_VALUE_0"] = repository.RepositoryCloneUrlHttp,
            ["GIT_CONFIG_KEY_1"] = "credential.helper",
            ["GIT_CONFIG_VALUE_1"] = "!aws codecommit credential-helper $@",
            ["GIT_CONFIG_KEY_2"] = "credential.UseHttpPath",
            ["GIT_CONFIG_VALUE_2"] = "true",
        }, fromPipeline: false);
        ReadArtifactsAndWriteLogs(role, logs, artifacts: false);
        builds.Add((project, role, logs));

        var rule = new Rule(this, "PruneSchedule", new RuleProps
        {
            RuleName = names.PruneRule,
            Description = $"starts {names.PruneProject} once a day",
            Schedule = Schedule.Rate(Duration.Days(1)),
        });
        var starter = EventsRole("PruneScheduleRole", names.PruneScheduleRole, names.PruneRule,
            $"EventBridge rule {names.PruneRule}: starts {names.PruneProject}");
        rule.AddTarget(new CodeBuildProject(project, new CodeBuildProjectProps { EventRole = starter }));
        guarded.Add((project, names.PruneScheduleRole));

        new Alarm(this, "PruneFailed", new AlarmProps
        {
            AlarmName = $"{names.PruneProject}-failed",
            AlarmDescription = $"the daily prune of {Plan.This.Name} failed: its records are not kept within SSM's 10,000 standard parameters " +
                $"(more than {props.PruneWarnAt} left, or prune could not run). See the build log of {names.PruneProject}.",
            Metric = new Metric(new MetricProps
            {
                Namespace = "AWS/CodeBuild",
                MetricName = "FailedBuilds",
                DimensionsMap = new Dictionary<string, string> { ["ProjectName"] = names.PruneProject },
                Statistic = "Sum",
                Period = Duration.Days(1),
            }),
            Threshold = 1,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        return role;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9]{1,6}[smhd]$")]
    private static partial System.Text.RegularExpressions.Regex PruneAge();

    /// <summary>The cdk-nag AwsSolutions findings this construct accepts, each with its reason, in the template's metadata.</summary>
    private void AcceptCdkNagFindings(Role pipelineRole, Role sourceActionRole, List<(Project Project, Role Role, LogGroup Logs)> builds)
    {
        var evidence = new NagAcceptance("AwsSolutions-IAM5",
            "Evidence parameters are named by commit or time (green/<sha>, bypass/<time>-<sha>-<id>): each wildcard is one folder of this " +
            "environment's own /promote/<name>/<env>/ path, never another environment's or service's.",
            $@"^Resource::arn:<AWS::Partition>:ssm:.+:parameter/promote/{JsRegex(Plan.Service)}/{JsRegex(Plan.This.Name)}/"
            + @"(green|revoked|revoked-lifted|approval|bypass|deploy)/\*$");
        var artifacts = new NagAcceptance("AwsSolutions-IAM5",
            "Read access to this pipeline's own artifact bucket (the source zips, which CodeBuild downloads): objects have generated keys.",
            @"^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*$", @"^Resource::<[A-Za-z0-9]+ArtifactsBucket[A-Za-z0-9]+\.Arn>/\*$");
        var logs = new NagAcceptance("AwsSolutions-IAM5",
            "Log streams of the build's own log group (/aws/codebuild/<project>, made by the stack with a retention): streams have generated names.",
            @"^Resource::<[A-Za-z0-9]+Logs[A-Za-z0-9]+\.Arn>$", @"^Resource::<[A-Za-z0-9]+Logs[A-Za-z0-9]+\.Arn>:\*$");
        foreach (var (project, role, _) in builds)
        {
            CdkNag.Accept(role, evidence, artifacts, logs);
            CdkNag.Accept(project, new NagAcceptance("AwsSolutions-CB4",
                "The build makes no artifacts and holds no secret; its only input, the source zip, is encrypted with the AWS-managed S3 key."),
                new NagAcceptance("CloudFormation-Validate::E3050",
                    "ServiceRole is Fn::GetAtt <Role>.Arn, the ARN with the role's /git-promote/ path, as the rule asks; it reports any reference " +
                    "to a role with a path."));
        }
        var alarms = new NagAcceptance("AwsSolutions-IAM5",
            "cloudwatch:DescribeAlarms (read-only) on this account's alarms: the policy's health names alarms by prefix, and CloudWatch " +
            "authorizes DescribeAlarms per alarm resource, so the one resource is the account's alarm:*; no other CloudWatch action.",
            @"^Resource::arn:<AWS::Partition>:cloudwatch:.+:alarm:\*$");
        var readsAlarms = Plan.HealthAlarms.Count > 0;
        if (EvidenceReaderRole is not null) CdkNag.Accept(EvidenceReaderRole, readsAlarms ? [evidence, alarms] : [evidence]);
        CdkNag.Accept(DeveloperPolicy, readsAlarms ? [evidence, alarms] : [evidence]);
        CdkNag.Accept(pipelineRole, _holdsOnAlarm ? [artifacts, alarms] : [artifacts]);
        CdkNag.Accept(sourceActionRole, artifacts);
        CdkNag.Accept(Pipeline.ArtifactBucket, new NagAcceptance("AwsSolutions-S1",
            "Only the pipeline's roles read and write the artifact bucket (CloudTrail records those calls) and its objects expire; " +
            "server access logs would add a second bucket without adding evidence."));
    }

    private bool _holdsOnAlarm;

    /// <summary>
    /// A CodePipeline V2 BeforeEntry condition on each deploy stage: a CloudWatchAlarm rule per alarm name (the rule takes no
    /// prefix) and per state that refuses, with a FAIL result, so the deployment does not start while one is in it. The
    /// states are ALARM, and INSUFFICIENT_DATA unless the policy's insufficient_data is ignore; each rule's AlarmStates holds
    /// one state (the rule reference does not say how several are written in one). No WaitTime: it is how long the rule waits
    /// for the alarm to change before failing, not how long the alarm has been OK (git-promote's healthy_for), so nothing in
    /// the policy maps onto it. The CDK 2.160 L2 has no stage conditions: L1 override.
    /// </summary>
    private void HoldDeployStagesOnAlarm(Stack stack, Role pipelineRole, IReadOnlyList<IStageProps> deployStages)
    {
        if (Plan.HealthAlarms.Count == 0)
            throw new ArgumentException(
                $"AlarmEntryCondition needs health alarms of {Plan.This.Name}: give them in HealthAlarms or in .promote.yml's 'health'.");
        if (Plan.HealthAlarms.FirstOrDefault(a => a.EndsWith('*')) is { } prefix)
            throw new ArgumentException(
                $"AlarmEntryCondition takes alarm names, but {Plan.This.Name}'s health has the prefix '{prefix}': CodePipeline's CloudWatchAlarm rule " +
                "names one alarm. List the names, or leave AlarmEntryCondition off (the gate's health check reads prefixes).");
        string[] states = Plan.InsufficientDataBlocks ? ["ALARM", "INSUFFICIENT_DATA"] : ["ALARM"];
        var rules = Plan.HealthAlarms.SelectMany(alarm => states.Select(state => (Alarm: alarm, State: state))).ToList();
        if (rules.Count > MaxEntryRules)
            throw new ArgumentException(
                $"AlarmEntryCondition needs {rules.Count} CloudWatchAlarm rules ({Plan.HealthAlarms.Count} alarms x {string.Join(" and ", states)}), but a " +
                $"CodePipeline condition holds at most {MaxEntryRules}: list fewer alarms (a composite alarm can stand for several), or leave " +
                "AlarmEntryCondition off.");
        var pipeline = (CfnPipeline)Pipeline.Node.DefaultChild!;
        var first = 1 + (Plan.Previous is null ? 0 : 1);
        for (var i = 0; i < deployStages.Count; i++)
        {
            pipeline.AddPropertyOverride($"Stages.{first + i}.BeforeEntry", new Dictionary<string, object>
            {
                ["Conditions"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Result"] = "FAIL",
                        ["Rules"] = rules.Select((rule, n) => (object)new Dictionary<string, object>
                        {
                            ["Name"] = $"HealthAlarm{n + 1}",
                            ["RuleTypeId"] = new Dictionary<string, object>
                            {
                                ["Category"] = "Rule",
                                ["Owner"] = "AWS",
                                ["Provider"] = "CloudWatchAlarm",
                                ["Version"] = "1",
                            },
                            ["Configuration"] = new Dictionary<string, object> { ["AlarmName"] = rule.Alarm, ["AlarmStates"] = rule.State },
                        }).ToArray(),
                    },
                },
            });
        }
        // The rules run as the pipeline's role.
        pipelineRole.AddToPolicy(new EvidenceStatements(stack, Plan.Names).DescribeAlarms("HoldDeployOnHealthAlarms"));
        _holdsOnAlarm = true;
    }

    /// <summary>A CodePipeline condition holds at most five rules (API reference, Condition).</summary>
    public const int MaxEntryRules = 5;

    /// <summary>
    /// Lambda compute exists in some regions only: a stack for another region stops at synthesis, and an
    /// environment-agnostic stack gets a template rule that stops the deployment there, saying the same.
    /// </summary>
    private static void RequireLambdaComputeRegion(Stack stack)
    {
        if (!Token.IsUnresolved(stack.Region))
        {
            if (!LambdaImages.Regions.Contains(stack.Region, StringComparer.Ordinal))
                throw new ArgumentException(LambdaImages.RegionProblem(stack.Region));
            return;
        }
        new Amazon.CDK.CfnRule(stack, "GitPromoteLambdaComputeRegion", new Amazon.CDK.CfnRuleProps
        {
            Assertions =
            [
                new CfnRuleAssertion
                {
                    Assert = Fn.ConditionContains(LambdaImages.Regions.ToArray(), Aws.REGION),
                    AssertDescription = LambdaImages.RegionProblem("this stack's region"),
                },
            ],
        });
    }

    /// <summary>A literal for a JavaScript regular expression (cdk-nag's applies_to): names hold letters, digits, '_', '.', '-'.</summary>
    private static string JsRegex(string literal) => literal.Replace(".", @"\.", StringComparison.Ordinal);

    /// <summary>
    /// The build guard as a service control policy, three Deny statements and no Allow, every name fixed before deployment:
    /// starting or retrying the gate, record and prune builds, but by the role the pipeline (or the schedule) starts each with;
    /// creating, changing or deleting the builds, the pipeline (the Record action's commit, the Gate stage) or any role under
    /// <see cref="PromotionNames.RolePath"/> (their policies, trust, boundary, or passing them to a new pipeline or build), but
    /// by CloudFormation's execution role; writing or deleting green and deployment records (and the pinned policy, when the
    /// stack publishes it), but by the record and prune builds and CloudFormation.
    /// </summary>
    private PolicyDocument BuildGuardScp(Stack stack, PromotionNames names, EvidenceStatements evidence, PromotedEnvironmentProps props,
        IReadOnlyList<(Project Project, string Starter)> guarded)
    {
        string PathRoleArn(string name) => EvidenceStatements.RoleArn(stack, stack.Account, name, PromotionNames.RolePath);
        var cloudFormation = props.CloudFormationExecutionRole is { Length: > 0 } given
            ? EvidenceStatements.RoleArn(stack, stack.Account, given.Contains('/') ? given[(given.LastIndexOf('/') + 1)..] : given,
                given.Contains('/') ? "/" + given[..(given.LastIndexOf('/') + 1)].TrimStart('/') : "/")
            : EvidenceStatements.RoleArn(stack, stack.Account, $"cdk-hnb659fds-cfn-exec-role-{stack.Account}-{stack.Region}");
        var projects = guarded.Select(g => ProjectArn(stack, g.Project)).ToArray();
        var pipeline = stack.FormatArn(new ArnComponents { Service = "codepipeline", Resource = Plan.PipelineName });
        var records = new List<string> { evidence.EvidenceParameter("green"), evidence.EvidenceParameter("deploy") };
        if (props.PublishPolicy) records.Add(evidence.PolicyParameterArn(Plan.PolicyParameter));
        PolicyStatement Deny(string sid, string[] actions, string[] resources, string[] except) => new(new PolicyStatementProps
        {
            Sid = sid,
            Effect = Effect.DENY,
            Actions = actions,
            Resources = resources,
            Conditions = new Dictionary<string, object> { ["ArnNotEquals"] = new Dictionary<string, object> { ["aws:PrincipalArn"] = except } },
        });
        return new PolicyDocument(new PolicyDocumentProps
        {
            Statements =
            [
                Deny("GitPromoteBuildsStartOnlyFromThePipeline",
                    ["codebuild:StartBuild", "codebuild:StartBuildBatch", "codebuild:RetryBuild", "codebuild:RetryBuildBatch"],
                    projects, guarded.Select(g => PathRoleArn(g.Starter)).ToArray()),
                Deny("GitPromoteChangedOnlyByCloudFormation",
                    ["codebuild:CreateProject", "codebuild:UpdateProject", "codebuild:DeleteProject", "codepipeline:CreatePipeline",
                        "codepipeline:UpdatePipeline", "codepipeline:DeletePipeline", "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*",
                        "iam:PassRole", "iam:Put*", "iam:Tag*", "iam:Untag*", "iam:Update*"],
                    [.. projects, pipeline, PathRoleArn("*")], [cloudFormation]),
                Deny("GitPromoteRecordsWrittenOnlyByTheBuilds",
                    ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:DeleteParameters"],
                    records.ToArray(), [PathRoleArn(names.RecordRole), PathRoleArn(names.PruneRole), cloudFormation]),
            ],
        });
    }

    private static string ProjectArn(Stack stack, Project project) => stack.FormatArn(new ArnComponents
    {
        Service = "codebuild",
        Resource = "project",
        ResourceName = ((CfnProject)project.Node.DefaultChild!).Name!,
        ArnFormat = ArnFormat.SLASH_RESOURCE_NAME,
    });

    /// <summary>
    /// Frozen: CloudFormation sets a managed policy's Description only at creation, and this policy has a fixed name, so a
    /// reworded description would need a replacement that CloudFormation refuses, failing every deployed stack's update.
    /// The text is the one the first version shipped; a test pins it.
    /// </summary>
    public static string DeveloperPolicyDescription(string service, string environment) =>
        $"developers of {service} in {environment}: read evidence, record bypasses and approvals";

    /// <summary>
    /// CodeBuild, for this one project of this account only (aws:SourceArn, aws:SourceAccount): no other project, here or
    /// elsewhere, can run as the role. The project has a fixed name so its ARN is known before it exists.
    /// </summary>
    private static IPrincipal CodeBuildFor(Stack stack, string projectName) =>
        new ServicePrincipal("codebuild.amazonaws.com").WithConditions(new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            ["ArnEquals"] = new Dictionary<string, object>
            {
                ["aws:SourceArn"] = stack.FormatArn(new ArnComponents
                {
                    Service = "codebuild",
                    Resource = "project",
                    ResourceName = projectName,
                    ArnFormat = ArnFormat.SLASH_RESOURCE_NAME
                }),
            },
        });

    /// <summary>A role of the pipeline, named and under <see cref="PromotionNames.RolePath"/>, so the build guard can name it before it exists.</summary>
    private Role PathRole(string id, string name, IPrincipal assumedBy, string description) => new(this, id, new RoleProps
    {
        RoleName = name,
        Path = PromotionNames.RolePath,
        AssumedBy = assumedBy,
        Description = description,
    });

    /// <summary>The role the pipeline runs one action as: assumable by the pipeline's role alone, never by the account.</summary>
    private Role ActionRole(string action, string name, IRole pipelineRole) => PathRole(action + "ActionRole", name, new ArnPrincipal(pipelineRole.RoleArn),
        $"the {Plan.PipelineName} pipeline's {action} action; only the pipeline's role may assume it");

    /// <summary>The service role of one of the construct's builds, which CodeBuild may act as for that project only.</summary>
    private Role BuildRole(string id, string name, string projectName, string description) =>
        PathRole(id, name, CodeBuildFor(Stack.Of(this), projectName), description);

    /// <summary>
    /// The role an EventBridge rule acts as, trusted for that one rule of this account only: EventBridge sets aws:SourceArn
    /// to the rule's ARN and aws:SourceAccount to its account (EventBridge user guide, "Using IAM policy conditions"). The
    /// rule has a fixed name, so the trust names it without a reference that would make a cycle.
    /// </summary>
    private Role EventsRole(string id, string name, string ruleName, string description)
    {
        var stack = Stack.Of(this);
        return PathRole(id, name, new ServicePrincipal("events.amazonaws.com").WithConditions(new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            ["ArnEquals"] = new Dictionary<string, object>
            {
                ["aws:SourceArn"] = stack.FormatArn(new ArnComponents
                {
                    Service = "events",
                    Resource = "rule",
                    ResourceName = ruleName,
                    ArnFormat = ArnFormat.SLASH_RESOURCE_NAME,
                }),
            },
        }), description);
    }

    /// <summary>
    /// The CDK gives every action without a role (the team's deploy actions) a role that trusts the whole account; here
    /// those trust the pipeline's role alone, as the construct's own action roles do.
    /// </summary>
    private static void TrustOnlyThePipeline(Pipeline pipeline, IRole pipelineRole)
    {
        foreach (var child in pipeline.Node.FindAll())
        {
            if (child is not CfnRole role || role.Node.Scope?.Node.Id != "CodePipelineActionRole") continue;
            role.AddPropertyOverride("AssumeRolePolicyDocument", new Dictionary<string, object>
            {
                ["Version"] = "2012-10-17",
                ["Statement"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Effect"] = "Allow", ["Action"] = "sts:AssumeRole",
                        ["Principal"] = new Dictionary<string, object> { ["AWS"] = pipelineRole.RoleArn },
                    },
                },
            });
        }
    }

    /// <summary>
    /// One of the construct's builds: the commands after the install, its own log group (CodeBuild's name for it, made with
    /// the stack so its retention is set; retained when the stack is deleted), and a role the CDK adds nothing to: its
    /// grants are the statements given here and <see cref="ReadArtifactsAndWriteLogs"/>, no CreateLogGroup, no report groups.
    /// </summary>
    private (Project Project, LogGroup Logs) Project(string name, string projectName, Role role, PromotedEnvironmentProps props, BinaryLocation binary,
        IReadOnlyList<string> commands, Dictionary<string, string> variables, bool fromPipeline)
    {
        variables[PromoteSettings.Variables.ReleaseBucket] = binary.Bucket;
        variables[PromoteSettings.Variables.ReleaseKey] = binary.Key;
        variables[PromoteSettings.Variables.ReleaseSha256] = binary.Sha256;
        var lambda = props.Compute == BuildCompute.Lambda;
        var logs = new LogGroup(this, name + "Logs", new LogGroupProps
        {
            LogGroupName = PromotionNames.LogGroup(projectName),
            Retention = props.LogRetention,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        var environment = lambda
            ? new BuildEnvironment { BuildImage = LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20, ComputeType = ComputeType.LAMBDA_1GB }
            : new BuildEnvironment { BuildImage = LinuxBuildImage.STANDARD_7_0, ComputeType = ComputeType.SMALL };
        var spec = BuildSpec.FromObject(new Dictionary<string, object>
        {
            ["version"] = "0.2",
            ["phases"] = new Dictionary<string, object>
            {
                ["build"] = new Dictionary<string, object> { ["commands"] = PipelineCommands.Install.Concat(commands).ToArray() },
            },
        });
        var buildVariables = variables.ToDictionary(v => v.Key, v => (IBuildEnvironmentVariable)new BuildEnvironmentVariable { Value = v.Value });
        var logging = new LoggingOptions { CloudWatch = new CloudWatchLoggingOptions { LogGroup = logs } };
        var description = $"{commands[^1]} (git-promote {GitPromoteBinary.ConstructVersion} from S3)";
        // Lambda compute takes no timeout of its own (it stops at 15 minutes).
        var timeout = lambda ? null : Duration.Minutes(10);
        Project project = fromPipeline
            ? new PipelineProject(this, name + "Project", new PipelineProjectProps
            {
                ProjectName = projectName,
                Role = role.WithoutPolicyUpdates(),
                Description = description,
                Environment = environment,
                EnvironmentVariables = buildVariables,
                Timeout = timeout,
                Logging = logging,
                GrantReportGroupPermissions = false,
                BuildSpec = spec,
            })
            : new Project(this, name + "Project", new ProjectProps
            {
                ProjectName = projectName,
                Role = role.WithoutPolicyUpdates(),
                Description = description,
                Environment = environment,
                EnvironmentVariables = buildVariables,
                Timeout = timeout,
                Logging = logging,
                GrantReportGroupPermissions = false,
                BuildSpec = spec,
            });
        // The CDK 2.160 L2 names only some Lambda images: the chosen one is set on the L1 project.
        if (lambda)
            ((CfnProject)project.Node.DefaultChild!).AddPropertyOverride("Environment.Image", LambdaImages.Check(props.LambdaImage ?? LambdaImages.Default));
        return (project, logs);
    }

    /// <summary>
    /// What CodeBuild itself does as the build's role: write the log streams of the build's own group, and (for the
    /// pipeline's builds) download the source artifact, the same read the CDK grants a pipeline's CodeBuild action.
    /// </summary>
    private void ReadArtifactsAndWriteLogs(Role role, LogGroup logs, bool artifacts = true)
    {
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "WriteBuildLogs",
            Actions = ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resources = [logs.LogGroupArn],
        }));
        if (!artifacts) return;
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadSourceArtifact",
            Actions = ["s3:GetObject*", "s3:GetBucket*", "s3:List*"],
            Resources = [Pipeline.ArtifactBucket.BucketArn, Pipeline.ArtifactBucket.ArnForObjects("*")],
        }));
    }

    private static CodeBuildAction Action(string name, Project project, Artifact_ input, string commitVariable, IRole actionRole) =>
        new(new CodeBuildActionProps
        {
            ActionName = name,
            Role = actionRole,
            Project = project,
            Input = input,
            EnvironmentVariables = new Dictionary<string, IBuildEnvironmentVariable>
            {
                [PromoteSettings.Variables.Commit] = new BuildEnvironmentVariable { Value = commitVariable },
            },
        });
}
