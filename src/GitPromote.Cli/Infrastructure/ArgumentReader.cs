using GitPromote.Core.Policy;

namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// A small, strict command-line reader: the options a <see cref="CommandDefinition"/> declares only, anything else is a
/// usage error (with the nearest declared name, when one is near). <see cref="Parse"/> reads the words as given (so that
/// <c>--help</c> and <c>--verbose</c> are known before anything is required); <see cref="Validate"/> then holds them to
/// the definition and gives the command its <see cref="CommandLine"/>.
/// Hand-written because the binary's start-up time is part of every push.
/// </summary>
public sealed class ArgumentReader
{
    private readonly List<string> _positionals = [];
    private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);

    /// <summary>Each option as it was written (<c>--env=prd</c>) and the name it was given by, in order: a form refuses those not its own.</summary>
    private readonly List<(string Arg, string Name)> _written = [];

    private readonly CommandDefinition _definition;

    private ArgumentReader(CommandDefinition definition) => _definition = definition;

    /// <summary>
    /// Reads <paramref name="args"/> by <paramref name="definition"/>: its options (of every usage) and the global ones,
    /// each a flag or taking the next argument (or <c>=value</c>) as its value, whatever that value looks like. A single-value
    /// option given twice is a usage error (<c>--commit given twice</c>); a repeated one keeps every value, in order.
    /// </summary>
    public static ArgumentReader Parse(IEnumerable<string> args, CommandDefinition definition)
    {
        var reader = new ArgumentReader(definition);
        using var e = args.GetEnumerator();
        var onlyPositionals = false;
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (onlyPositionals || !arg.StartsWith('-') || arg == "-")
            {
                reader._positionals.Add(arg);
                continue;
            }
            if (arg == "--") { onlyPositionals = true; continue; }
            var eq = arg.IndexOf('=');
            var name = eq > 0 ? arg[..eq] : arg;
            var option = definition.FindOption(name) ?? throw UnknownOption(arg, name, definition);
            reader._written.Add((arg, name));
            if (option.Kind == OptionKind.Flag)
            {
                if (eq > 0) throw CommandFailedException.Usage($"option {name} takes no value", "see --help");
                reader._given[option.Name] = null;
            }
            else
            {
                string value;
                if (eq > 0) value = arg[(eq + 1)..];
                else if (e.MoveNext()) value = e.Current;
                else throw CommandFailedException.Usage($"option {name} needs a value");
                // One value means one: a second would silently win over the first (a pipeline's --commit X appended to one set earlier).
                if (option.Kind == OptionKind.Value && reader._given.ContainsKey(option.Name))
                    throw CommandFailedException.Usage($"{option.Name} given twice", $"give {option.Name} once");
                reader._given[option.Name] = value;
                (reader._repeated.TryGetValue(option.Name, out var list) ? list : reader._repeated[option.Name] = []).Add(value);
            }
        }
        return reader;
    }

    private static CommandFailedException UnknownOption(string arg, string name, CommandDefinition definition) =>
        CommandFailedException.Usage(
            KeySuggester.Nearest(name, definition.OptionNames.ToList()) is { } nearest
                ? $"unknown option '{arg}'; did you mean '{nearest}'?"
                : $"unknown option '{arg}'",
            "see --help");

    /// <summary>Whether a global flag (<c>--help</c>, <c>--verbose</c>) was given: known before the rest is held to the definition.</summary>
    public bool Has(FlagOption global) =>
        CommandDefinition.GlobalOptions.Contains(global)
            ? _given.ContainsKey(global.Name)
            : throw new InvalidOperationException($"{global.Name} is not a global option: read it from the validated command line");

    /// <summary>
    /// Holds what was given to the definition, in this order: the form (the word after the command, or the flag that
    /// chooses it; then every option given must be that form's), not more arguments than it takes, the text limits of the
    /// options given, the required options, then the required arguments. Each refusal is a usage error that quotes the usage.
    /// </summary>
    public CommandLine Validate()
    {
        var (form, positionals) = ChooseForm();
        var usage = _definition.UsageOf(form);
        var arguments = form.Arguments;
        var max = arguments.Any(a => a.Repeated) ? int.MaxValue : arguments.Count;
        var min = arguments.Count(a => !a.Optional);
        if (form.WrongCount is { } wrong && (positionals.Count > max || positionals.Count < min))
            throw CommandFailedException.Usage(wrong, $"usage: {usage}");
        if (positionals.Count > max)
            throw CommandFailedException.Usage($"too many arguments: {string.Join(' ', positionals.Skip(max))}", $"usage: {usage}");

        var values = new Dictionary<string, string?>(_given, StringComparer.Ordinal);
        foreach (var option in form.Options)
        {
            if (option.MaxLength is { } limit && values.TryGetValue(option.Name, out var text))
                values[option.Name] = BoundedText(text!, option.Name, limit);
            // A required value given empty is not given (install --server --env ''); text a record keeps said so above.
            if (option.Required && option.Kind != OptionKind.Flag && values.GetValueOrDefault(option.Name) is not { Length: > 0 })
                throw CommandFailedException.Usage(option.Missing ?? $"{option.Name} is required", $"usage: {usage}");
        }
        if (positionals.Count < min)
        {
            var missing = arguments[positionals.Count];
            throw CommandFailedException.Usage(missing.Missing ?? $"which {missing.Name}?", $"usage: {usage}");
        }
        return new CommandLine(_definition, form, positionals, values, _repeated);
    }

    /// <summary>The usage given, and the arguments that are its own (without the word that chose it).</summary>
    private (CommandDefinition Form, IReadOnlyList<string> Positionals) ChooseForm()
    {
        if (_definition.Forms.Count == 0) return (_definition, _positionals);
        CommandDefinition form;
        IReadOnlyList<string> positionals = _positionals;
        if (_definition.Forms[0].WordAfter(_definition) is not null)
        {
            var word = _positionals.Count > 0 ? _positionals[0]
                : throw CommandFailedException.Usage(_definition.WhichForm ?? $"which {_definition.Name}?", $"usage: {_definition.Usage}");
            form = _definition.Forms.FirstOrDefault(f => f.WordAfter(_definition) == word)
                ?? throw CommandFailedException.Usage(_definition.UnknownForm?.Invoke(word) ?? $"unknown {_definition.Name} '{Quoting.Show(word)}'",
                    $"usage: {_definition.Usage}");
            positionals = _positionals.GetRange(1, _positionals.Count - 1);
        }
        else
        {
            form = _definition.Forms.FirstOrDefault(f => f.SelectingFlags.Any(o => _given.ContainsKey(o.Name)))
                ?? _definition.Forms.First(f => !f.SelectingFlags.Any());
        }
        foreach (var (arg, name) in _written)
            if (form.FindOption(name) is null) throw UnknownOption(arg, name, form);
        return (form, positionals);
    }

    /// <summary>Text that goes into a record, trimmed, once it is one line, not empty and bounded; else a usage error naming <paramref
    /// name="option"/>.</summary>
    private static string BoundedText(string text, string option, int max)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) throw CommandFailedException.Usage($"{option} must not be empty");
        if (trimmed.Length > max) throw CommandFailedException.Usage($"{option} must be at most {max} characters");
        if (trimmed.Any(char.IsControl)) throw CommandFailedException.Usage($"{option} must be one line of text, without control characters");
        return trimmed;
    }
}
