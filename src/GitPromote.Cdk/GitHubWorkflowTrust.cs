using Amazon.CDK;
using Amazon.CDK.AWS.IAM;

namespace GitPromote.Cdk;

/// <summary>
/// GitHub Actions as this environment's pipeline, through a workflow the service's own repository cannot change: a
/// reusable workflow kept in another repository (see examples/github). The environment's gate and record roles also
/// trust GitHub's OIDC provider, but only for a token whose subject names that workflow (<c>job_workflow_ref</c>) and
/// this GitHub Environment. A workflow edited in the service's repository gets another subject, so no credentials that
/// read the pinned policy or write green records.
/// </summary>
/// <param name="Repository">The repository whose pushes deploy, <c>owner/name</c> (the <c>repo</c> of the subject).</param>
/// <param name="Workflow">
/// The called workflow with its ref, exactly as GitHub writes <c>job_workflow_ref</c>:
/// <c>owner/deploy-gates/.github/workflows/gated-deploy.yml@refs/heads/main</c>.
/// </param>
/// <remarks>
/// GitHub puts <c>job_workflow_ref</c> in the subject only once the repository's OIDC subject template includes it
/// (<c>PUT /repos/{owner}/{repo}/actions/oidc/customization/sub</c> with <c>include_claim_keys: ["repo", "context",
/// "job_workflow_ref"]</c>, an admin's setting): until then no token matches and the roles refuse every run, closed.
/// </remarks>
public sealed record GitHubWorkflowTrust(string Repository, string Workflow)
{
    public const string Issuer = "token.actions.githubusercontent.com";

    /// <summary>The account's GitHub OIDC provider; default: <c>arn:aws:iam::&lt;this
    /// account&gt;:oidc-provider/token.actions.githubusercontent.com</c>.</summary>
    public string? OidcProviderArn { get; init; }

    /// <summary>The one subject the roles accept: this repository, in the GitHub Environment named like the environment, through the workflow.</summary>
    public string Subject(string environment) => $"repo:{Repository}:environment:{environment}:job_workflow_ref:{Workflow}";

    /// <summary>Adds the trust to <paramref name="role"/>'s assume-role policy; its CodeBuild trust stays.</summary>
    internal void Allow(Role role, string environment)
    {
        Check();
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
                    [$"{Issuer}:sub"] = Subject(environment),
                },
            },
        }));
    }

    private void Check()
    {
        if (Repository.Count(c => c == '/') != 1 || Repository.Any(c => char.IsWhiteSpace(c) || c is '*' or '?' or ':'))
            throw new ArgumentException($"GitHubWorkflowTrust.Repository '{Repository}' is not owner/name (no wildcards)");
        if (!Workflow.Contains("/.github/workflows/", StringComparison.Ordinal) || !Workflow.Contains("@refs/", StringComparison.Ordinal)
            || Workflow.Any(c => char.IsWhiteSpace(c) || c is '*' or '?'))
            throw new ArgumentException($"GitHubWorkflowTrust.Workflow '{Workflow}' is not owner/repo/.github/workflows/<file>@refs/<ref> (no wildcards)");
        if (Workflow.StartsWith(Repository + "/", StringComparison.Ordinal))
            throw new ArgumentException($"GitHubWorkflowTrust.Workflow '{Workflow}' is in the service's own repository, where any commit can change it: keep " +
                $"it in another repository");
    }
}
