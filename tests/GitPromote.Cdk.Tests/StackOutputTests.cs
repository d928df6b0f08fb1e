using System.Text.Json.Nodes;
using GitPromote.Cdk.Tests.Iam;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

/// <summary>
/// What a team reads off each environment's stack to set up clones and identities: the CodeCommit repository, named for
/// the environment so that each account's remote URL differs, and the stack outputs (clone URL with the profile, the
/// developer policy, the evidence reader, the pinned policy's parameter).
/// </summary>
[Collection(PromotedSetCollection.Name)]
public sealed class StackOutputTests(PromotedSetFixture set) : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void Each_accounts_repository_is_named_service_dash_environment_so_the_remotes_differ(string environment)
    {
        var repository = Assert.Single(Of(environment).Resources("AWS::CodeCommit::Repository")).Properties;
        Assert.Equal($"orders-{environment}", repository.GetProperty("RepositoryName").GetString());
    }

    [Fact]
    public void A_repository_name_given_to_NewCodeCommitRepository_is_kept()
    {
        var t = Synth("stg", PromotedSet.Policy, PromotedSource.NewCodeCommitRepository("orders-legacy"));
        Assert.Equal("orders-legacy", t.Properties(t.OfType("AWS::CodeCommit::Repository").Single())["RepositoryName"]!.GetValue<string>());
        Assert.Equal("codecommit::eu-west-1://orders-stg@orders-legacy", Output(t, "GitPromoteCloneUrl"));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void The_clone_url_output_is_the_codecommit_form_with_the_service_dash_environment_profile(string environment)
    {
        Assert.Equal($"codecommit::eu-west-1://orders-{environment}@orders-{environment}", Output(Deployed(environment), "GitPromoteCloneUrl"));
    }

    [Fact]
    public void The_clone_url_names_the_profile_the_policy_gives_the_environment()
    {
        var policy = PromotedSet.Policy.Replace("""
              - name: stg
                remotes: [stg]
            """, """
              - name: stg
                remotes: [stg]
                aws: { region: eu-west-1, profile: acme-orders-staging }
            """, StringComparison.Ordinal);
        Assert.NotEqual(PromotedSet.Policy, policy);
        Assert.Equal("codecommit::eu-west-1://acme-orders-staging@orders-stg", Output(Synth("stg", policy), "GitPromoteCloneUrl"));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void The_developer_policy_and_pinned_policy_outputs_name_what_the_stack_made(string environment)
    {
        var t = Deployed(environment);
        var account = PromotedSet.Accounts[environment];
        Assert.Equal($"arn:aws:iam::{account}:policy/promote-orders-{environment}-developer", Output(t, "GitPromoteDeveloperPolicyArn"));
        Assert.Equal("/promote/orders/policy", Output(t, "GitPromotePolicyParameterName"));
    }

    [Theory]
    [InlineData("dev", true)]
    [InlineData("stg", true)]
    [InlineData("prd", false)]
    public void The_evidence_reader_output_is_the_role_the_next_gate_assumes(string environment, bool hasReader)
    {
        var t = Deployed(environment);
        if (!hasReader)
        {
            Assert.DoesNotContain(t.Outputs, o => o.Key == "GitPromoteEvidenceReaderRoleArn");
            return;
        }
        var expected = $"arn:aws:iam::{PromotedSet.Accounts[environment]}:role/promote-orders-{environment}-evidence-reader";
        Assert.Equal(expected, Output(t, "GitPromoteEvidenceReaderRoleArn"));
        // ...which is exactly what the next environment's gate build is given to assume.
        var next = environment == "dev" ? "stg" : "prd";
        var gate = Of(next).Resources("AWS::CodeBuild::Project").Single(p => PipelineTests.BuildSpec(p.Properties).Contains("git promote gate")).Properties;
        var given = PipelineTests.Variable(gate, $"PROMOTE_AWS_ROLE_{environment.ToUpperInvariant()}")!.Replace("${AWS::Partition}", "aws",
            StringComparison.Ordinal);
        Assert.Equal(expected, given);
    }

    [Fact]
    public void A_connection_source_has_no_clone_url_output()
    {
        var t = Synth("stg", PromotedSet.Policy, PromotedSource.Connection(
            "arn:aws:codestar-connections:eu-west-1:222222222222:connection/0c2f4a3e-1111-2222-3333-444455556666", "acme", "orders"));
        Assert.DoesNotContain(t.Outputs, o => o.Key == "GitPromoteCloneUrl");
        Assert.Contains(t.Outputs, o => o.Key == "GitPromoteDeveloperPolicyArn");
    }

    private Cfn Of(string environment) => environment switch { "dev" => set.Dev, "stg" => set.Stg, _ => set.Prd };

    private ResolvedTemplate Deployed(string environment) =>
        new((JsonObject)JsonNode.Parse(File.ReadAllText(set.TemplatePath(environment)))!, PromotedSet.Accounts[environment]);

    private static string Output(ResolvedTemplate t, string key)
    {
        Assert.True(t.Outputs.ContainsKey(key), $"no output {key}; outputs: {string.Join(", ", t.Outputs.Select(o => o.Key))}");
        return t.Outputs[key]!["Value"]!.GetValue<string>();
    }

    private ResolvedTemplate Synth(string environment, string policy, PromotedSource? source = null)
    {
        var outdir = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N"));
        var app = new Amazon.CDK.App(new Amazon.CDK.AppProps { Outdir = outdir, AnalyticsReporting = false });
        var stack = PromotedSet.NewStack(app, environment);
        new PromotedEnvironment(stack, "Promoted", PromotedSet.Props(stack, environment, GitPromoteBinary.FromTemplateParameters(), policy, source: source));
        app.Synth();
        var raw = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(outdir, $"orders-{environment}.template.json")))!;
        return new ResolvedTemplate(raw, PromotedSet.Accounts[environment]);
    }

    public void Dispose() => _temp.Dispose();
}
