using Amazon.SimpleSystemsManagement;
using GitPromote.Aws.Ssm;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote policy publish &lt;env&gt;</c>: validates the reviewed policy and writes it to SSM in that environment's
/// account, where its pipeline's gate reads it (<c>--policy ssm:NAME</c>) instead of the gated commit's own file.
/// </summary>
public static class PolicyCommand
{
    /// <summary>Its one form, <c>policy publish &lt;env&gt;</c>: the parser chose it and checked its arguments.</summary>
    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        var envName = args.Positionals[0];

        var clone = Workspace.TryFind(context);
        using var _ = clone;
        var file = args.Get(Options.File) is { } given
            ? Path.GetFullPath(given, context.Environment.CurrentDirectory)
            : Path.Combine(clone?.WorkTree ?? context.Environment.CurrentDirectory, PromotionPolicy.FileName);
        var shown = args.Get(Options.File) ?? PromotionPolicy.FileName;
        // As every other policy read: a regular file of bounded size (a link is not followed, a FIFO is not opened).
        string text;
        try
        {
            text = context.FileSystem.ReadRegularFile(file, Quoting.Show(shown), PolicyLoader.MaxBytes)
                ?? throw CommandFailedException.Usage($"{Quoting.Show(shown)} does not exist", "pass the reviewed policy with --file <path>");
        }
        catch (Platform.FileRefusedException e)
        {
            throw CommandFailedException.Usage($"{e.Message}: nothing was published",
                "publish the reviewed policy as a plain file (not a link, FIFO or device)");
        }
        var policy = PinnedPolicy.Named(text, shown, clone is null ? null : PolicySource.DefaultName(clone.WorkTree ?? clone.GitDir)).Policy;
        var env = PolicySource.RequireEnvironment(policy, envName);
        var parameter = args.Get(Options.Parameter) ?? SsmPolicyParameter.DefaultName(policy.Name);
        if (!parameter.StartsWith('/') || parameter.Length > 1011 || parameter.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '.' or '-')))
            throw CommandFailedException.Usage($"'{Quoting.Show(parameter)}' is not an SSM parameter name",
                "use a path of letters, digits, '_', '.', '-' and '/', e.g. /promote/<name>/policy");
        if (SsmLayout.IsRecordPath(parameter, policy.Name, policy.Environments.Select(e => e.Name)))
            throw CommandFailedException.Usage($"'{Quoting.Show(parameter, 1011)}' is where an environment keeps its records: the policy written there would " +
                "be read as one (a green record, a bypass)",
                $"publish to a name outside /promote/<name>/<env>/, e.g. {SsmPolicyParameter.DefaultName(policy.Name)} (the default)");

        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        if (SsmParameterTiers.TierFor(text) is null)
            throw CommandFailedException.Usage(
                $"{Quoting.Show(shown)} is {bytes} bytes, more than an SSM parameter holds ({SsmParameterTiers.AdvancedLimit} bytes, advanced tier)",
                "shorten it: drop comments, or move long freeze windows into fewer entries");

        // Into the environment's account: with the access the clone's own policy gives it (the profile people use), not
        // whatever the published file says (a pipeline's copy may name no profile and reach the default account).
        var (accessPolicy, accessEnv, accessFrom) = clone?.LoadPolicy()?.Policy is { } committed && committed.FindEnvironment(env.Name) is { Aws: not null } own
            ? (committed, own, $"{env.Name}'s access in {PromotionPolicy.FileName}")
            : (policy, env, $"{env.Name}'s access in {Quoting.Show(shown)}");
        var provider = context.Evidence.Aws(accessPolicy);
        var access = provider.AccessFor(accessEnv);
        try
        {
            using var deadline = new CancellationTokenSource(policy.Timeout * 3);
            var me = await provider.GetCallerIdentityAsync(accessEnv, deadline.Token);
            var tier = await SsmPolicyParameter.WriteAsync(access, parameter, text, CancellationToken.None);
            context.Console.Out.WriteLine($"published: {shown} ({bytes} bytes, valid) to ssm:{parameter}");
            context.Console.Out.WriteLine(
                $"  in account {me.Account}, region {access.Region}, as {Quoting.OneLine(me.Arn)} ({access.AccessDescription}; {accessFrom})");
            if (tier == ParameterTier.Advanced)
                context.Console.Out.WriteLine(
                    $"  in the Advanced tier: it is over the Standard tier's {SsmParameterTiers.StandardLimit} bytes (Advanced parameters are charged)");
            context.Console.Out.WriteLine(policy.PreviousOf(env) is null
                ? $"  {env.Name}'s pipeline reads it when it records: git promote record {env.Name} --policy ssm:{parameter} ({env.Name} is the first " +
                    "environment: it has no gate)"
                : $"  {env.Name}'s pipeline reads it with: git promote gate {env.Name} --policy ssm:{parameter}");
            return ExitCodes.Ok;
        }
        catch (EvidenceUnavailableException e)
        {
            return FailureMessage.Print(context.Console, ExitCodes.Blocked, $"could not publish the policy to ssm:{parameter}", e.Failure);
        }
    }
}
