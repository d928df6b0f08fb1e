using Amazon.CDK;
using Amazon.CDK.AWS.CodeBuild;
using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.CodePipeline.Actions;
using GitPromote.Cdk;
using StageProps = Amazon.CDK.AWS.CodePipeline.StageProps;

namespace GitPromote.Examples.Cdk;

/// <summary>dev, stg and prd of orders-service, each in its own account, the way a team's CDK app would write them.</summary>
public static class ExampleApp
{
    public static readonly IReadOnlyDictionary<string, string> Accounts = new Dictionary<string, string>
    {
        ["dev"] = "111111111111",
        ["stg"] = "222222222222",
        ["prd"] = "333333333333",
    };

    public const string Region = "eu-west-1";

    /// <summary>examples/github: orders-org/orders-service (its numeric id) deploys through deploy-gates' gated workflow.</summary>
    public static readonly GitHubWorkflowTrust GitHub = new("orders-org/orders-service", "812345678",
        "orders-org/deploy-gates/.github/workflows/gated-deploy.yml@refs/heads/main");

    /// <summary>stg's alarms: a commit leaves stg for prd only after they have been OK for healthy_for. Every stack gets the same map.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> HealthAlarms = new Dictionary<string, IReadOnlyList<string>>
    {
        ["stg"] = ["orders-stg-5xx", "orders-stg-latency-p99"],
    };

    /// <param name="outdir">Where the cloud assembly goes (DIR/&lt;stack&gt;.template.json); null: CDK_OUTDIR or cdk.out.</param>
    /// <param name="tarball">The release tarball to ship as an asset (for cdk deploy); null: the stacks take its S3 location
    /// as the template parameters GitPromoteBinaryBucket and GitPromoteBinaryKey (the committed templates, for CloudFormation and StackSets).</param>
    /// <param name="github">GitHub Actions as the pipeline too: the gate and record roles then also trust examples/github's gated workflow.</param>
    public static string Synthesize(string? outdir, string? tarball, string policyText, GitHubWorkflowTrust? github = null)
    {
        var app = new App(new AppProps { Outdir = outdir, AnalyticsReporting = false });
        foreach (var environment in Accounts.Keys)
        {
            var stack = new Stack(app, $"orders-service-{environment}", new StackProps
            {
                Env = new Amazon.CDK.Environment { Account = Accounts[environment], Region = Region },
                // Without assets the templates need no CDK bootstrap, so plain CloudFormation can deploy them.
                Synthesizer = tarball is null ? new DefaultStackSynthesizer(new DefaultStackSynthesizerProps { GenerateBootstrapVersionRule = false }) : null,
            });
            new PromotedEnvironment(stack, "Promoted", new PromotedEnvironmentProps
            {
                Environment = environment,
                Policy = policyText,
                Accounts = Accounts,
                Binary = tarball is null ? GitPromoteBinary.FromTemplateParameters() : GitPromoteBinary.FromTarball(tarball),
                DeployStages = source => [DeployStage(stack, environment, source)],
                // The SCP that keeps even administrators from every route to a green record (stack output BuildGuardScp); it
                // leaves CloudFormation's execution role free to update the stacks: StackSets' for the committed templates.
                CreateBuildGuard = true,
                CloudFormationExecutionRole = tarball is null ? "AWSCloudFormationStackSetExecutionRole" : null,
                HealthAlarms = HealthAlarms,
                // stg's deploy also waits for its alarms on entry (CodePipeline's check); the gate in prd checks them on leaving.
                AlarmEntryCondition = environment == "stg",
                GitHubWorkflow = github,
            });
        }
        return app.Synth().Directory;
    }

    /// <summary>The team's own deployment: here, their deploy script from the commit that passed the gate.</summary>
    private static StageProps DeployStage(Stack stack, string environment, Artifact_ source)
    {
        var project = new PipelineProject(stack, "DeployProject", new PipelineProjectProps
        {
            Environment = new BuildEnvironment { BuildImage = LinuxBuildImage.STANDARD_7_0 },
            BuildSpec = BuildSpec.FromObject(new Dictionary<string, object>
            {
                ["version"] = "0.2",
                ["phases"] = new Dictionary<string, object>
                {
                    ["build"] = new Dictionary<string, object> { ["commands"] = new[] { $"./deploy.sh {environment}" } },
                },
            }),
        });
        // The team's own build, accepted the way the construct accepts its own (see GitPromote.Cdk.CdkNag).
        CdkNag.Accept(project, new NagAcceptance("AwsSolutions-CB4",
            "Example deploy build: it makes no artifacts; the source zip is encrypted with the AWS-managed S3 key."));
        CdkNag.Accept(project.Role!, new NagAcceptance("AwsSolutions-IAM5",
            "The CDK's default grants of an example deploy build: the pipeline's artifact bucket, its own log group and report groups.",
            @"^Action::s3:(GetObject|GetBucket|List)\*$", @"^Resource::<[A-Za-z0-9]+ArtifactsBucket[A-Za-z0-9]+\.Arn>/\*$",
            @"^Resource::arn:<AWS::Partition>:logs:.+:log-group:/aws/codebuild/<[A-Za-z0-9]+>:\*$",
            @"^Resource::arn:<AWS::Partition>:codebuild:.+:report-group/<[A-Za-z0-9]+>-\*$"));
        return new StageProps
        {
            StageName = "Deploy",
            Actions = [new CodeBuildAction(new CodeBuildActionProps { ActionName = "Deploy", Project = project, Input = source })],
        };
    }
}
