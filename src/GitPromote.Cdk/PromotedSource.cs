using Amazon.CDK.AWS.CodeCommit;
using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.CodePipeline.Actions;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace GitPromote.Cdk;

/// <summary>Where the environment's pipeline takes its source from: the environment's own git remote.</summary>
public abstract class PromotedSource
{
    /// <summary>A new CodeCommit repository in this account (default name: the service name). It is the environment's git remote.</summary>
    public static PromotedSource NewCodeCommitRepository(string? repositoryName = null) => new CodeCommitSource(repositoryName);

    /// <summary>A GitHub, GitLab or Bitbucket repository through an existing CodeStar/CodeConnections connection.</summary>
    public static PromotedSource Connection(string connectionArn, string owner, string repository) =>
        new ConnectionSource(connectionArn, owner, repository);

    /// <param name="actionRole">The role the pipeline runs the source action as (it trusts only the pipeline's role).</param>
    internal abstract BoundSource Bind(Construct scope, string service, string branch, Artifact_ output, IRole actionRole);

    private sealed class CodeCommitSource(string? repositoryName) : PromotedSource
    {
        internal override BoundSource Bind(Construct scope, string service, string branch, Artifact_ output, IRole actionRole)
        {
            var repository = new Repository(scope, "Repository", new RepositoryProps
            {
                RepositoryName = repositoryName ?? service,
                Description = $"git remote of {service} for this environment; a push to {branch} starts the pipeline",
            });
            var action = new CodeCommitSourceAction(new CodeCommitSourceActionProps
            {
                ActionName = "Source",
                Repository = repository,
                Branch = branch,
                Output = output,
                Role = actionRole,
            });
            return new BoundSource(action, action.Variables.CommitId, repository);
        }
    }

    private sealed class ConnectionSource(string connectionArn, string owner, string repository) : PromotedSource
    {
        internal override BoundSource Bind(Construct scope, string service, string branch, Artifact_ output, IRole actionRole)
        {
            if (!connectionArn.StartsWith("arn:", StringComparison.Ordinal) || owner.Length == 0 || repository.Length == 0)
                throw new ArgumentException(
                    $"the source connection needs a connection ARN (arn:aws:codestar-connections:... or arn:aws:codeconnections:...), an owner and a " +
                        $"repository; got '{connectionArn}', '{owner}', '{repository}'");
            var action = new CodeStarConnectionsSourceAction(new CodeStarConnectionsSourceActionProps
            {
                ActionName = "Source",
                ConnectionArn = connectionArn,
                Owner = owner,
                Repo = repository,
                Branch = branch,
                Output = output,
                TriggerOnPush = true,
                Role = actionRole,
            });
            return new BoundSource(action, action.Variables.CommitId, null);
        }
    }
}

/// <summary>The source action, the pipeline variable holding the commit it fetched, and the repository when one was created.</summary>
internal sealed record BoundSource(IAction Action, string CommitVariable, Repository? Repository)
{
    /// <summary>
    /// Starts the pipeline on pushes to the deploy branch only. CodeCommit: its EventBridge rule also requires a branch
    /// (a tag named like the branch does not start it). A connection: a V2 trigger with a branch push filter.
    /// </summary>
    public void StartOnlyOnBranch(Pipeline pipeline, string branch)
    {
        if (Repository is { } repository)
        {
            foreach (var child in repository.Node.FindAll())
                if (child is Amazon.CDK.AWS.Events.CfnRule rule)
                    rule.AddPropertyOverride("EventPattern.detail.referenceType", new[] { "branch" });
            return;
        }
        ((CfnPipeline)pipeline.Node.DefaultChild!).AddPropertyOverride("Triggers", new object[]
        {
            new Dictionary<string, object>
            {
                ["ProviderType"] = "CodeStarSourceConnection",
                ["GitConfiguration"] = new Dictionary<string, object>
                {
                    ["SourceActionName"] = "Source",
                    ["Push"] = new object[] { new Dictionary<string,
                        object> { ["Branches"] = new Dictionary<string, object> { ["Includes"] = new[] { branch } } } },
                },
            },
        });
    }
}
