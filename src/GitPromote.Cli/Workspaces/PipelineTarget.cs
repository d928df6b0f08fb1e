using GitPromote.Cli.Infrastructure;
using GitPromote.Core.PipelineGate;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Core.Settings;
using GitPromote.Git;

namespace GitPromote.Cli.Workspaces;

/// <summary>
/// What a pipeline step (the gate, <c>record</c>) acts on: the environment, the commit (<c>--commit</c>, the CI's variable,
/// else HEAD of the clone it runs in), the pinned policy with per-environment roles and remotes applied, and a workspace:
/// the clone, or an empty scratch repository when the source came without <c>.git</c>. The caller disposes the workspace.
/// </summary>
public sealed record PipelineTarget(Workspace Workspace, PromotionPolicy Policy, string PolicyShown, EnvironmentPolicy Environment, string Commit,
    string CommitFrom)
{
    /// <param name="pinnedOnly">True for the gate: without a pinned policy it refuses (exit 2) rather than read the work tree's.</param>
    /// <param name="rev">A revision named on the command line (record's <c>[&lt;rev&gt;]</c>); needs a clone.</param>
    public static async Task<PipelineTarget> ResolveAsync(CommandContext context, CommandLine args, bool pinnedOnly, string? rev = null)
    {
        var envName = args.Positionals[0];
        var clone = Workspace.TryFind(context);
        var workspace = clone ?? Workspace.Scratch(context);
        try
        {
            var (commit, from) = ResolveCommit(context, args, clone, rev);
            if (pinnedOnly) RequireCheckoutOf(commit, from, clone);

            LoadedPolicy loaded;
            if (PinnedPolicy.Location(args.Get(Options.Policy), context.Environment) is { } location)
                loaded = await PinnedPolicy.LoadAsync(context, location, clone is null ? null : PolicySource.DefaultName(clone.WorkTree ?? clone.GitDir));
            else if (!pinnedOnly && clone is not null)
                loaded = clone.RequirePolicy();
            else
                throw CommandFailedException.Usage(
                    pinnedOnly
                        ? $"no pinned policy: the gate never trusts the {PromotionPolicy.FileName} of the commit it gates (it could loosen its own gate)"
                        : "no policy: there is no clone here, so there is no .promote.yml to read",
                    PinnedPolicy.HowToPin);

            var policy = loaded.Policy;
            PolicySource.RequireEnvironment(policy, envName);
            try
            {
                var roles = PipelineInputs.PerEnvironment(Options.Role.Name, args.Get(Options.Role), PromoteSettings.Variables.AwsRolePrefix, policy,
                    context.Environment);
                var remotes = PipelineInputs.PerEnvironment(Options.Remote.Name, args.Get(Options.Remote), PromoteSettings.Variables.RemotePrefix, policy,
                    context.Environment);
                policy = PipelineInputs.WithRoles(policy, roles.ToDictionary(r => r.Key, r => r.Value.Value));
                workspace.EnvironmentRemotes = remotes.ToDictionary(p => p.Key,
                    p => new GivenRemote(LocalPathsAbsolute(p.Value.Value, workspace, context), p.Value.From));
            }
            catch (FormatException e)
            {
                throw CommandFailedException.Usage(e.Message, $"usage: {args.Usage}");
            }
            return new PipelineTarget(workspace, policy, loaded.DisplayPath, policy.FindEnvironment(envName)!, commit, from);
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }

    private static (string Commit, string From) ResolveCommit(CommandContext context, CommandLine args, Workspace? clone, string? rev)
    {
        if (rev is not null)
        {
            if (args.Get(Options.Commit) is not null) throw CommandFailedException.Usage("give the commit once: as <rev> or as --commit");
            if (clone is null)
                return (PipelineInputs.FullId(rev) ?? throw NotFull(rev, "<rev>"), "<rev>");
            return (clone.Repository.ResolveCommit(rev) ?? throw CommandFailedException.Usage($"'{Quoting.Show(rev)}' is not a commit in this repository"),
                rev);
        }
        if (PipelineInputs.CommitFrom(args.Get(Options.Commit), context.Environment) is { } source)
        {
            // A full id is taken as it is: a shallow clone may not have the object, and the evidence is about the id.
            if (PipelineInputs.FullId(source.Value) is { } full) return (full, source.From);
            if (clone is null) throw NotFull(source.Value, source.From);
            return (clone.Repository.ResolveCommit(source.Value)
                ?? throw CommandFailedException.Usage($"{source.From} '{Quoting.Show(source.Value)}' is not a commit in this repository"), source.From);
        }
        if (clone is null)
            throw CommandFailedException.Usage("which commit? there is no clone here and no CI variable names one",
                $"pass --commit <full sha>, or set one of {string.Join(", ", PipelineInputs.CommitVariables)}");
        return (clone.Repository.ResolveCommit("HEAD") ?? throw CommandFailedException.Usage("HEAD is not a commit in this repository", "pass --commit <sha>"),
            "HEAD");
    }

    /// <summary>
    /// The gate in a checkout: what gets deployed is the tree checked out here, so a commit named by a flag or CI variable
    /// must be HEAD. Otherwise a green commit's id would admit another, untested tree.
    /// </summary>
    private static void RequireCheckoutOf(string commit, string from, Workspace? clone)
    {
        if (clone?.WorkTree is null || from == "HEAD") return;
        var head = clone.Repository.ResolveCommit("HEAD");
        if (head is null || string.Equals(head, commit, StringComparison.OrdinalIgnoreCase)) return;
        throw new CommandFailedException(ExitCodes.Blocked,
            $"{from} names {ObjectIds.Short(commit)}, but the checkout here is {ObjectIds.Short(head)}: the tree that gets deployed is HEAD's, so the gate " +
                "refuses to judge another commit",
            $"check out {ObjectIds.Short(commit)} before the gate (actions/checkout and GitLab's clone do), or run the gate where there is no checkout with " +
                "--commit");
    }

    private static CommandFailedException NotFull(string value, string from) => CommandFailedException.Usage(
        $"{from} '{Quoting.Show(value)}' is not a full commit id, and without a clone there is nothing to expand it with",
        "pass the full 40- or 64-hex id (e.g. $CODEBUILD_RESOLVED_SOURCE_VERSION, $GITHUB_SHA)");

    /// <summary>
    /// A remote given as a path relative to where the step runs: git would read it relative to the scratch repository.
    /// The name of a remote of the clone (<c>--remote stg=origin</c>) stays a name.
    /// </summary>
    private static string LocalPathsAbsolute(string url, Workspace workspace, CommandContext context)
    {
        if (url.Contains("://", StringComparison.Ordinal) || url.Contains(':', StringComparison.Ordinal)) return url;
        if (!workspace.IsScratch && workspace.Remotes.Any(r => r.Name == url)) return url;
        var full = Path.GetFullPath(url, context.Environment.CurrentDirectory);
        return context.FileSystem.DirectoryExists(full) ? full : url;
    }
}
