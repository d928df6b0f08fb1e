using System.Text;

namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// A command as the user sees it, declared once: its name, what it does, its positional arguments, its typed options
/// with their descriptions and defaults, and examples. <see cref="ArgumentReader"/> parses by it and enforces it (how
/// many arguments, the required options, the usage chosen); the usage line, <c>--help</c> and the README's command list
/// are written from it. A command with several usages (<c>hook</c>'s three hooks, <c>install</c> and <c>install --server</c>)
/// has one <see cref="Forms"/> entry per usage: chosen by the word after the command when the form's name has one
/// (<c>hook pre-push</c>), else by the required flag it declares (<c>--server</c>), else it is the usage taken when none is.
/// </summary>
public sealed record CommandDefinition(string Name, string Summary)
{
    public IReadOnlyList<CommandArgument> Arguments { get; init; } = [];

    public IReadOnlyList<CommandOption> Options { get; init; } = [];

    public IReadOnlyList<string> Examples { get; init; } = [];

    /// <summary>The usages of a command that has more than one, each with its own arguments, options and summary.</summary>
    public IReadOnlyList<CommandDefinition> Forms { get; init; } = [];

    /// <summary>
    /// What the parser says when this usage is given more or fewer arguments than it takes, whichever it is (a hook: git
    /// passes exactly what githooks(5) says); without it, the parser names the extra ones, or asks for the missing one.
    /// </summary>
    public string? WrongCount { get; init; }

    /// <summary>What the parser asks when the word that chooses a form is not given (<c>policy what?</c>).</summary>
    public string? WhichForm { get; init; }

    /// <summary>What the parser says of a word that names no form (<c>unknown hook 'x'</c>).</summary>
    public Func<string, string>? UnknownForm { get; init; }

    /// <summary>Options every command takes, wherever they stand (not as another option's value).</summary>
    public static readonly IReadOnlyList<CommandOption> GlobalOptions = [Infrastructure.Options.Verbose, Infrastructure.Options.Help];

    /// <summary>This command's usages: its forms, or itself.</summary>
    public IReadOnlyList<CommandDefinition> Usages => Forms.Count > 0 ? Forms : [this];

    /// <summary>One line per usage, as error messages quote it after "usage: ".</summary>
    public string Usage => string.Join("\n       ", Usages.Select(u => u.UsageLine));

    public string UsageLine
    {
        get
        {
            var parts = new List<string> { "git promote", Name };
            parts.AddRange(Arguments.Select(a => a.Synopsis));
            foreach (var option in Options)
            {
                if (option.Group is { } group)
                {
                    if (Options.First(o => o.Group == group) != option) continue;
                    parts.Add($"[{string.Join('|', Options.Where(o => o.Group == group).Select(o => o.Synopsis))}]");
                }
                else if (option.Required) parts.Add(option.Synopsis);
                else parts.Add(option.Kind == OptionKind.RepeatedValue ? $"[{option.Synopsis}]..." : $"[{option.Synopsis}]");
            }
            return string.Join(' ', parts);
        }
    }

    /// <summary>How --help names a usage: its name and the options that select it (<c>install --server</c>).</summary>
    public string Heading => string.Join(' ', [Name, .. SelectingFlags.Select(o => o.Name)]);

    /// <summary>The required flags that choose this usage among its command's forms (<c>--server</c>).</summary>
    internal IEnumerable<CommandOption> SelectingFlags => Options.Where(o => o.Required && o.Kind == OptionKind.Flag);

    /// <summary>The word after the command that chooses this form (<c>pre-push</c> of <c>hook pre-push</c>), or null.</summary>
    internal string? WordAfter(CommandDefinition command) =>
        Name.Length > command.Name.Length && Name.StartsWith(command.Name + " ", StringComparison.Ordinal) ? Name[(command.Name.Length + 1)..] : null;

    /// <summary>
    /// The usage an error in <paramref name="form"/> quotes: every usage of the command for its first form (the one taken
    /// when nothing chooses another: the user may have meant another), the form's own for the others.
    /// </summary>
    internal string UsageOf(CommandDefinition form) => Forms.Count == 0 || form == Forms[0] ? Usage : form.Usage;

    /// <summary>The option called <paramref name="name"/> (or its one-letter spelling) in any usage, or a global one; null when none is.</summary>
    public CommandOption? FindOption(string name)
    {
        foreach (var usage in Usages)
            foreach (var option in usage.Options)
                if (option.Name == name) return option;
        foreach (var option in GlobalOptions)
            if (option.Name == name || option.ShortName == name) return option;
        return null;
    }

    /// <summary>Every name an option may be given by, for "did you mean".</summary>
    public IEnumerable<string> OptionNames =>
        Usages.SelectMany(u => u.Options).Concat(GlobalOptions).Select(o => o.Name).Distinct();

    /// <summary>
    /// What <c>git promote &lt;command&gt; --help</c> prints: usage, summary, every argument and option with its
    /// description and default, examples.
    /// </summary>
    public string Help()
    {
        var rows = new List<(string? Left, string Right)>();
        foreach (var usage in Usages)
        {
            if (Forms.Count > 0) rows.Add((null, $"{usage.Heading}: {usage.Summary}"));
            if (usage.Arguments.Count > 0)
            {
                if (Forms.Count == 0) rows.Add((null, "arguments:"));
                rows.AddRange(usage.Arguments.Select(a => ((string?)a.Name, Described(a.Description, a.Default is { } d ? $"default: {d}" : null))));
            }
            if (usage.Options.Count > 0)
            {
                if (Forms.Count == 0) rows.Add((null, "options:"));
                rows.AddRange(usage.Options.Select(o => ((string?)o.Synopsis, Described(o.Description, o.DefaultNote))));
            }
        }
        rows.Add((null, "global options:"));
        rows.AddRange(GlobalOptions.Select(o => ((string?)(o.ShortName is { } s ? $"{s}, {o.Synopsis}" : o.Synopsis), o.Description)));

        var width = Math.Min(30, rows.Where(r => r.Left is not null).Max(r => r.Left!.Length));
        var sb = new StringBuilder();
        sb.Append("usage: ").AppendLine(Usage);
        sb.Append("  ").AppendLine(Summary);
        foreach (var (left, right) in rows)
        {
            if (left is null)
            {
                sb.AppendLine();
                sb.AppendLine(right);
            }
            else
            {
                sb.Append("  ").Append(left.PadRight(width)).Append("  ").AppendLine(right);
            }
        }
        if (Examples.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("examples:");
            foreach (var example in Examples) sb.Append("  ").AppendLine(example);
        }
        return sb.ToString();
    }

    private static string Described(string description, string? note) => note is null ? description : $"{description} ({note})";
}
