using System.Diagnostics;
using Amazon.CDK;
using Amazon.CDK.AWS.CodeBuild;
using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.CodePipeline.Actions;
using StageProps = Amazon.CDK.AWS.CodePipeline.StageProps;

namespace GitPromote.Cdk.Tests;

/// <summary>A dev/stg/prd set of <see cref="PromotedEnvironment"/>s in three accounts, built the way a team would.</summary>
public static class PromotedSet
{
    public static readonly IReadOnlyDictionary<string, string> Accounts = new Dictionary<string, string>
    {
        ["dev"] = "111111111111",
        ["stg"] = "222222222222",
        ["prd"] = "333333333333",
    };

    public const string Policy = """
        version: 1
        name: orders
        branches: [main]
        environments:
          - name: dev
            remotes: [dev]
            evidence: [ { ssm: {} } ]
          - name: stg
            remotes: [stg]
            evidence: [ { ssm: {} } ]
          - name: prd
            remotes: [prd]
            evidence: [ { ssm: {} } ]
        """;

    public static Stack NewStack(App app, string environment, string? account = null) =>
        new(app, $"orders-{environment}", new StackProps
        {
            Env = new Amazon.CDK.Environment { Account = account ?? Accounts[environment], Region = "eu-west-1" },
        });

    public static PromotedEnvironmentProps Props(Stack stack, string environment, GitPromoteBinary binary, string policy = Policy,
        IReadOnlyDictionary<string, string>? accounts = null, PromotedSource? source = null) => new()
        {
            Source = source,
            Environment = environment,
            Policy = policy,
            Accounts = accounts ?? Accounts,
            Binary = binary,
            DeployStages = source => [Deploy(stack, source)],
        };

    public static StageProps Deploy(Stack stack, Artifact_ source) => new()
    {
        StageName = "Deploy",
        Actions =
        [
            new CodeBuildAction(new CodeBuildActionProps
            {
                ActionName = "Deploy",
                Input = source,
                Project = new PipelineProject(stack, "Deploy",
                    new PipelineProjectProps { BuildSpec = BuildSpec.FromObject(new Dictionary<string, object> { ["version"] = "0.2" }) }),
            }),
        ],
    };

    /// <summary>A file named like the release tarball, with the given bytes (the templates never depend on them).</summary>
    public static string Tarball(string directory, string content)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"git-promote-{GitPromoteBinary.ConstructVersion}-linux-x64.tar.gz");
        File.WriteAllText(path, content);
        return path;
    }
}

/// <summary>Synthesizes the set once for every test of the collection (synthesis runs in node: seconds, not milliseconds).</summary>
public sealed class PromotedSetFixture : IDisposable
{
    public string Directory { get; }
    public TimeSpan SynthesisTime { get; }
    public Cfn Dev { get; }
    public Cfn Stg { get; }
    public Cfn Prd { get; }
    public IReadOnlyList<Cfn> All => [Dev, Stg, Prd];

    public PromotedSetFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("cdk-tests-").FullName;
        var tarball = PromotedSet.Tarball(Path.Combine(Directory, "dist"), "not a real tarball");
        var clock = Stopwatch.StartNew();
        var app = new App(new AppProps { Outdir = Path.Combine(Directory, "out"), AnalyticsReporting = false });
        foreach (var environment in PromotedSet.Accounts.Keys)
        {
            var stack = PromotedSet.NewStack(app, environment);
            new PromotedEnvironment(stack, "Promoted", PromotedSet.Props(stack, environment, GitPromoteBinary.FromTarball(tarball)));
        }
        app.Synth();
        SynthesisTime = clock.Elapsed;
        Dev = Template("dev"); Stg = Template("stg"); Prd = Template("prd");
    }

    public string TemplatePath(string environment) => Path.Combine(Directory, "out", $"orders-{environment}.template.json");
    public string AssetsPath(string environment) => Path.Combine(Directory, "out", $"orders-{environment}.assets.json");
    private Cfn Template(string environment) => Cfn.Load(TemplatePath(environment));

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

[CollectionDefinition(Name)]
public sealed class PromotedSetCollection : ICollectionFixture<PromotedSetFixture>
{
    public const string Name = "synthesized dev/stg/prd set";
}
