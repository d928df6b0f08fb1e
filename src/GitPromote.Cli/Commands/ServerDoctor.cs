using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Install;
using GitPromote.Cli.Server;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Server;
using GitPromote.Core.Settings;
using GitPromote.Git;
using static GitPromote.Cli.Commands.DoctorCommand;

namespace GitPromote.Cli.Commands;

/// <summary>What <c>git promote doctor</c> says about a server repository beyond its pre-receive hook.</summary>
public static class ServerDoctor
{
    public static IEnumerable<Check> Checks(CommandContext context, Workspace workspace)
    {
        var settings = ServerSettings.Read(workspace.Repository);
        var confirm = Path.Combine(workspace.GitDir, "hooks", ServerInstall.ConfirmHookName);
        yield return ServerInstall.IsConfirmHook(context.FileSystem, confirm)
            ? new Check("server", ServerInstall.ConfirmHookName, Status.Ok, "bypass records are written exactly when git updates the ref")
            : new Check("server", ServerInstall.ConfirmHookName, Status.Fail, "not git-promote's: bypasses into this repository's records are refused",
                $"git promote install --server --env {settings.Environment ?? "<env>"}");

        yield return settings switch
        {
            { PolicyFile: { } file } => new Check("server", "policy", Status.Ok, $"the file {file} (git config {PromoteSettings.GitKeys.Policy})"),
            { PolicyRef: { } pinned } => new Check("server", "policy", Status.Ok,
                $".promote.yml on {pinned}, pinned at install (git config {PromoteSettings.GitKeys.PolicyRef})"),
            _ => new Check("server", "policy", Status.Warn, "not pinned: read from the branch HEAD names, whatever it is at each push",
                $"pin it: git promote install --server --env {settings.Environment ?? "<env>"}"),
        };

        yield return settings.Recorders.Count > 0
            ? new Check("server", PromoteSettings.GitKeys.Recorders, Status.Ok,
                $"green records may be pushed by: {string.Join(", ", settings.Recorders)}")
            : new Check("server", PromoteSettings.GitKeys.Recorders, Status.Warn,
            "not set: nobody may push green records here, so nothing can be promoted from this environment",
                $"git config --add {PromoteSettings.GitKeys.Recorders} <the pipeline's account, as the server names it>");

        yield return workspace.Repository.ListRefs([RecordRefs.GuardMarker]).Any(r => r.Name == RecordRefs.GuardMarker)
            ? new Check("server", "advertised", Status.Ok, $"{RecordRefs.GuardMarker}: clones' doctor sees that this server runs the guard")
            : new Check("server", "advertised", Status.Warn, $"no {RecordRefs.GuardMarker}: clones' doctor will say this server runs no guard",
                $"git promote install --server --env {settings.Environment ?? "<env>"}");

        if (PreviousRecordsCheck(context, workspace, settings) is { } previous) yield return previous;

        var pusher = Pusher.Describe(context.Environment);
        yield return pusher.IsAccount
            ? new Check("server", "pusher", Status.Warn,
                $"pushers over SSH are named by the account they log in as: with a shared account ({pusher.Identity.Name}@host) every key is " +
                    $"'{pusher.Identity.Name}' in records",
                $"name each key's owner in ~/.ssh/authorized_keys: environment=\"{PromoteSettings.Variables.Pusher}=<name>\" or command=\"env " +
                    $"{PromoteSettings.Variables.Pusher}=<name> git-shell -c \\\"$SSH_ORIGINAL_COMMAND\\\"\" (docs/server.md)")
            : new Check("server", "pusher", Status.Ok, pusher.Variable is { } v ? $"named by {v} ({pusher.Identity})"
            : "unknown here (git daemon is anonymous)");
    }

    /// <summary>
    /// The previous environment's git records admit commits here, so they are only as strong as that repository's guard.
    /// A repository on this machine (a path or file:// URL) is looked at; any other URL is named with what to check there.
    /// </summary>
    private static Check? PreviousRecordsCheck(CommandContext context, Workspace workspace, ServerSettings settings)
    {
        if (settings.Environment is not { } envName) return null;
        var policy = ServerPolicySource.Load(context.FileSystem, workspace.Repository, settings, PolicySource.DefaultName(workspace.GitDir)).Loaded?.Policy;
        if (policy?.FindEnvironment(envName) is not { } target || policy.PreviousOf(target) is not { } previous) return null;
        if (!previous.Evidence.Any(e => e is GitEvidence)) return null;
        var name = $"records of {previous.Name}";
        var key = PromoteSettings.GitKeys.RemoteFor(previous.Name);
        if (workspace.Repository.ConfigValue(key)?.Trim() is not { Length: > 0 } url) return null;
        var path = url.StartsWith("file://", StringComparison.Ordinal) ? url["file://".Length..] : Path.IsPathRooted(url) ? url : null;
        var install = $"in that repository: git promote install --server --env {previous.Name}, and git config --add " +
            $"{PromoteSettings.GitKeys.Recorders} <its pipeline's account>";
        if (path is null)
            return new Check("server", name, Status.Ok,
                $"read from {RemoteUrls.Redact(url)} (git config {key}); they admit commits here, so that repository must be guarded too",
                install);
        var guarded = Shims.IsShim(context.FileSystem, Path.Combine(path, "hooks", ServerInstall.HookName)) == true
            && string.Equals(GitConfig.FromFile(context.FileSystem, Path.Combine(path, "config")).Get(PromoteSettings.GitKeys.Environment)?.Trim(),
                previous.Name, StringComparison.Ordinal);
        return guarded
            ? new Check("server", name, Status.Ok, $"{path} is guarded as {previous.Name}: only its recorders write the records that admit commits here")
            : new Check("server", name, Status.Warn,
                $"{path} (git config {key}) is not guarded as {previous.Name}: any pusher there can write the green records that admit commits here",
                install);
    }
}
