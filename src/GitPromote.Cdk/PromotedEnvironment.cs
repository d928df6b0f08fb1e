using Amazon.CDK;
using Amazon.CDK.AWS.CodeBuild;
using Amazon.CDK.AWS.CodeCommit;
using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.CodePipeline.Actions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SSM;
using Constructs;
using GitPromote.Core.Settings;
using IStageProps = Amazon.CDK.AWS.CodePipeline.IStageProps;
using StageProps = Amazon.CDK.AWS.CodePipeline.StageProps;

namespace GitPromote.Cdk;

/// <summary>
/// One environment's account, provisioned for git-promote: the environment's git repository, its pipeline
/// (Source, Gate, the team's deploy stages, Record), the pinned policy in SSM, and the least-privilege roles around the
/// evidence store <c>/promote/&lt;name&gt;/&lt;env&gt;/</c>. Instantiate it once per environment, in that environment's account.
/// </summary>
public sealed class PromotedEnvironment : Construct
{
    public static readonly IReadOnlyList<string> ReservedStages = ["Source", "Gate", "Record"];

    public PromotionPlan Plan { get; }
    public Repository? Repository { get; }
    public Pipeline Pipeline { get; }
    /// <summary>The gate action's role; null for the first environment, which has no gate.</summary>
    public Role? GateRole { get; }
    public Role RecordRole { get; }
    /// <summary>The role the next environment's gate assumes to read this environment's evidence; null for the last environment.</summary>
    public Role? EvidenceReaderRole { get; }
    /// <summary>For developers' identities in this account: read evidence, write bypass and approval records.</summary>
    public ManagedPolicy DeveloperPolicy { get; }
    public StringParameter? PolicyParameter { get; }
    /// <summary>
    /// Denies every principal but the pipeline's gate and record action roles to start, retry or change the gate and record
    /// builds. Put it in an SCP, or use <see cref="BuildGuardPolicy"/> as a permissions boundary.
    /// </summary>
    public PolicyStatement BuildGuard { get; }
    /// <summary>With <see cref="PromotedEnvironmentProps.CreateBuildGuard"/>: a permissions boundary holding <see cref="BuildGuard"/>.</summary>
    public ManagedPolicy? BuildGuardPolicy { get; }

    public PromotedEnvironment(Construct scope, string id, PromotedEnvironmentProps props) : base(scope, id)
    {
        var stack = Stack.Of(this);
        Plan = PromotionPlan.From(props, Token.IsUnresolved(stack.Account) ? null : stack.Account);
        if (props.Binary is null) throw new
            ArgumentException("Binary is required: GitPromoteBinary.FromTarball(path) or GitPromoteBinary.FromTemplateParameters().");
        if (props.DeployStages is null) throw new ArgumentException("DeployStages is required: the team's own deploy stage(s), run between Gate and Record.");
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
            PolicyParameter = new StringParameter(this, "PinnedPolicy", new StringParameterProps
            {
                ParameterName = Plan.PolicyParameter,
                StringValue = Plan.PolicyText,
                Tier = System.Text.Encoding.UTF8.GetByteCount(Plan.PolicyText) > 4096 ? ParameterTier.ADVANCED : ParameterTier.STANDARD,
                Description = $"git-promote policy of {Plan.Service}, read by the gate and record actions",
            });
        }

        var binary = props.Binary.Bind(this);
        var sourceOutput = new Artifact_("Source");
        Role sourceActionRole;
        // The pipeline's role is made here, before the actions, so each action role can trust it (and nothing else).
        var pipelineRole = new Role(this, "PipelineRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("codepipeline.amazonaws.com").WithConditions(new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            }),
            Description = $"the {Plan.PipelineName} pipeline: assumes its action roles; the only principal that may",
        });
        var source = (props.Source ?? PromotedSource.NewCodeCommitRepository())
            .Bind(this, Plan.Service, Plan.Branch, sourceOutput, sourceActionRole = ActionRole("Source", pipelineRole));
        Repository = source.Repository;

        var deployStages = props.DeployStages(sourceOutput) ?? [];
        if (deployStages.Count == 0)
            throw new ArgumentException("DeployStages returned no stage: give at least one deploy stage; Record must follow a real deployment.");
        if (deployStages.FirstOrDefault(s => ReservedStages.Contains(s.StageName, StringComparer.OrdinalIgnoreCase)) is { } clash)
            throw new ArgumentException($"deploy stage '{clash.StageName}' takes a name the construct uses ({string.Join(", ", ReservedStages)}); rename it.");

        var stages = new List<IStageProps> { new StageProps { StageName = "Source", Actions = [source.Action] } };
        var guarded = new List<(PipelineProject Project, Role ActionRole)>();

        if (Plan.Previous is { } previous)
        {
            GateRole = new Role(this, "GateRole", new RoleProps
            {
                RoleName = names.GateRole,
                AssumedBy = CodeBuildFor(stack, names.GateProject),
                Description = $"git promote gate {Plan.This.Name}: may read {previous.Name}'s evidence through its evidence-reader role",
            });
            var previousReader = EvidenceStatements.RoleArn(stack, previous.Account, Plan.PreviousNames!.EvidenceReaderRole);
            GateRole.AddToPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AssumePreviousEnvironmentEvidenceReader",
                Actions = ["sts:AssumeRole"],
                Resources = [previousReader],
            }));
            GateRole.AddToPolicy(evidence.Read("ReadOwnEvidence"));
            GateRole.AddToPolicy(evidence.ReadPolicy(Plan.PolicyParameter));
            GateRole.AddToPolicy(binary.ReadStatement());
            props.GitHubWorkflow?.Allow(GateRole, Plan.This.Name);
            var gate = Project("Gate", names.GateProject, GateRole, props, binary, PipelineCommands.Gate(Plan),
                new() { [PipelineCommands.RoleVariable(previous.Name)] = previousReader });
            var gateAction = ActionRole("Gate", pipelineRole);
            guarded.Add((gate, gateAction));
            stages.Add(new StageProps { StageName = "Gate", Actions = [Action("Gate", gate, sourceOutput, source.CommitVariable, gateAction)] });
        }

        stages.AddRange(deployStages);

        RecordRole = new Role(this, "RecordRole", new RoleProps
        {
            AssumedBy = CodeBuildFor(stack, names.RecordProject),
            Description = $"git promote record {Plan.This.Name}: marks the deployed commit green; writes nothing else",
        });
        RecordRole.AddToPolicy(evidence.Read("ReadOwnEvidenceForRevocations"));
        RecordRole.AddToPolicy(evidence.Write("RecordGreenAndDeployments", "green", "deploy"));
        RecordRole.AddToPolicy(evidence.ReadPolicy(Plan.PolicyParameter));
        RecordRole.AddToPolicy(binary.ReadStatement());
        props.GitHubWorkflow?.Allow(RecordRole, Plan.This.Name);
        var record = Project("Record", names.RecordProject, RecordRole, props, binary, PipelineCommands.Record(Plan), new());
        var recordAction = ActionRole("Record", pipelineRole);
        guarded.Add((record, recordAction));
        stages.Add(new StageProps { StageName = "Record", Actions = [Action("Record", record, sourceOutput, source.CommitVariable, recordAction)] });

        Pipeline = new Pipeline(this, "Pipeline", new PipelineProps
        {
            PipelineName = Plan.PipelineName,
            Role = pipelineRole,
            // V2 and QUEUED: every pushed commit runs Gate, the deploy and Record in push order; none is superseded between them.
            PipelineType = PipelineType.V2,
            ExecutionMode = ExecutionMode.QUEUED,
            // Every action runs in this account: no cross-account KMS key is needed (or created).
            CrossAccountKeys = false,
            Stages = stages.ToArray(),
        });
        TrustOnlyThePipeline(Pipeline, pipelineRole);
        source.StartOnlyOnBranch(Pipeline, Plan.Branch);
        if (props.ArtifactExpiryDays < 1) throw new ArgumentException($"ArtifactExpiryDays must be at least 1 day, not {props.ArtifactExpiryDays}.");
        ((CfnBucket)Pipeline.ArtifactBucket.Node.DefaultChild!).AddPropertyOverride("LifecycleConfiguration", new Dictionary<string, object>
        {
            ["Rules"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["Id"] = "ExpirePipelineArtifacts", ["Status"] = "Enabled", ["ExpirationInDays"] = props.ArtifactExpiryDays,
                    ["NoncurrentVersionExpiration"] = new Dictionary<string, object> { ["NoncurrentDays"] = 1 },
                    ["AbortIncompleteMultipartUpload"] = new Dictionary<string, object> { ["DaysAfterInitiation"] = 1 },
                },
            },
        });

        BuildGuard = BuildGuardStatement(guarded);
        if (props.CreateBuildGuard)
        {
            BuildGuardPolicy = new ManagedPolicy(this, "BuildGuard", new ManagedPolicyProps
            {
                ManagedPolicyName = names.BuildGuardPolicy,
                // A permissions boundary: allows what the identity's own policies allow, except starting or changing the builds.
                Statements =
                [
                    new PolicyStatement(new PolicyStatementProps { Sid = "BoundaryAllowsWhatIdentityPoliciesAllow", Actions = ["*"], Resources = ["*"] }),
                    BuildGuard,
                ],
            });
            new CfnOutput(this, "BuildGuardScpStatement", new CfnOutputProps
            {
                Description = "the same deny as an SCP statement: add it to a service control policy over this account",
                Value = stack.ToJsonString(BuildGuard.ToStatementJson()),
            });
        }

        if (Plan.Next is { } next)
        {
            var nextGate = EvidenceStatements.RoleArn(stack, next.Account, Plan.NextNames!.GateRole);
            EvidenceReaderRole = new Role(this, "EvidenceReaderRole", new RoleProps
            {
                RoleName = names.EvidenceReaderRole,
                // The next account's root, narrowed to its gate role by aws:PrincipalArn: the trust holds when that role is
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
                // Pre-push hooks, check and status read this environment's health with the developer's own access.
                .. Plan.HealthAlarms.Count > 0 ? new[] { evidence.DescribeAlarms("ReadHealthAlarms") } : [],
            ],
        });

        if (props.AlarmEntryCondition) HoldDeployStagesOnAlarm(stack, pipelineRole, deployStages);

        AcceptCdkNagFindings(pipelineRole, sourceActionRole, guarded);
    }

    /// <summary>The cdk-nag AwsSolutions findings this construct accepts, each with its reason, in the template's metadata.</summary>
    private void AcceptCdkNagFindings(Role pipelineRole, Role sourceActionRole, List<(PipelineProject Project, Role ActionRole)> guarded)
    {
        var evidence = new NagAcceptance("AwsSolutions-IAM5",
            "Evidence parameters are named by commit or time (green/<sha>, bypass/<time>-<sha>-<id>): each wildcard is one folder of this " +
            "environment's own /promote/<name>/<env>/ path, never another environment's or service's.",
            $@"^Resource::arn:<AWS::Partition>:ssm:.+:parameter/promote/{JsRegex(Plan.Service)}/{JsRegex(Plan.This.Name)}/"
            + @"(green|revoked|revoked-lifted|approval|bypass|deploy)/\*$");
        var artifacts = new NagAcceptance("AwsSolutions-IAM5",
            "The CDK's grant on this pipeline's own artifact bucket (the source zips): objects have generated keys.",
            @"^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*$", @"^Resource::<[A-Za-z0-9]+ArtifactsBucket[A-Za-z0-9]+\.Arn>/\*$");
        var defaultLogs = new NagAcceptance("AwsSolutions-IAM5",
            "The CDK's default grant on the project's /aws/codebuild/<project> log streams; the build logs to its own group, which has a retention.",
            @"^Resource::arn:<AWS::Partition>:logs:.+:log-group:/aws/codebuild/<[A-Za-z0-9]+>:\*$");
        foreach (var (project, _) in guarded)
        {
            CdkNag.Accept(project.Role!, evidence, artifacts, defaultLogs);
            CdkNag.Accept(project, new NagAcceptance("AwsSolutions-CB4",
                "The build makes no artifacts and holds no secret; its only input, the source zip, is encrypted with the AWS-managed S3 key."));
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
        if (BuildGuardPolicy is not null)
            CdkNag.Accept(BuildGuardPolicy, new NagAcceptance("AwsSolutions-IAM5",
                "A permissions boundary: its Allow grants nothing by itself, it caps what identity policies allow; its Deny is the point.",
                @"^Action::\*$", @"^Resource::\*$"));
    }

    private bool _holdsOnAlarm;

    /// <summary>
    /// A CodePipeline V2 BeforeEntry condition on each deploy stage: one CloudWatchAlarm rule per alarm name (the rule takes
    /// no prefix); a FAIL result when one is in ALARM, so the deployment does not start. The CDK 2.160 L2 has no stage conditions: L1 override.
    /// </summary>
    private void HoldDeployStagesOnAlarm(Stack stack, Role pipelineRole, IReadOnlyList<IStageProps> deployStages)
    {
        if (Plan.HealthAlarms.Count == 0)
            throw new ArgumentException($"AlarmEntryCondition needs health alarms of {Plan.This.Name}: give them in HealthAlarms or in .promote.yml's " +
                $"'health'.");
        if (Plan.HealthAlarms.FirstOrDefault(a => a.EndsWith('*')) is { } prefix)
            throw new ArgumentException(
                $"AlarmEntryCondition takes alarm names, but {Plan.This.Name}'s health has the prefix '{prefix}': CodePipeline's CloudWatchAlarm rule " +
                "names one alarm. List the names, or leave AlarmEntryCondition off (the gate's health check reads prefixes).");
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
                        ["Rules"] = Plan.HealthAlarms.Select((alarm, n) => (object)new Dictionary<string, object>
                        {
                            ["Name"] = $"HealthAlarm{n + 1}",
                            ["RuleTypeId"] = new Dictionary<string,
                                object> { ["Category"] = "Rule", ["Owner"] = "AWS", ["Provider"] = "CloudWatchAlarm", ["Version"] = "1" },
                            ["Configuration"] = new Dictionary<string, object> { ["AlarmName"] = alarm },
                        }).ToArray(),
                    },
                },
            });
        }
        // The rules run as the pipeline's role.
        pipelineRole.AddToPolicy(new EvidenceStatements(stack, Plan.Names).DescribeAlarms("HoldDeployOnHealthAlarms"));
        _holdsOnAlarm = true;
    }

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
        new CfnRule(stack, "GitPromoteLambdaComputeRegion", new CfnRuleProps
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
    /// Deny, to every principal but the pipeline's gate and record action roles, starting, retrying or changing the gate and
    /// record builds: for a permissions boundary (<see cref="PromotedEnvironmentProps.CreateBuildGuard"/>) or an SCP.
    /// </summary>
    private static PolicyStatement BuildGuardStatement(IEnumerable<(PipelineProject Project, Role ActionRole)> guarded)
    {
        var list = guarded.ToList();
        return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "OnlyThePipelineStartsGateAndRecord",
            Effect = Effect.DENY,
            Actions = ["codebuild:StartBuild", "codebuild:StartBuildBatch", "codebuild:RetryBuild", "codebuild:RetryBuildBatch", "codebuild:UpdateProject"],
            Resources = list.Select(g => g.Project.ProjectArn).ToArray(),
            Conditions = new Dictionary<string, object>
            {
                ["ArnNotEquals"] = new Dictionary<string, object> { ["aws:PrincipalArn"] = list.Select(g => g.ActionRole.RoleArn).ToArray() },
            },
        });
    }

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

    /// <summary>The role the pipeline runs one action as: assumable by the pipeline's role alone, never by the account.</summary>
    private Role ActionRole(string action, IRole pipelineRole) => new(this, action + "ActionRole", new RoleProps
    {
        AssumedBy = new ArnPrincipal(pipelineRole.RoleArn),
        Description = $"the {Plan.PipelineName} pipeline's {action} action; only the pipeline's role may assume it",
    });

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

    private PipelineProject Project(string name, string projectName, Role role, PromotedEnvironmentProps props, BinaryLocation binary, string command,
        Dictionary<string, string> variables)
    {
        variables[PromoteSettings.Variables.ReleaseBucket] = binary.Bucket;
        variables[PromoteSettings.Variables.ReleaseKey] = binary.Key;
        variables[PromoteSettings.Variables.ReleaseSha256] = binary.Sha256;
        var lambda = props.Compute == BuildCompute.Lambda;
        // Its own log group, made with the stack, so its retention is set (CodeBuild's default group keeps logs forever).
        var logs = new LogGroup(this, name + "Logs", new LogGroupProps { Retention = props.LogRetention, RemovalPolicy = RemovalPolicy.RETAIN });
        var project = new PipelineProject(this, name + "Project", new PipelineProjectProps
        {
            ProjectName = projectName,
            Role = role,
            Description = $"{command} (git-promote {GitPromoteBinary.ConstructVersion} from S3)",
            Environment = lambda
                ? new BuildEnvironment { BuildImage = LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20, ComputeType = ComputeType.LAMBDA_1GB }
                : new BuildEnvironment { BuildImage = LinuxBuildImage.STANDARD_7_0, ComputeType = ComputeType.SMALL },
            EnvironmentVariables = variables.ToDictionary(v => v.Key, v => (IBuildEnvironmentVariable)new BuildEnvironmentVariable { Value = v.Value }),
            // Lambda compute takes no timeout of its own (it stops at 15 minutes).
            Timeout = lambda ? null : Duration.Minutes(10),
            Logging = new LoggingOptions { CloudWatch = new CloudWatchLoggingOptions { LogGroup = logs } },
            // The builds publish no test reports: no report-group permissions.
            GrantReportGroupPermissions = false,
            BuildSpec = BuildSpec.FromObject(new Dictionary<string, object>
            {
                ["version"] = "0.2",
                ["phases"] = new Dictionary<string, object>
                {
                    ["build"] = new Dictionary<string, object> { ["commands"] = PipelineCommands.Install.Append(command).ToArray() },
                },
            }),
        });
        // The CDK 2.160 L2 names only some Lambda images: the chosen one is set on the L1 project.
        if (lambda)
            ((CfnProject)project.Node.DefaultChild!).AddPropertyOverride("Environment.Image", LambdaImages.Check(props.LambdaImage ?? LambdaImages.Default));
        return project;
    }

    private static CodeBuildAction Action(string name, PipelineProject project, Artifact_ input, string commitVariable, IRole actionRole) =>
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
