using GitPromote.Cli.Infrastructure;
using GitPromote.Core.Policy;

namespace GitPromote.Cli.Workspaces;

/// <summary>
/// The <c>&lt;env&gt; [&lt;rev&gt;]</c> that check, record, approve and revoke start with: the repository, its policy, the
/// environment named, and the commit the revision peels to (HEAD when none is given). The caller disposes the workspace.
/// </summary>
public sealed record CommitTarget(Workspace Workspace, PromotionPolicy Policy, EnvironmentPolicy Environment, string Rev, string Commit)
{
    public static CommitTarget Resolve(CommandContext context, CommandLine args, string? notACommitHint = null)
    {
        var envName = args.Positionals[0];
        var workspace = Workspace.Find(context);
        try
        {
            var policy = workspace.RequirePolicy().Policy;
            var env = PolicySource.RequireEnvironment(policy, envName);
            var rev = args.Positional(1) ?? "HEAD";
            var commit = workspace.Repository.ResolveCommit(rev)
                ?? throw CommandFailedException.Usage($"'{rev}' is not a commit in this repository", notACommitHint);
            return new CommitTarget(workspace, policy, env, rev, commit);
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }
}
