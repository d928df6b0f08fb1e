using Amazon.CDK;
using Amazon.CDK.AWS.CodeCommit;
using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.CodePipeline.Actions;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace GitPromote.Cdk;

/// <summary>Where the environment's pipeline takes its source from: the environment's own git remote.</summary>
public abstract class PromotedSource
{
    /// <summary>
    /// A new CodeCommit repository in this account, the environment's git remote. Default name: <c>&lt;name&gt;-&lt;env&gt;</c>
    /// (<see cref="PromotionNames.Repository"/>), so each account's remote URL differs; give <paramref name="repositoryName"/>
    /// to keep another name (a repository the stack already made under the old default, the service name alone).
    /// </summary>
    public static PromotedSource NewCodeCommitRepository(string? repositoryName = null) => new CodeCommitSource(repositoryName);

    /// <summary>
    /// A GitHub, GitLab or Bitbucket repository through an existing connection: <c>arn:aws:codestar-connections:...</c>
    /// (connections made before the service's rename) or <c>arn:aws:codeconnections:...</c> (made since).
    /// </summary>
    public static PromotedSource Connection(string connectionArn, string owner, string repository) =>
        new ConnectionSource(connectionArn, owner, repository);

    /// <param name="actionRole">The role the pipeline runs the source action as (it trusts only the pipeline's role).</param>
    /// <param name="triggerRole">Makes the role an EventBridge rule starts the pipeline with, trusting only the rule it is given the name of.</param>
    internal abstract BoundSource Bind(Construct scope, PromotionNames names, string branch, Artifact_ output, Role actionRole,
        Func<string, IRole> triggerRole);

    private sealed class CodeCommitSource(string? repositoryName) : PromotedSource
    {
        internal override BoundSource Bind(Construct scope, PromotionNames names, string branch, Artifact_ output, Role actionRole,
            Func<string, IRole> triggerRole)
        {
            var name = repositoryName ?? names.Repository;
            var repository = new Repository(scope, "Repository", new RepositoryProps
            {
                RepositoryName = name,
                Description = $"git remote of {names.Service} for this environment; a push to {branch} starts the pipeline",
            });
            var action = new CodeCommitSourceAction(new CodeCommitSourceActionProps
            {
                ActionName = "Source",
                Repository = repository,
                Branch = branch,
                Output = output,
                Role = actionRole,
                EventRole = triggerRole(names.PushRule),
            });
            return new BoundSource(action, action.Variables.CommitId, repository, name);
        }
    }

    private sealed class ConnectionSource(string connectionArn, string owner, string repository) : PromotedSource
    {
        internal override BoundSource Bind(Construct scope, PromotionNames names, string branch, Artifact_ output, Role actionRole,
            Func<string, IRole> triggerRole)
        {
            var prefix = ConnectionPrefix(connectionArn);
            if (prefix is null || owner.Length == 0 || repository.Length == 0)
                throw new ArgumentException(
                    "the source connection needs a connection ARN (arn:aws:codestar-connections:... or arn:aws:codeconnections:...), an owner and a " +
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
            // IAM matches an action's service prefix to the resource's: a connection made since the rename to CodeConnections
            // (arn:aws:codeconnections:...) needs codeconnections:UseConnection, which the CDK 2.160 action does not grant.
            if (prefix == "codeconnections")
                actionRole.AddToPolicy(new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "UseCodeConnection",
                    Actions = ["codeconnections:UseConnection"],
                    Resources = [connectionArn],
                }));
            return new BoundSource(action, action.Variables.CommitId, null, null);
        }

        /// <summary>codestar-connections or codeconnections, from <c>arn:PARTITION:SERVICE:REGION:ACCOUNT:connection/ID</c>; null for anything else.</summary>
        private static string? ConnectionPrefix(string arn)
        {
            var parts = arn.Split(':');
            return parts.Length == 6 && parts[0] == "arn" && parts[1].StartsWith("aws", StringComparison.Ordinal)
                && parts[2] is "codestar-connections" or "codeconnections"
                && parts[5].StartsWith("connection/", StringComparison.Ordinal)
                ? parts[2]
                : null;
        }
    }
}

/// <summary>The source action, the pipeline variable holding the commit it fetched, and the repository (and its name) when one was created.</summary>
internal sealed record BoundSource(IAction Action, string CommitVariable, Repository? Repository, string? RepositoryName)
{
    /// <summary>
    /// Starts the pipeline on pushes to the deploy branch only. CodeCommit: its EventBridge rule also requires a branch
    /// (a tag named like the branch does not start it), and is named, so the role it starts the pipeline with can trust
    /// that one rule. A connection: a V2 trigger with a branch push filter.
    /// </summary>
    public void StartOnlyOnBranch(Pipeline pipeline, string branch, PromotionNames names)
    {
        if (Repository is { } repository)
        {
            foreach (var child in repository.Node.FindAll())
            {
                if (child is not Amazon.CDK.AWS.Events.CfnRule rule) continue;
                rule.AddPropertyOverride("EventPattern.detail.referenceType", new[] { "branch" });
                rule.AddPropertyOverride("Name", names.PushRule);
            }
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
                    ["Push"] = new object[]
                    {
                        new Dictionary<string, object> { ["Branches"] = new Dictionary<string, object> { ["Includes"] = new[] { branch } } },
                    },
                },
            },
        });
    }
}
