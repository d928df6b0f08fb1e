using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Install;
using GitPromote.Cli.Server;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Server;
using static GitPromote.Cli.Commands.DoctorCommand;

namespace GitPromote.Cli.Commands;

/// <summary>What <c>git promote doctor</c> says about a server repository beyond its pre-receive hook.</summary>
public static class ServerDoctor
{
    public static IEnumerable<Check> Checks(CommandContext context, Workspace workspace)
    {
        var settings = ServerSettings.Read(workspace.Repository);
        var confirm = Path.Combine(workspace.GitDir, "hooks", ServerInstall.ConfirmHookName);
        yield return ServerInstall.IsConfirmHook(confirm)
            ? new Check("server", ServerInstall.ConfirmHookName, Status.Ok, "bypass records are written exactly when git updates the ref")
            : new Check("server", ServerInstall.ConfirmHookName, Status.Fail, "not git-promote's: bypasses into this repository's records are refused",
                $"git promote install --server --env {settings.Environment ?? "<env>"}");

        yield return settings switch
        {
            { PolicyFile: { } file } => new Check("server", "policy", Status.Ok, $"the file {file} (git config {ServerPolicyTrust.PolicyKey})"),
            { PolicyRef: { } pinned } => new Check("server", "policy", Status.Ok, $".promote.yml on {pinned}, pinned at install (git config {ServerPolicyTrust.PolicyRefKey})"),
            _ => new Check("server", "policy", Status.Warn, "not pinned: read from the branch HEAD names, whatever it is at each push",
                $"pin it: git promote install --server --env {settings.Environment ?? "<env>"}"),
        };

        yield return settings.Recorders.Count > 0
            ? new Check("server", RecordWriters.ConfigKey, Status.Ok, $"green records may be pushed by: {string.Join(", ", settings.Recorders)}")
            : new Check("server", RecordWriters.ConfigKey, Status.Warn, "not set: nobody may push green records here, so nothing can be promoted from this environment",
                $"git config --add {RecordWriters.ConfigKey} <the pipeline's account, as the server names it>");

        var pusher = Pusher.Describe(context.Environment);
        yield return pusher.IsAccount
            ? new Check("server", "pusher", Status.Warn,
                $"pushers over SSH are named by the account they log in as: with a shared account ({pusher.Identity.Name}@host) every key is '{pusher.Identity.Name}' in records",
                $"name each key's owner in ~/.ssh/authorized_keys: environment=\"{Pusher.PusherVariable}=<name>\" or command=\"env {Pusher.PusherVariable}=<name> git-shell -c \\\"$SSH_ORIGINAL_COMMAND\\\"\" (docs/server.md)")
            : new Check("server", "pusher", Status.Ok, pusher.Variable is { } v ? $"named by {v} ({pusher.Identity})" : "unknown here (git daemon is anonymous)");
    }
}
