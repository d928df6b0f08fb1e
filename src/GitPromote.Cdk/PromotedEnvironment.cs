using Amazon.CDK;
using Amazon.CDK.AWS.CodeBuild;
using Amazon.CDK.AWS.CodeCommit;
using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.CodePipeline.Actions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SSM;
using Constructs;
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

    public PromotedEnvironment(Construct scope, string id, PromotedEnvironmentProps props) : base(scope, id)
    {
        var stack = Stack.Of(this);
        Plan = PromotionPlan.From(props, Token.IsUnresolved(stack.Account) ? null : stack.Account);
        if (props.Binary is null) throw new ArgumentException("Binary is required: GitPromoteBinary.FromTarball(path) or GitPromoteBinary.FromTemplateParameters().");
        if (props.DeployStages is null) throw new ArgumentException("DeployStages is required: the team's own deploy stage(s), run between Gate and Record.");
        foreach (var warning in Plan.Warnings) Annotations.Of(this).AddWarning(warning);
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
        var source = (props.Source ?? PromotedSource.NewCodeCommitRepository()).Bind(this, Plan.Service, Plan.Branch, sourceOutput);
        Repository = source.Repository;

        var deployStages = props.DeployStages(sourceOutput) ?? [];
        if (deployStages.Count == 0)
            throw new ArgumentException("DeployStages returned no stage: give at least one deploy stage; Record must follow a real deployment.");
        if (deployStages.FirstOrDefault(s => ReservedStages.Contains(s.StageName, StringComparer.OrdinalIgnoreCase)) is { } clash)
            throw new ArgumentException($"deploy stage '{clash.StageName}' takes a name the construct uses ({string.Join(", ", ReservedStages)}); rename it.");

        var stages = new List<IStageProps> { new StageProps { StageName = "Source", Actions = [source.Action] } };

        if (Plan.Previous is { } previous)
        {
            GateRole = new Role(this, "GateRole", new RoleProps
            {
                RoleName = names.GateRole,
                AssumedBy = new ServicePrincipal("codebuild.amazonaws.com"),
                Description = $"git promote gate {Plan.This.Name}: may read {previous.Name}'s evidence through its evidence-reader role",
            });
            var previousReader = EvidenceStatements.RoleArn(stack, previous.Account, Plan.PreviousNames!.EvidenceReaderRole);
            GateRole.AddToPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AssumePreviousEnvironmentEvidenceReader", Actions = ["sts:AssumeRole"], Resources = [previousReader],
            }));
            GateRole.AddToPolicy(evidence.Read("ReadOwnEvidence"));
            GateRole.AddToPolicy(evidence.ReadPolicy(Plan.PolicyParameter));
            GateRole.AddToPolicy(binary.ReadStatement());
            props.GitHubWorkflow?.Allow(GateRole, Plan.This.Name);
            var gate = Project("Gate", GateRole, binary, PipelineCommands.Gate(Plan),
                new() { [PipelineCommands.RoleVariable(previous.Name)] = previousReader });
            stages.Add(new StageProps { StageName = "Gate", Actions = [Action("Gate", gate, sourceOutput, source.CommitVariable)] });
        }

        stages.AddRange(deployStages);

        RecordRole = new Role(this, "RecordRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("codebuild.amazonaws.com"),
            Description = $"git promote record {Plan.This.Name}: marks the deployed commit green; writes nothing else",
        });
        RecordRole.AddToPolicy(evidence.Read("ReadOwnEvidenceForRevocations"));
        RecordRole.AddToPolicy(evidence.Write("RecordGreen", "green"));
        RecordRole.AddToPolicy(evidence.ReadPolicy(Plan.PolicyParameter));
        RecordRole.AddToPolicy(binary.ReadStatement());
        props.GitHubWorkflow?.Allow(RecordRole, Plan.This.Name);
        var record = Project("Record", RecordRole, binary, PipelineCommands.Record(Plan), new());
        stages.Add(new StageProps { StageName = "Record", Actions = [Action("Record", record, sourceOutput, source.CommitVariable)] });

        Pipeline = new Pipeline(this, "Pipeline", new PipelineProps
        {
            PipelineName = Plan.PipelineName,
            // Every action runs in this account: no cross-account KMS key is needed (or created).
            CrossAccountKeys = false,
            Stages = stages.ToArray(),
        });

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
            EvidenceReaderRole.AddToPolicy(evidence.Read("ReadEvidence"));
            EvidenceReaderRole.AddToPolicy(evidence.ListExecutions(Plan.PipelineName));
        }

        DeveloperPolicy = new ManagedPolicy(this, "DeveloperPolicy", new ManagedPolicyProps
        {
            ManagedPolicyName = names.DeveloperPolicy,
            Description = $"developers of {Plan.Service} in {Plan.This.Name}: read evidence, record bypasses and approvals",
            Statements =
            [
                evidence.Read("ReadEvidence"),
                evidence.ListExecutions(Plan.PipelineName),
                evidence.Write("RecordBypassAndApproval", "bypass", "approval"),
            ],
        });
    }

    private PipelineProject Project(string name, Role role, BinaryLocation binary, string command, Dictionary<string, string> variables)
    {
        variables["GIT_PROMOTE_BUCKET"] = binary.Bucket;
        variables["GIT_PROMOTE_KEY"] = binary.Key;
        return new PipelineProject(this, name + "Project", new PipelineProjectProps
        {
            Role = role,
            Description = $"{command} (git-promote {GitPromoteBinary.ConstructVersion} from S3)",
            Environment = new BuildEnvironment { BuildImage = LinuxBuildImage.STANDARD_7_0, ComputeType = ComputeType.SMALL },
            EnvironmentVariables = variables.ToDictionary(v => v.Key, v => (IBuildEnvironmentVariable)new BuildEnvironmentVariable { Value = v.Value }),
            Timeout = Duration.Minutes(10),
            BuildSpec = BuildSpec.FromObject(new Dictionary<string, object>
            {
                ["version"] = "0.2",
                ["phases"] = new Dictionary<string, object>
                {
                    ["build"] = new Dictionary<string, object> { ["commands"] = PipelineCommands.Install.Append(command).ToArray() },
                },
            }),
        });
    }

    private static CodeBuildAction Action(string name, PipelineProject project, Artifact_ input, string commitVariable) => new(new CodeBuildActionProps
    {
        ActionName = name,
        Project = project,
        Input = input,
        EnvironmentVariables = new Dictionary<string, IBuildEnvironmentVariable>
        {
            ["PROMOTE_COMMIT"] = new BuildEnvironmentVariable { Value = commitVariable },
        },
    });
}
