using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Install;
using GitPromote.Cli.Output;
using GitPromote.Core.Settings;
using GitPromote.Platform;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote demo [DIR]</c>: three bare repositories (dev, stg, prd) and a wired clone, then the whole flow
/// with real pushes through the installed hook. Each step says what it expects and whether that happened.
/// The playground is left for the user to try things in.
/// </summary>
public static class DemoCommand
{
    /// <summary>One step; <paramref name="Reason"/> is what its output must say, so a step that ends as expected for another reason fails.</summary>
    private sealed record Step(string Title, string Display, string[] Argv, bool ExpectSuccess, string Reason, Dictionary<string, string>? Env = null);

    public static int Run(CommandContext context, CommandLine args)
    {
        var hooksDir = InstalledLayout.RequireHooksDir(context.FileSystem, null);
        var root = Path.GetFullPath(args.Positional(0)
            ?? Path.Combine(Path.GetTempPath(), $"git-promote-demo-{context.Clock.Now:yyyyMMdd-HHmmss}"));
        if (context.FileSystem.HasEntries(root))
            throw CommandFailedException.Usage($"{root} is not empty", "give the demo an empty or new folder");

        var style = new Style(context.Console.ColorOnOut);
        var o = context.Console.Out;
        var app = Path.Combine(root, "app");
        UserFiles.CreateFolder(context.FileSystem, root, "give the demo an empty or new folder you may write to");
        foreach (var env in new[] { "dev", "stg", "prd" })
            Git(context.Processes, root, "init", "--quiet", "--bare", "--initial-branch=main", Path.Combine(root, env + ".git"));
        Git(context.Processes, root, "init", "--quiet", "--initial-branch=main", app);
        Git(context.Processes, app, "config", "user.name", "Dana Developer");
        Git(context.Processes, app, "config", "user.email", "dana@example.com");
        foreach (var env in new[] { "dev", "stg", "prd" })
            Git(context.Processes, app, "remote", "add", env, Path.Combine(root, env + ".git"));
        context.FileSystem.WriteAllText(Path.Combine(app, ".promote.yml"), Policy);
        context.FileSystem.WriteAllText(Path.Combine(app, "app.txt"), "v1\n");
        Git(context.Processes, app, "add", ".");
        Git(context.Processes, app, "commit", "--quiet", "-m", "v1: first release");
        var v1 = Git(context.Processes, app, "rev-parse", "HEAD").Trim();
        Git(context.Processes, app, "config", "core.hooksPath", hooksDir);

        o.WriteLine(style.Bold($"git-promote demo in {root}"));
        o.WriteLine("  dev.git stg.git prd.git  one bare repository per environment (each would trigger its own pipeline)");
        o.WriteLine("  app/                     a clone with remotes dev, stg, prd, a .promote.yml, and the guard wired (core.hooksPath)");
        o.WriteLine();

        var self = InstalledLayout.BinaryPath;
        var short1 = v1[..7];
        var steps = new List<Step>
        {
            new("Develop: push to dev (the first environment has no gate)", "git push dev main", ["git", "push", "dev", "main"], true, "main -> main"),
            new("Cut to staging before dev's pipeline said the commit is green", "git push stg main", ["git", "push", "stg", "main"], false,
                "is not green in dev"),
            new("dev's pipeline finished green and records it", "git promote record dev main", [self, "record", "dev", "main"], true, "is green in dev"),
            new("Cut to staging again: now it goes", "git push stg main", ["git", "push", "stg", "main"], true, "ok stg/main <- "),
            new("Promote to production before staging is green", "git push prd main", ["git", "push", "prd", "main"], false, "is not green in stg"),
            new("stg's pipeline records green", "git promote record stg main", [self, "record", "stg", "main"], true, "is green in stg"),
            new("Promote to production", "git push prd main", ["git", "push", "prd", "main"], true, "ok prd/main <- "),
            new("prd's pipeline records green too", "git promote record prd main", [self, "record", "prd", "main"], true, "(forward)"),
            new("A second release goes all the way", "commit v2; push dev, record, stg, record, prd, record",
                ["sh", "-c", "echo v2 > app.txt && git commit -qam 'v2: new checkout' && git push -q dev main && \"$0\" record dev main && git push -q stg " +
                    "main && \"$0\" record stg main && git push -q prd main && \"$0\" record prd main", self], true, "ok prd/main <- "),
            new("Roll production back: the deployment before the current one (v1, green in prd before)", "git promote rollback prd",
                [self, "rollback", "prd"], true, "rollback prd/main <- " + short1),
            new("prd's pipeline deploys v1 again and records it: a rollback", $"git promote record prd {short1}", [self, "record", "prd", v1], true,
                "(rollback)"),
            new("An untested hotfix straight to production is refused", "git push prd HEAD:main",
                ["sh", "-c", "echo hotfix > app.txt && git commit -qam 'hotfix: untested' && git push prd HEAD:main"], false, "is not green in stg"),
            new("A bypass without a proper justification is refused", $"{PromoteSettings.Variables.Bypass}=\"urgent\" git push prd HEAD:main",
                ["git", "push", "prd", "HEAD:main"], false, "the bypass justification does not match", new() { [PromoteSettings.Variables.Bypass] = "urgent" }),
            new("An emergency bypass with a justification goes, and is recorded",
                $"{PromoteSettings.Variables.Bypass}=\"INC-12: db failover, approved by on-call\" git push prd HEAD:main", ["git", "push", "prd", "HEAD:main"],
                    true, "BYPASS prd/main <- ", new() { [PromoteSettings.Variables.Bypass] = "INC-12: db failover, approved by on-call" }),
            new("prd's pipeline records the bypassed hotfix", "git promote record prd main", [self, "record", "prd", "main"], true, "(bypass)"),
            new("Auditors see every bypass", "git promote audit prd", [self, "audit", "prd"], true, "INC-12: db failover, approved by on-call"),
            new("Deleting production's deploy branch is refused", "git push prd :main", ["git", "push", "prd", ":main"], false, "deleting the deploy branch"),
            new("Where everything stands", "git promote status", [self, "status"], true, "demo-service: dev -> stg -> prd"),
            new("The path so far: every deployment, and the DORA figures for prd", "git promote history --since 1h", [self, "history", "--since", "1h"], true,
                "DORA figures for prd"),
            new("The same as a page to open in a browser", $"git promote history --since 1h --html {Path.Combine(root, "history.html")}",
                [self, "history", "--since", "1h", "--html", Path.Combine(root, "history.html")], true, "deployments in 3 environments"),
        };

        var failures = 0;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            o.WriteLine(style.Bold($"[{i + 1}] {step.Title}"));
            o.WriteLine($"    $ {step.Display}");
            var (code, output) = RunStep(context.Processes, app, step);
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                o.WriteLine(style.Dim("    | ") + line.TrimEnd('\r'));
            var succeeded = code == 0;
            var forTheReason = output.Contains(step.Reason, StringComparison.Ordinal);
            var asExpected = succeeded == step.ExpectSuccess && forTheReason;
            if (!asExpected) failures++;
            var outcome = succeeded ? "went through" : "refused";
            o.WriteLine(asExpected
                ? "    " + style.Green($"ok: {outcome}, as expected")
                : "    " + style.Red($"UNEXPECTED: {outcome} (exit {code})" + (forTheReason ? "" : $", without \"{step.Reason}\"")));
            o.WriteLine();
        }

        o.WriteLine(failures == 0
            ? style.Green($"All {steps.Count} steps behaved as expected.")
            : style.Red($"{failures} of {steps.Count} steps did not behave as expected."));
        o.WriteLine($"The playground stays in {root}; try: cd {app} && git promote status");
        o.WriteLine($"The history page is {Path.Combine(root, "history.html")}: open it in a browser.");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Blocked;
    }

    private const string Policy = """
        version: 1
        name: demo-service
        branches: [main]
        environments:
          - name: dev
            remotes: [dev]
            evidence:
              - git: {}
          - name: stg
            remotes: [stg]
            evidence:
              - git: {}
          - name: prd
            remotes: [prd]
            evidence:
              - git: {}
        rollback: previously-green
        bypass:
          justification: '^[A-Z]+-[0-9]+: .{10,}'
        on_error: block
        timeout: 10s

        """;

    private static (int Code, string Output) RunStep(IProcessStarter processes, string dir, Step step)
    {
        var environment = new Dictionary<string, string?> { ["NO_COLOR"] = "1", [PromoteSettings.Variables.Bypass] = null };
        if (step.Env is not null)
            foreach (var (k, v) in step.Env) environment[k] = v;
        var limit = TimeSpan.FromMinutes(1);
        var result = processes.Run(new ProcessRun(step.Argv[0], step.Argv[1..])
        {
            WorkingDirectory = dir,
            Environment = environment,
            Input = [],
            CaptureOutput = true,
            Timeout = limit,
        });
        return result.TimedOut ? (124, Core.Evidence.EvidenceFailure.NoAnswerInTime(limit)) : (result.ExitCode, result.Output + result.Error);
    }

    private static string Git(IProcessStarter processes, string dir, params string[] args)
    {
        var (code, output) = RunStep(processes, dir, new Step("", "", ["git", .. args], true, ""));
        if (code != 0) throw new CommandFailedException(ExitCodes.Internal, $"demo set-up failed: git {string.Join(' ', args)}: {output.Trim()}");
        return output;
    }
}
