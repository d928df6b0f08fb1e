using System.Text;
using GitPromote.Cli.Infrastructure;
using GitPromote.Core.Settings;

namespace GitPromote.Cli.Output;

/// <summary>
/// The manual page git-promote(1), in roff, written from the command definitions and the settings: every command and
/// form, argument and option with its default, every example, the exit codes and every environment variable and git
/// config key. git turns <c>git promote --help</c> into <c>git help promote</c>, which opens <c>man git-promote</c>: this
/// is the page it finds. docs/git-promote.1 is this text (ManPageTests keeps it so); the packages install it.
/// </summary>
public static class ManPage
{
    public static string Write(IReadOnlyList<CommandDefinition> commands)
    {
        var sb = new StringBuilder();
        sb.AppendLine(".\\\" git-promote(1): written from the command definitions (src/GitPromote.Cli/Output/ManPage.cs); do not edit.");
        // No version or date: one page serves every build of the same commands (release.sh may stamp any version).
        sb.AppendLine(".TH GIT\\-PROMOTE 1 \"\" \"git-promote\" \"Git Manual\"");
        sb.AppendLine(".SH NAME");
        sb.AppendLine("git-promote \\- the path to production, dev \\(-> stg \\(-> prd, with nothing but git push");
        sb.AppendLine(".SH SYNOPSIS");
        sb.AppendLine(".nf");
        foreach (var usage in commands.SelectMany(c => c.Usages)) sb.AppendLine(Escape(usage.UsageLine));
        sb.AppendLine(Escape("git promote --version"));
        sb.AppendLine(".fi");
        sb.AppendLine(".SH DESCRIPTION");
        Paragraph(sb, "A push to an environment after the first is refused unless the exact commit is green in the environment before it: its " +
            "pipeline deployed it and recorded it (git promote record), as a git ref, an SSM parameter, or a succeeded CodePipeline execution. " +
            "The rules live in .promote.yml. Three enforcement points share one engine: the pre-push hook in every clone, the pre-receive hook " +
            "on a self-hosted server, and the gate at the start of each environment's pipeline.");
        Paragraph(sb, "Rollback is a push of a commit that was green in the environment before (git promote rollback). An emergency bypass " +
            $"needs a written justification ({PromoteSettings.Variables.Bypass}) and is recorded where auditors look.");
        sb.AppendLine(".SH COMMANDS");
        foreach (var command in commands)
        {
            foreach (var usage in command.Usages)
            {
                sb.AppendLine(".TP");
                sb.AppendLine($".B {Escape(usage.UsageLine)}");
                sb.AppendLine(Escape(command.Forms.Count > 0 ? usage.Summary : command.Summary));
                foreach (var argument in usage.Arguments)
                    Item(sb, argument.Name, argument.Description, argument.Default is { } d ? $"default: {d}" : null);
                foreach (var option in usage.Options)
                    Item(sb, option.Synopsis, option.Description, option.DefaultNote);
            }
            if (command.Examples.Count > 0)
            {
                sb.AppendLine(".IP");
                sb.AppendLine("Examples:");
                sb.AppendLine(".nf");
                foreach (var example in command.Examples) sb.AppendLine(Escape("  " + example));
                sb.AppendLine(".fi");
            }
        }
        sb.AppendLine(".SH OPTIONS");
        Paragraph(sb, "Every command takes:");
        foreach (var option in CommandDefinition.GlobalOptions)
            Item(sb, option.ShortName is { } s ? $"{s}, {option.Synopsis}" : option.Synopsis, option.Description, null, ".TP");
        sb.AppendLine(".SH EXIT STATUS");
        foreach (var (code, meaning) in ExitStatus) Item(sb, code.ToString(System.Globalization.CultureInfo.InvariantCulture), meaning, null, ".TP");
        sb.AppendLine(".SH ENVIRONMENT");
        foreach (var setting in PromoteSettings.All.Where(s => s.Source == SettingSource.EnvironmentVariable)) Setting(sb, setting);
        Item(sb, "NO_COLOR", "when set, no colour in any output.", null, ".TP");
        sb.AppendLine(".SH CONFIGURATION");
        Paragraph(sb, "git config keys (git config \\-\\-list | grep ^promote shows them):");
        foreach (var setting in PromoteSettings.All.Where(s => s.Source != SettingSource.EnvironmentVariable)) Setting(sb, setting);
        sb.AppendLine(".SH FILES");
        Item(sb, ".promote.yml", "the policy, at the top of the work tree: environments in promotion order, their remotes, evidence and rules.", null,
            ".TP");
        Item(sb, "$GIT_DIR/promote/green-cache", "commits proven green before (never negative answers), so a repeated push costs no call.", null, ".TP");
        sb.AppendLine(".SH SEE ALSO");
        Paragraph(sb, "githooks(5), git-push(1), git-config(1); README.md and docs/ in the git-promote sources: aws.md, server.md, rollout.md, " +
            "guardrails.md, history.md, settings.md, json.md.");
        return sb.ToString();
    }

    /// <summary>The exit codes every command shares.</summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> ExitStatus =
    [
        (ExitCodes.Ok, "allowed, admitted, done"),
        (ExitCodes.Blocked, "blocked: a push or a deployment refused, a record not written, a store that could not be read"),
        (ExitCodes.UsageOrPolicy, "bad usage, or a policy that is not valid (the message names file, line and column)"),
        (ExitCodes.Internal, "an internal error (run again with --verbose for details)"),
    ];

    private static void Setting(StringBuilder sb, Setting setting) =>
        Item(sb, setting.Shown, $"{Plain(setting.Meaning)} Read by: {Plain(setting.Where)}.", $"default: {Plain(setting.Default)}", ".TP");

    private static void Item(StringBuilder sb, string term, string description, string? note, string macro = ".RS\n.TP")
    {
        sb.AppendLine(macro);
        sb.AppendLine($".B {Escape(term)}");
        sb.AppendLine(Escape(note is null ? description : $"{description} ({note})"));
        if (macro.StartsWith(".RS", StringComparison.Ordinal)) sb.AppendLine(".RE");
    }

    private static void Paragraph(StringBuilder sb, string text)
    {
        sb.AppendLine(".PP");
        sb.AppendLine(Escape(text));
    }

    /// <summary>Markdown's code marks and links as plain text: the settings' meanings are written for docs/settings.md.</summary>
    private static string Plain(string markdown)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(markdown, @"\[([^\]]+)\]\([^)]+\)", "$1");
        return text.Replace("`", "", StringComparison.Ordinal);
    }

    /// <summary>
    /// Text as roff prints it literally: backslashes and hyphens escaped, and a line that would start with a control
    /// character ('.' or ''') guarded by a zero-width escape.
    /// </summary>
    public static string Escape(string text)
    {
        var escaped = text.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);
        return escaped.Length > 0 && escaped[0] is '.' or '\'' ? "\\&" + escaped : escaped;
    }
}
