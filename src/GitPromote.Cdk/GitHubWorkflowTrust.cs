using Amazon.CDK;
using Amazon.CDK.AWS.IAM;

namespace GitPromote.Cdk;

/// <summary>
/// GitHub Actions as this environment's pipeline, through a reusable workflow the service's repository cannot change (kept
/// in another repository, see examples/github). The environment's gate and record build roles also trust GitHub's OIDC
/// provider, for a token whose immutable claims name this repository (<c>repository_id</c>), that workflow
/// (<c>job_workflow_ref</c>) and the GitHub Environment the gate and record jobs run in, <c>promote-&lt;env&gt;</c>
/// (<c>environment</c>). The workflow's deploy job runs in the GitHub Environment <c>&lt;env&gt;</c>: its token, which the
/// deployed code can ask for, names another environment and gets neither role.
/// </summary>
/// <param name="Repository">The repository whose pushes deploy, <c>owner/name</c>.</param>
/// <param name="RepositoryId">Its numeric id (<c>gh api repos/OWNER/NAME --jq .id</c>): unlike the name, it survives a rename
/// and cannot be taken over by a repository created later under the old name.</param>
/// <param name="Workflow">
/// The called workflow with its ref, exactly as GitHub writes <c>job_workflow_ref</c>:
/// <c>owner/deploy-gates/.github/workflows/gated-deploy.yml@refs/heads/main</c>.
/// </param>
/// <remarks>
/// AWS STS evaluates GitHub's <c>repository_id</c>, <c>job_workflow_ref</c> and <c>environment</c> claims as condition keys
/// (<c>token.actions.githubusercontent.com:*</c>, in the Service Authorization Reference for AWS STS), so no OIDC subject
/// customization is needed. A job whose token lacks a claim gets no role (a missing key never equals a value).
/// </remarks>
public sealed record GitHubWorkflowTrust(string Repository, string RepositoryId, string Workflow)
{
    public const string Issuer = "token.actions.githubusercontent.com";

    /// <summary>The GitHub Environment of the gate and record jobs is this prefix and the environment's name.</summary>
    public const string EnvironmentPrefix = "promote-";

    /// <summary>The account's GitHub OIDC provider; default: <c>arn:aws:iam::&lt;this
    /// account&gt;:oidc-provider/token.actions.githubusercontent.com</c>.</summary>
    public string? OidcProviderArn { get; init; }

    /// <summary>The GitHub Environment the gate and record jobs of <paramref name="environment"/> run in.</summary>
    public static string GitHubEnvironment(string environment) => EnvironmentPrefix + environment;

    /// <summary>Adds the trust to <paramref name="role"/>'s assume-role policy; its CodeBuild trust stays.</summary>
    internal void Allow(Role role, string environment)
    {
        Check(environment);
        var stack = Stack.Of(role);
        var provider = OidcProviderArn ?? stack.FormatArn(new ArnComponents
        {
            Service = "iam",
            Region = "",
            Resource = "oidc-provider",
            ResourceName = Issuer,
            ArnFormat = ArnFormat.SLASH_RESOURCE_NAME,
        });
        role.AssumeRolePolicy!.AddStatements(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "GitHubGatedWorkflowOnly",
            Actions = ["sts:AssumeRoleWithWebIdentity"],
            Principals = [new FederatedPrincipal(provider, new Dictionary<string, object>(), "sts:AssumeRoleWithWebIdentity")],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object>
                {
                    [$"{Issuer}:aud"] = "sts.amazonaws.com",
                    [$"{Issuer}:repository_id"] = RepositoryId,
                    [$"{Issuer}:job_workflow_ref"] = Workflow,
                    [$"{Issuer}:environment"] = GitHubEnvironment(environment),
                },
                // What AWS recommends evaluating for GitHub's provider; the claims above are what decide.
                ["StringLike"] = new Dictionary<string, object> { [$"{Issuer}:sub"] = $"repo:{Repository}:*" },
            },
        }));
    }

    private void Check(string environment)
    {
        if (Repository.Count(c => c == '/') != 1 || Repository.Any(c => char.IsWhiteSpace(c) || c is '*' or '?' or ':'))
            throw new ArgumentException($"GitHubWorkflowTrust.Repository '{Repository}' is not owner/name (no wildcards)");
        if (RepositoryId.Length is 0 or > 20 || !RepositoryId.All(char.IsAsciiDigit))
            throw new ArgumentException(
                $"GitHubWorkflowTrust.RepositoryId '{RepositoryId}' is not a repository's numeric id (gh api repos/{Repository} --jq .id)");
        if (!Workflow.Contains("/.github/workflows/", StringComparison.Ordinal) || !Workflow.Contains("@refs/", StringComparison.Ordinal)
            || Workflow.Any(c => char.IsWhiteSpace(c) || c is '*' or '?'))
            throw new ArgumentException($"GitHubWorkflowTrust.Workflow '{Workflow}' is not owner/repo/.github/workflows/<file>@refs/<ref> (no wildcards)");
        if (Workflow.StartsWith(Repository + "/", StringComparison.Ordinal))
            throw new ArgumentException(
                $"GitHubWorkflowTrust.Workflow '{Workflow}' is in the service's own repository, where any commit can change it: keep it in another repository");
        // The deploy job runs in the GitHub Environment named like the environment: no environment's name may be another's
        // gate-and-record environment, or that deploy job's token would carry it.
        if (environment.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"environment '{environment}' starts with '{EnvironmentPrefix}', the prefix of the GitHub Environments the gate and " +
                "record jobs run in: with GitHubWorkflow, rename it in .promote.yml.");
    }
}
