using GitPromote.Aws.Access;
using GitPromote.Aws.Ssm;
using GitPromote.Cli.Infrastructure;
using GitPromote.Core;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Settings;
using GitPromote.Platform;

namespace GitPromote.Cli.Workspaces;

/// <summary>
/// The policy a pipeline step trusts: <c>--policy FILE|ssm:NAME</c>, else <c>PROMOTE_POLICY</c> (same syntax). Never the
/// <c>.promote.yml</c> of the commit being deployed, which could loosen its own gate.
/// </summary>
public static class PinnedPolicy
{
    /// <summary>The service name a pinned policy without <c>name:</c> would get outside a clone; refused, since it decides every evidence path.</summary>
    private const string Unnamed = "git-promote-unnamed-pinned-policy";

    public const string HowToPin =
        "pin one: --policy ssm:/promote/<name>/policy (written by: git promote policy publish <env>), or --policy <a file the pipeline owns>, or "
            + PromoteSettings.Variables.Policy + "=<either>";

    /// <summary>Where the pinned policy is, from the flag or the variable; null when neither says.</summary>
    public static string? Location(string? flag, IProcessEnvironment environment) =>
        flag is { } given ? given : environment.Get(PromoteSettings.Variables.Policy) is { Length: > 0 } v ? v : null;

    /// <summary>
    /// Loads the pinned policy. <paramref name="defaultName"/> is the repository folder in a clone; outside one the policy
    /// must say <c>name:</c>. Missing, unreadable or invalid: exit 2, with what to do.
    /// </summary>
    public static async Task<LoadedPolicy> LoadAsync(CommandContext context, string location, string? defaultName)
    {
        string text;
        string display;
        if (location.StartsWith("ssm:", StringComparison.Ordinal))
        {
            var name = location["ssm:".Length..].Trim();
            if (name.Length == 0) throw CommandFailedException.Usage("--policy ssm: needs a parameter name", "e.g. --policy ssm:/promote/<name>/policy");
            // SSM takes "promote/x" and "/promote/x" as two parameters; publish writes the path form only.
            if (!name.StartsWith('/'))
                throw CommandFailedException.Usage($"--policy ssm:{Quoting.Show(name)}: the parameter's name must start with '/'",
                    $"e.g. --policy ssm:/{Quoting.Show(name)} (where git promote policy publish writes)");
            display = "ssm:" + name;
            text = await FromSsmAsync(context, name);
        }
        else
        {
            display = location;
            text = FromFile(context.FileSystem, Path.GetFullPath(location, context.Environment.CurrentDirectory), location);
        }
        return defaultName is null ? Named(text, display) : PolicySource.FromText(text, display, defaultName);
    }

    /// <summary>Validates a policy that must carry its own <c>name:</c> (pinned outside a clone, or about to be published).</summary>
    public static LoadedPolicy Named(string text, string display, string? suggestedName = null)
    {
        var loaded = PolicySource.FromText(text, display, Unnamed);
        if (loaded.Policy.Name == Unnamed)
            throw CommandFailedException.Usage($"the policy {Quoting.Show(display)} has no 'name:'",
                $"add `name: {suggestedName ?? "<service>"}` to it: the name is part of every evidence path, and a pipeline's folder name says nothing");
        return loaded;
    }

    /// <summary>Only a regular file of at most the policy limit is read (a FIFO or a link to /dev/zero would hang or grow).</summary>
    private static string FromFile(IFileSystem files, string path, string shown)
    {
        try
        {
            return files.ReadRegularFile(path, Quoting.Show(shown), PolicyLoader.MaxBytes)
                ?? throw CommandFailedException.Usage($"the pinned policy {Quoting.Show(shown)} does not exist", HowToPin);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CommandFailedException.Usage($"the pinned policy {Quoting.Show(shown)} cannot be read ({e.Message})");
        }
    }

    /// <summary>
    /// The parameter, read with the default credential chain and region (the pipeline's own role, in its own account).
    /// Missing: exit 2. Unreachable: exit 1, the gate refuses (fail closed) and says why.
    /// </summary>
    private static async Task<string> FromSsmAsync(CommandContext context, string name)
    {
        var access = context.Evidence.StepAccount("this step's account", PromotionPolicy.DefaultTimeout);
        try
        {
            return await SsmPolicyParameter.ReadAsync(access, name, CancellationToken.None)
                ?? throw CommandFailedException.Usage($"no SSM parameter {Quoting.Show(name)} in this account ({access.Describe()})",
                    $"publish the reviewed policy: git promote policy publish <env> --parameter {name}");
        }
        catch (EvidenceUnavailableException e)
        {
            throw CommandFailedException.Because(ExitCodes.Blocked, $"could not read the pinned policy ssm:{Quoting.Show(name)}, so nothing is admitted",
                e.Failure);
        }
    }
}
