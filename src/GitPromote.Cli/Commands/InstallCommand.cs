using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Install;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Policy;
using GitPromote.Core.Settings;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote install|uninstall [--global|--system]</c>: point <c>core.hooksPath</c> at the installed shims,
/// never silently replacing a hooksPath someone else set, and put back exactly what was there on uninstall.
/// </summary>
public static class InstallCommand
{
    /// <summary>
    /// Points core.hooksPath (of this clone, the user or the machine) at git-promote's shims: the installation's hooks folder,
    /// or a shared folder given with --hooks-dir that the shims are added to. A hooksPath someone else set at that level, or
    /// one below it that ours would hide, is refused unless --force (replace it; uninstall puts it back) or --chain (keep it
    /// running after the guard, through promote.chainHooksPath).
    /// </summary>
    public static int Install(CommandContext context, CommandLine args)
    {
        if (args.Form == CommandDefinitions.InstallOnServer) return ServerInstall.Install(context, args);
        if (args.Get(Options.Force) && args.Get(Options.Chain))
            throw CommandFailedException.Usage("--force or --chain, not both", "--force replaces the hooks found; --chain keeps them running after the guard");
        var scope = Scope(args);
        var (config, where, workspace) = Open(context, scope);
        using var _ = workspace;
        var (hooksDir, shared) = Target(context, args.Get(Options.HooksDir));
        var wiring = HookWiring.Read(context, workspace?.Location, context.Environment.CurrentDirectory);
        var @out = context.Console.Out;
        if (!shared) CheckInstallation(context, hooksDir);

        var current = config.Get(HookWiring.HooksPathKey);
        if (current is not null && wiring.Resolve(current) is { } currentDir && HookWiring.SamePath(currentDir, hooksDir))
        {
            if (!shared)
            {
                @out.WriteLine($"already installed: core.hooksPath = {hooksDir} ({where})");
                WarnUnguarded(context, scope, workspace);
                return ExitCodes.Ok;
            }
            Report(context, SharedHooksFolder.AddShims(context.FileSystem, hooksDir, InstalledLayout.BinaryPath));
            @out.WriteLine($"installed: git-promote's shims are in {hooksDir}, which core.hooksPath names ({where})");
            return ExitCodes.Ok;
        }

        // Someone else's hooks this install would stop: set at this level, or at a level below that a value here hides.
        ConfigValue? found = null;
        if (current is not null)
        {
            if (!IsOurs(wiring, current)) found = new ConfigValue(HookWiring.HooksPathKey, current, ConfigValue.ScopeOf(scope), where);
        }
        else if (wiring.HooksPathsBelow(scope).LastOrDefault() is { } below)
        {
            if (!IsOurs(wiring, below.Value)) found = below;
            else if (args.Get(Options.HooksDir) is null)
            {
                @out.WriteLine($"already installed through {below.Describe()}: core.hooksPath = {below.Value}; nothing changed ({where})");
                WarnHidden(context, workspace);
                return ExitCodes.Ok;
            }
        }
        var hidesBelow = found is not null && current is null;
        if (found is not null && !args.Get(Options.Force) && !args.Get(Options.Chain))
        {
            RefuseToReplace(context, found, hidesBelow, where, ScopeArg(scope) + (args.Get(Options.HooksDir) is { } d ? $" --hooks-dir {Quote(d)}" : ""));
            return ExitCodes.UsageOrPolicy;
        }

        if (shared) Report(context, SharedHooksFolder.AddShims(context.FileSystem, hooksDir, InstalledLayout.BinaryPath));
        if (found is not null)
        {
            if (!hidesBelow) config.Set(PromoteSettings.GitKeys.PreviousHooksPath, found.Value);
            if (args.Get(Options.Chain)) config.Set(PromoteSettings.GitKeys.ChainHooksPath, found.Value);
            else config.Unset(PromoteSettings.GitKeys.ChainHooksPath);
        }
        config.Set(HookWiring.HooksPathKey, hooksDir);
        config.Set(PromoteSettings.GitKeys.InstalledHooksPath, hooksDir);
        @out.WriteLine($"installed: core.hooksPath = {hooksDir} ({where})");

        if (found is not null && args.Get(Options.Chain))
            @out.WriteLine($"  after the guard allows a push, '{found.Value}' runs its hooks too, with the same arguments and input " +
                $"({PromoteSettings.GitKeys.ChainHooksPath})");
        else if (found is not null)
            @out.WriteLine(hidesBelow
                ? $"  '{found.Value}' ({found.Describe()}) no longer runs for {where}; uninstall brings it back"
                : $"  '{found.Value}' no longer runs; uninstall puts it back");
        else if (args.Get(Options.Chain))
            @out.WriteLine("  --chain: no other hooksPath was set, so there is nothing to chain");
        if (workspace is not null)
        {
            var own = Path.Combine(workspace.Location.CommonDir, "hooks", "pre-push");
            if (found is null && !shared && HookChain.IsRunnable(context.FileSystem, own))
                @out.WriteLine("  this clone's own .git/hooks/pre-push still runs, after the guard; its other hooks keep running too");
            if (workspace.WorkTree is { } top && !context.FileSystem.FileExists(Path.Combine(top, PromotionPolicy.FileName)))
                @out.WriteLine($"  no {PromotionPolicy.FileName} here yet: pushes pass unchecked until you add one (git promote init)");
        }
        WarnUnguarded(context, scope, workspace);
        WarnHidden(context, workspace);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Compares the installation's hooks folder with the shims this binary carries and repairs it (a hook manager may have
    /// written into it: <c>lefthook install --force</c> does); says which files in it are not git-promote's.
    /// </summary>
    private static void CheckInstallation(CommandContext context, string hooksDir)
    {
        var @out = context.Console.Out;
        var state = InstalledHooksFolder.Inspect(context.FileSystem, hooksDir);
        if (!state.IsIntact)
        {
            @out.WriteLine($"repaired git-promote's hooks folder {hooksDir} ({state.Describe()}):");
            Report(context, InstalledHooksFolder.Repair(context.FileSystem, state));
            state = InstalledHooksFolder.Inspect(context.FileSystem, hooksDir);
        }
        if (state.Foreign.Count == 0) return;
        @out.WriteLine($"warning: {hooksDir} holds files that are not git-promote's: {string.Join(", ", state.Foreign)}");
        @out.WriteLine("  every clone wired to this folder runs them by their names, or none does: a hook manager wrote them here "
            + "(lefthook install --force does). git-promote's hooks already run each clone's own .git/hooks: install the tool's "
            + "hooks there (docs/rollout.md), then remove these:");
        @out.WriteLine("    rm -- " + string.Join(" ", state.Foreign.Select(f => Quote(Path.Combine(hooksDir, f)))));
    }

    /// <summary>A clone whose own core.hooksPath wins over the level just installed: git runs its hooks, not git-promote's.</summary>
    private static void WarnUnguarded(CommandContext context, ConfigScope scope, Workspace? workspace)
    {
        if (scope == ConfigScope.Local) return;
        var clone = workspace?.Location ?? Workspace.TryFind(context)?.Location;
        if (clone is null) return;
        var wiring = HookWiring.Read(context, clone);
        if (wiring.HooksPath is not { } winner || winner.Rank <= ConfigValue.ScopeRank(ConfigValue.ScopeOf(scope))) return;
        if (wiring.RunsOurShim("pre-push")) return;
        var @out = context.Console.Out;
        @out.WriteLine($"  this clone stays unguarded: its own core.hooksPath '{winner.Value}' ({winner.Describe()}) wins over the "
            + $"{ConfigValue.ScopeOf(scope)} one, so git runs those hooks and not git-promote's");
        @out.WriteLine("    here run: git promote install --chain   (or put the guard in its hook manager: docs/rollout.md)");
    }

    /// <summary>Hooks of this clone that no longer run: git-promote puts no pass-through under the names git runs for every ref.</summary>
    private static void WarnHidden(CommandContext context, Workspace? workspace)
    {
        if (workspace is null) return;
        var wiring = HookWiring.Read(context, workspace.Location);
        foreach (var (hook, path) in wiring.HiddenHooks())
            context.Console.Out.WriteLine($"  {path} does not run: git runs {hook} for every ref it updates, so git-promote's folder has no "
                + "pass-through of that name (docs/rollout.md, Which hooks run)");
    }

    /// <summary>Undoes <see cref="Install"/> at one level: only a core.hooksPath it set, putting back what was there (value and level).</summary>
    public static int Uninstall(CommandContext context, CommandLine args)
    {
        if (args.Form == CommandDefinitions.UninstallOnServer) return ServerInstall.Uninstall(context);
        var scope = Scope(args);
        var (config, where, workspace) = Open(context, scope);
        using var _ = workspace;
        var wiring = HookWiring.Read(context, workspace?.Location, context.Environment.CurrentDirectory);
        var @out = context.Console.Out;

        string? sharedDir = null;
        if (args.Get(Options.HooksDir) is { } given)
        {
            sharedDir = Path.GetFullPath(given, context.Environment.CurrentDirectory);
            if (SharedHooksFolder.HasShims(context.FileSystem, sharedDir)) Report(context, SharedHooksFolder.RemoveShims(context.FileSystem, sharedDir));
            else @out.WriteLine($"no git-promote shims were added to {sharedDir}; it is unchanged");
        }

        var current = config.Get(HookWiring.HooksPathKey);
        var installed = config.Get(PromoteSettings.GitKeys.InstalledHooksPath);
        var currentDir = current is null ? null : wiring.Resolve(current);
        var owned = current is not null && (installed is not null
            ? installed == current
            : currentDir is not null && InstalledLayout.IsOurHooksDir(context.FileSystem, currentDir)
                && !SharedHooksFolder.HasShims(context.FileSystem, currentDir));
        if (!owned)
        {
            // core.hooksPath was set again by someone else since (husky does on every npm install): theirs stays, ours goes.
            var leftovers = new[] { PromoteSettings.GitKeys.InstalledHooksPath, PromoteSettings.GitKeys.PreviousHooksPath,
                PromoteSettings.GitKeys.ChainHooksPath }.Where(k => config.Get(k) is not null).ToList();
            if (leftovers.Count > 0 && sharedDir is null && (current is null || !IsOurs(wiring, current)))
            {
                foreach (var key in leftovers) config.Unset(key);
                @out.WriteLine(current is null
                    ? $"core.hooksPath is no longer set ({where}); git-promote's settings removed: {string.Join(", ", leftovers)}"
                    : $"core.hooksPath is '{current}' ({where}), set by someone else since git-promote installed (husky does on every "
                        + $"npm install): left as it is; git-promote's settings removed: {string.Join(", ", leftovers)}");
                return ExitCodes.Ok;
            }
            if (currentDir is not null && sharedDir is null && SharedHooksFolder.HasShims(context.FileSystem, currentDir))
                @out.WriteLine($"core.hooksPath is '{current}' ({where}), a folder git-promote's shims were added to but not set by git-promote; "
                    + $"nothing changed. To take the shims out of it: git promote uninstall{ScopeArg(scope)} --hooks-dir {Quote(current!)}");
            else if (sharedDir is null || current is not null)
                @out.WriteLine(current is null
                    ? $"not installed ({where}): core.hooksPath is not set; nothing changed"
                    : $"not installed ({where}): core.hooksPath is '{current}', not set by git-promote; nothing changed");
            return ExitCodes.Ok;
        }

        var previous = config.Get(PromoteSettings.GitKeys.PreviousHooksPath);
        if (previous is not null)
        {
            config.Set(HookWiring.HooksPathKey, previous);
            @out.WriteLine($"uninstalled ({where}): core.hooksPath is '{previous}' again, as before");
        }
        else
        {
            config.Unset(HookWiring.HooksPathKey);
            @out.WriteLine($"uninstalled ({where}): core.hooksPath unset");
            if (wiring.HooksPathsBelow(scope).LastOrDefault() is { } below)
                @out.WriteLine($"  '{below.Value}' from {below.Describe()} applies again");
        }
        config.Unset(PromoteSettings.GitKeys.PreviousHooksPath);
        config.Unset(PromoteSettings.GitKeys.ChainHooksPath);
        config.Unset(PromoteSettings.GitKeys.InstalledHooksPath);
        return ExitCodes.Ok;
    }

    /// <summary>The folder core.hooksPath will name, and whether it is a shared folder that gets the shims (not an installation's own).</summary>
    private static (string Dir, bool Shared) Target(CommandContext context, string? hooksDirOption)
    {
        if (hooksDirOption is null) return (InstalledLayout.RequireHooksDir(context.FileSystem, null), false);
        var dir = Path.GetFullPath(hooksDirOption, context.Environment.CurrentDirectory);
        if (context.FileSystem.FileExists(dir)) throw CommandFailedException.Usage($"--hooks-dir {dir} is a file, not a folder");
        return InstalledLayout.IsOurHooksDir(context.FileSystem, dir) && !SharedHooksFolder.HasShims(context.FileSystem, dir) ? (dir, false) : (dir, true);
    }

    private static bool IsOurs(HookWiring wiring, string hooksPath) => wiring.NamesOurHooksDir(hooksPath);

    private static void RefuseToReplace(CommandContext context, ConfigValue found, bool hidesBelow, string where, string args)
    {
        var err = context.Console.Error;
        if (hidesBelow)
        {
            err.WriteLine($"git-promote: core.hooksPath is set to '{found.Value}' in {found.Describe()}, by someone else;");
            err.WriteLine($"  installing in {where} would hide those hooks there.");
        }
        else
        {
            err.WriteLine($"git-promote: core.hooksPath is already set to '{found.Value}' ({where}), by someone else.");
            err.WriteLine("  git-promote will not replace it silently: those hooks would stop running.");
        }
        err.WriteLine($"  to keep them, run after the guard with the same arguments and input: git promote install{args} --chain");
        err.WriteLine($"  to use git-promote's hooks instead (uninstall puts '{found.Value}' back): git promote install{args} --force");
    }

    private static void Report(CommandContext context, IReadOnlyList<string> done)
    {
        foreach (var line in done) context.Console.Out.WriteLine("  " + line);
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '~' or ':' or '\\') ? value : "'"
            + value.Replace("'", "'\\''") + "'";

    private static ConfigScope Scope(CommandLine args) =>
        args.Get(Options.Global) && args.Get(Options.System) ? throw CommandFailedException.Usage("--global or --system, not both")
        : args.Get(Options.Global) ? ConfigScope.Global
        : args.Get(Options.System) ? ConfigScope.System
        : ConfigScope.Local;

    private static string ScopeArg(ConfigScope scope) => scope switch
    {
        ConfigScope.Global => " --global",
        ConfigScope.System => " --system",
        _ => "",
    };

    private static (IGitConfigWriter Config, string Where, Workspace? Workspace) Open(CommandContext context, ConfigScope scope)
    {
        if (scope != ConfigScope.Local)
            return (context.Git.ConfigAt(context.Environment.CurrentDirectory, scope), scope == ConfigScope.Global ? "global config" : "system config", null);
        var workspace = Workspace.Find(context);
        return (context.Git.ConfigAt(workspace.WorkTree ?? workspace.GitDir, scope), "this clone", workspace);
    }
}
