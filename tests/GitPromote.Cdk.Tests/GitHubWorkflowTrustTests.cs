using System.Text.Json;
using Amazon.CDK;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

/// <summary>
/// Which pipeline definitions can obtain the roles that read the pinned policy and write green: CodeBuild's buildspec
/// is inline in the project the construct owns (the deployed commit cannot edit it), and GitHub Actions only through the
/// one reusable workflow named by <see cref="GitHubWorkflowTrust"/>.
/// </summary>
public sealed class GitHubWorkflowTrustTests : IDisposable
{
    private const string Workflow = "orders-org/deploy-gates/.github/workflows/gated-deploy.yml@refs/heads/main";
    private readonly TempDirectory _temp = new();
    private readonly string _tarball;

    public GitHubWorkflowTrustTests() => _tarball = PromotedSet.Tarball(Path.Combine(_temp.Path, "dist"), "x");

    public void Dispose() => _temp.Dispose();

    private Cfn Synth(string environment, GitHubWorkflowTrust? github)
    {
        var app = new App(new AppProps { AnalyticsReporting = false });
        var stack = PromotedSet.NewStack(app, environment);
        var props = PromotedSet.Props(stack, environment, GitPromoteBinary.FromTarball(_tarball));
        _ = new PromotedEnvironment(stack, "Promoted", new PromotedEnvironmentProps
        {
            Environment = props.Environment,
            Policy = props.Policy,
            Accounts = props.Accounts,
            Binary = props.Binary,
            DeployStages = props.DeployStages,
            GitHubWorkflow = github,
        });
        var assembly = app.Synth();
        return Cfn.Load(Path.Combine(assembly.Directory, stack.TemplateFile));
    }

    private static IEnumerable<JsonElement> TrustStatements(JsonElement role) =>
        role.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement").EnumerateArray();

    [Fact]
    public void The_gate_and_record_roles_trust_github_only_for_the_gated_workflow_in_this_environment()
    {
        var cfn = Synth("stg", new GitHubWorkflowTrust("orders-org/orders-service", Workflow));

        var roles = cfn.Resources("AWS::IAM::Role").Where(r =>
            TrustStatements(r.Properties).Any(s => s.ToString().Contains("oidc-provider", StringComparison.Ordinal))).ToList();
        Assert.Equal(2, roles.Count);
        Assert.Contains(roles, r => r.Properties.TryGetProperty("RoleName", out var n) && n.GetString() == "promote-orders-stg-gate-build");
        foreach (var (_, role) in roles)
        {
            var github = Assert.Single(TrustStatements(role), s => s.GetProperty("Action").GetString() == "sts:AssumeRoleWithWebIdentity");
            Assert.Equal("arn:${AWS::Partition}:iam::222222222222:oidc-provider/token.actions.githubusercontent.com",
                Cfn.Flatten(github.GetProperty("Principal").GetProperty("Federated")));
            var equals = github.GetProperty("Condition").GetProperty("StringEquals");
            Assert.Equal($"repo:orders-org/orders-service:environment:stg:job_workflow_ref:{Workflow}",
                equals.GetProperty("token.actions.githubusercontent.com:sub").GetString());
            Assert.Equal("sts.amazonaws.com", equals.GetProperty("token.actions.githubusercontent.com:aud").GetString());
            Assert.False(github.GetProperty("Condition").TryGetProperty("StringLike", out _));
        }
        Assert.DoesNotContain(cfn.Resources("AWS::IAM::Role"), r => r.Properties.TryGetProperty("RoleName", out var n)
            && n.GetString()!.EndsWith("-evidence-reader", StringComparison.Ordinal)
            && TrustStatements(r.Properties).Any(s => s.ToString().Contains("oidc-provider", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("orders-org/orders-service/.github/workflows/deploy.yml@refs/heads/main", "in the service's own repository")]
    [InlineData("orders-org/deploy-gates/.github/workflows/*.yml@refs/heads/main", "no wildcards")]
    [InlineData("orders-org/deploy-gates/.github/workflows/gated-deploy.yml", "@refs/")]
    public void A_workflow_the_service_could_change_or_a_pattern_is_refused(string workflow, string why)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Synth("stg", new GitHubWorkflowTrust("orders-org/orders-service", workflow)));
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void Without_the_option_no_role_trusts_github_and_every_codebuild_buildspec_is_inline()
    {
        foreach (var environment in new[] { "dev", "stg", "prd" })
        {
            var cfn = Synth(environment, null);
            Assert.DoesNotContain(cfn.Resources("AWS::IAM::Role"), r =>
                TrustStatements(r.Properties).Any(s => s.ToString().Contains("oidc-provider", StringComparison.Ordinal)));
            // A buildspec read from the source (a file name) would let the deployed commit rewrite its own gate or record.
            var ours = cfn.Resources("AWS::CodeBuild::Project")
                .Where(p => p.Properties.TryGetProperty("Description", out var d)
                && d.GetString()!.Contains("(git-promote ", StringComparison.Ordinal)).ToList();
            Assert.Equal(environment == "dev" ? 2 : 3, ours.Count);
            foreach (var (id, project) in ours)
            {
                var spec = Cfn.Flatten(project.GetProperty("Source").GetProperty("BuildSpec"));
                using var parsed = JsonDocument.Parse(spec);
                Assert.True(parsed.RootElement.TryGetProperty("phases", out _), $"{environment} {id}: the buildspec must be inline, not read from the source");
            }
        }
    }
}
