using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Server;
using GitPromote.Cli.Services;
using GitPromote.Core.Policy;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote install|uninstall [--global|--system]</c>: point <c>core.hooksPath</c> at the installed shims,
/// never silently replacing a hooksPath someone else set, and put back exactly what was there on uninstall.
/// </summary>
public static class InstallCommand
{
    public const string InstallUsage = "git promote install [--global|--system] [--force] [--hooks-dir DIR]\n       " + ServerInstall.InstallUsage;
    public const string UninstallUsage = "git promote uninstall [--global|--system]\n       " + ServerInstall.UninstallUsage;
    private const string PreviousKey = "promote.previousHooksPath";

    public static int Install(CommandContext context, IReadOnlyList<string> args)
    {
        if (args.Contains("--server")) return ServerInstall.Install(context, args.Where(x => x != "--server").ToList());
        var a = ArgumentReader.Parse(args, ["--global", "--system", "--force"], ["--hooks-dir"]).ExpectAtMost(0, InstallUsage);
        var scope = Scope(a);
        var hooksDir = InstalledLayout.RequireHooksDir(a.Value("--hooks-dir"));
        var (config, where, workspace) = Open(context, scope);
        using var _ = workspace;

        var current = config.Get("core.hooksPath");
        if (current is not null && SamePath(current, hooksDir))
        {
            context.Console.Out.WriteLine($"already installed: core.hooksPath = {hooksDir} ({where})");
            return ExitCodes.Ok;
        }
        if (current is not null && !InstalledLayout.IsOurHooksDir(Expand(current, context)))
        {
            if (!a.Has("--force"))
            {
                context.Console.Error.WriteLine($"git-promote: core.hooksPath is already set to '{current}' ({where}), by someone else.");
                context.Console.Error.WriteLine("  git-promote will not replace it silently: those hooks would stop running.");
                context.Console.Error.WriteLine($"  to use git-promote's hooks instead (uninstall puts '{current}' back): git promote install{ScopeArg(scope)} --force");
                return ExitCodes.UsageOrPolicy;
            }
            config.Set(PreviousKey, current);
        }
        config.Set("core.hooksPath", hooksDir);
        context.Console.Out.WriteLine($"installed: core.hooksPath = {hooksDir} ({where})");

        if (workspace is not null)
        {
            if (File.Exists(Path.Combine(workspace.GitDir, "hooks", "pre-push")))
                context.Console.Out.WriteLine("  this clone's own .git/hooks/pre-push still runs, after the guard");
            if (workspace.WorkTree is { } top && !File.Exists(Path.Combine(top, PromotionPolicy.FileName)))
                context.Console.Out.WriteLine($"  no {PromotionPolicy.FileName} here yet: pushes pass unchecked until you add one (git promote init)");
        }
        return ExitCodes.Ok;
    }

    public static int Uninstall(CommandContext context, IReadOnlyList<string> args)
    {
        if (args.Contains("--server")) return ServerInstall.Uninstall(context, args.Where(x => x != "--server").ToList());
        var a = ArgumentReader.Parse(args, ["--global", "--system"], []).ExpectAtMost(0, UninstallUsage);
        var scope = Scope(a);
        var (config, where, workspace) = Open(context, scope);
        using var _ = workspace;

        var current = config.Get("core.hooksPath");
        if (current is null || !InstalledLayout.IsOurHooksDir(Expand(current, context)))
        {
            context.Console.Out.WriteLine(current is null
                ? $"not installed ({where}): core.hooksPath is not set; nothing changed"
                : $"not installed ({where}): core.hooksPath is '{current}', not git-promote's; nothing changed");
            return ExitCodes.Ok;
        }
        var previous = config.Get(PreviousKey);
        if (previous is not null)
        {
            config.Set("core.hooksPath", previous);
            config.Unset(PreviousKey);
            context.Console.Out.WriteLine($"uninstalled ({where}): core.hooksPath is '{previous}' again, as before");
        }
        else
        {
            config.Unset("core.hooksPath");
            context.Console.Out.WriteLine($"uninstalled ({where}): core.hooksPath unset");
        }
        return ExitCodes.Ok;
    }

    private static ConfigScope Scope(ArgumentReader a) =>
        a.Has("--global") && a.Has("--system") ? throw CommandFailedException.Usage("--global or --system, not both")
        : a.Has("--global") ? ConfigScope.Global
        : a.Has("--system") ? ConfigScope.System
        : ConfigScope.Local;

    private static string ScopeArg(ConfigScope scope) => scope switch
    {
        ConfigScope.Global => " --global",
        ConfigScope.System => " --system",
        _ => "",
    };

    private static (GitConfigEditor Config, string Where, Workspace? Workspace) Open(CommandContext context, ConfigScope scope)
    {
        if (scope != ConfigScope.Local)
            return (new GitConfigEditor(context.Environment.CurrentDirectory, scope), scope == ConfigScope.Global ? "global config" : "system config", null);
        var workspace = Workspace.Find(context);
        return (new GitConfigEditor(workspace.WorkTree ?? workspace.GitDir, scope), "this clone", workspace);
    }

    private static string Expand(string path, CommandContext context) =>
        path.StartsWith("~/", StringComparison.Ordinal) && context.Environment.Get("HOME") is { } home ? Path.Combine(home, path[2..]) : path;

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b),
            OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
