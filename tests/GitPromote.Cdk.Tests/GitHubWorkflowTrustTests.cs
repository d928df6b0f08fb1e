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
    private const string RepositoryId = "812345678";
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
    public void The_gate_and_record_roles_trust_github_only_for_the_gated_workflows_jobs_in_their_own_environment()
    {
        var cfn = Synth("stg", new GitHubWorkflowTrust("orders-org/orders-service", RepositoryId, Workflow));

        var roles = cfn.Resources("AWS::IAM::Role").Where(r =>
            TrustStatements(r.Properties).Any(s => s.ToString().Contains("oidc-provider", StringComparison.Ordinal))).ToList();
        Assert.Equal(["promote-orders-stg-gate-build", "promote-orders-stg-record-build"],
            roles.Select(r => r.Properties.GetProperty("RoleName").GetString()).Order());
        foreach (var (_, role) in roles)
        {
            var github = Assert.Single(TrustStatements(role), s => s.GetProperty("Action").GetString() == "sts:AssumeRoleWithWebIdentity");
            Assert.Equal("arn:${AWS::Partition}:iam::222222222222:oidc-provider/token.actions.githubusercontent.com",
                Cfn.Flatten(github.GetProperty("Principal").GetProperty("Federated")));
            var equals = github.GetProperty("Condition").GetProperty("StringEquals");
            // Immutable claims AWS STS evaluates: the repository's id, the workflow that defines the job, the job's environment.
            Assert.Equal(RepositoryId, equals.GetProperty("token.actions.githubusercontent.com:repository_id").GetString());
            Assert.Equal(Workflow, equals.GetProperty("token.actions.githubusercontent.com:job_workflow_ref").GetString());
            Assert.Equal("promote-stg", equals.GetProperty("token.actions.githubusercontent.com:environment").GetString());
            Assert.Equal("sts.amazonaws.com", equals.GetProperty("token.actions.githubusercontent.com:aud").GetString());
            Assert.Equal("repo:orders-org/orders-service:*",
                github.GetProperty("Condition").GetProperty("StringLike").GetProperty("token.actions.githubusercontent.com:sub").GetString());
        }
        Assert.DoesNotContain(cfn.Resources("AWS::IAM::Role"), r => r.Properties.TryGetProperty("RoleName", out var n)
            && n.GetString()!.EndsWith("-evidence-reader", StringComparison.Ordinal)
            && TrustStatements(r.Properties).Any(s => s.ToString().Contains("oidc-provider", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("orders", "not owner/name", "1")]
    [InlineData("orders-org/orders-service", "numeric id", "orders-service")]
    public void A_repository_without_its_numeric_id_is_refused(string repository, string why, string id)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Synth("stg", new GitHubWorkflowTrust(repository, id, Workflow)));
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void An_environment_named_like_a_gate_and_record_environment_is_refused()
    {
        var policy = PromotedSet.Policy.Replace("name: stg", "name: promote-stg", StringComparison.Ordinal)
            .Replace("[stg]", "[promote-stg]", StringComparison.Ordinal);
        var app = new App(new AppProps { AnalyticsReporting = false });
        var stack = PromotedSet.NewStack(app, "stg");
        var accounts = new Dictionary<string, string> { ["dev"] = "111111111111", ["promote-stg"] = "222222222222", ["prd"] = "333333333333" };
        var props = PromotedSet.Props(stack, "promote-stg", GitPromoteBinary.FromTarball(_tarball), policy, accounts);
        var error = Assert.ThrowsAny<ArgumentException>(() => new PromotedEnvironment(stack, "Promoted", new PromotedEnvironmentProps
        {
            Environment = props.Environment,
            Policy = props.Policy,
            Accounts = props.Accounts,
            Binary = props.Binary,
            DeployStages = props.DeployStages,
            GitHubWorkflow = new GitHubWorkflowTrust("orders-org/orders-service", RepositoryId, Workflow),
        }));
        Assert.StartsWith("environment 'promote-stg' starts with 'promote-'", error.Message);
    }

    [Theory]
    [InlineData("orders-org/orders-service/.github/workflows/deploy.yml@refs/heads/main", "in the service's own repository")]
    [InlineData("orders-org/deploy-gates/.github/workflows/*.yml@refs/heads/main", "no wildcards")]
    [InlineData("orders-org/deploy-gates/.github/workflows/gated-deploy.yml", "@refs/")]
    public void A_workflow_the_service_could_change_or_a_pattern_is_refused(string workflow, string why)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Synth("stg", new GitHubWorkflowTrust("orders-org/orders-service", RepositoryId, workflow)));
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
