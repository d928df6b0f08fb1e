using System.Text.Json.Nodes;
using GitPromote.Examples.Cdk;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>
/// The committed example templates (examples/cdk/templates, kept equal to the construct's output by ExampleTemplateTests)
/// as three deployed accounts, and the principals the IAM cases talk about.
/// </summary>
public static class ExampleAccounts
{
    public static readonly IReadOnlyList<string> Environments = ["dev", "stg", "prd"];
    public const string Service = "orders-service";

    /// <summary>The account of an environment; "stg+github" is stg's account too (<see cref="GitHubVariant"/>).</summary>
    public static string Account(string environment) => ExampleApp.Accounts[environment.Split('+')[0]];

    public static JsonObject Raw(string environment) => environment.EndsWith(GitHubSuffix, StringComparison.Ordinal)
        ? (JsonObject)JsonNode.Parse(GitHubVariant.Value[environment[..^GitHubSuffix.Length]])!
        : (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(ExampleSynthesis.Committed, $"{Service}-{environment}.template.json")))!;

    public const string GitHubSuffix = "+github";

    /// <summary>
    /// The example app synthesized with examples/github as the pipeline too (ExampleApp.GitHub): the committed templates'
    /// roles plus the GitHub trust, keyed by environment. Synthesized once per test process.
    /// </summary>
    public static readonly Lazy<IReadOnlyDictionary<string, string>> GitHubVariant = new(() =>
    {
        var outdir = Directory.CreateTempSubdirectory("cdk-github-").FullName;
        try
        {
            ExampleApp.Synthesize(outdir, tarball: null, File.ReadAllText(Path.Combine(GitPromote.TestSupport.RepositoryRoot.Path, "examples", "cdk",
                "promote.yml")), ExampleApp.GitHub);
            return Environments.ToDictionary(e => e, e => File.ReadAllText(Path.Combine(outdir, $"{Service}-{e}.template.json")));
        }
        finally
        {
            Directory.Delete(outdir, recursive: true);
        }
    });

    public static ResolvedTemplate Deployed(string environment) => new(Raw(environment), Account(environment));

    public static string Parameter(string environment, string name) =>
        $"arn:aws:ssm:{ResolvedTemplate.Region}:{Account(environment)}:parameter/{name.TrimStart('/')}";

    public static string Evidence(string environment, string folder, string leaf = "0123456789abcdef0123456789abcdef01234567") =>
        Parameter(environment, $"promote/{Service}/{environment}/{folder}/{leaf}");

    public static string PolicyParameter(string environment) => Parameter(environment, $"promote/{Service}/policy");

    /// <summary>Anyone in the account who may assume any role: what an ordinary "sts:AssumeRole on *" grant gives.</summary>
    public static NamedPolicy AssumeAnything { get; } = new("AssumeAnyRole", JsonNode.Parse(
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""")!);

    public static string AnyRole(string environment, string name = "anyone-in-the-account") => $"arn:aws:iam::{Account(environment)}:role/{name}";

    /// <summary>The pipeline's service role (the pipeline's RoleArn).</summary>
    public static TemplateRole PipelineRole(ResolvedTemplate t)
    {
        var arn = t.Properties(t.OfType("AWS::CodePipeline::Pipeline").Single())["RoleArn"]!.GetValue<string>();
        return t.Roles().Single(r => r.Arn == arn);
    }

    /// <summary>The service role of the CodeBuild project running <paramref name="command"/>.</summary>
    public static TemplateRole ServiceRoleOf(ResolvedTemplate t, string project)
    {
        var arn = t.Properties(project)["ServiceRole"]!.GetValue<string>();
        return t.Roles().Single(r => r.Arn == arn);
    }

    public static Simulation Assume(string principal, IReadOnlyList<NamedPolicy> identity, TemplateRole target, IReadOnlyDictionary<string,
        string>? context = null) =>
        new(new IamRequest(principal, "sts:AssumeRole", target.Arn, context), identity, target.Trust);

    public static Simulation Call(TemplateRole role, string action, string resource) => new(new IamRequest(role.Arn, action, resource), role.Policies);
}
